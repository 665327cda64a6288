package dev.rewind.alerts;

import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SignedSlack;
import dev.rewind.testing.SlackStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Alerts in, cards out: the Alertmanager webhook, alert messages in watched channels, one card per incident. */
class AlertsIT {

    private static final String CATALOGUE = String.join("\n",
            "alerts:",
            "  defaultChannel: C0OPS",
            "  watchedChannels: [C0ALERTS, G0PRIVATE]",
            "services:",
            "  - name: checkout",
            "    channel: " + CHANNEL,
            "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
            "    signals: {errorRate: 'errors'}",
            "    approvers: [" + ALICE + "]",
            "  - name: cart",
            "    channel: C0CART",
            "    target: {type: kubernetes-deployment, namespace: shop, deployment: cart}",
            "    alerts: {match: {app: cart-api}}",
            "    approvers: [" + ALICE + "]",
            "");

    private final HttpClient http = HttpClient.newHttpClient();
    private RewindFixture rewind;

    @AfterEach
    void stop() {
        if (rewind != null) {
            rewind.close();
        }
    }

    private void start(String token) throws IOException {
        RewindFixture.Builder builder = RewindFixture.builder().catalogue(CATALOGUE);
        if (token != null) {
            builder.env("ALERTMANAGER_TOKEN", token);
        }
        rewind = builder.build();
        rewind.prometheus().returns("errors", 0.2).before(0.001);
    }

    static String payload(String status, Map<String, String>... alerts) {
        StringBuilder json = new StringBuilder("{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"x\\\"}\",\"status\":\""
                + status + "\",\"receiver\":\"rewind\",\"groupLabels\":{},\"commonLabels\":{},\"commonAnnotations\":{},"
                + "\"externalURL\":\"http://alertmanager:9093\",\"truncatedAlerts\":0,\"alerts\":[");
        for (int i = 0; i < alerts.length; i++) {
            Map<String, String> labels = alerts[i];
            if (i > 0) {
                json.append(',');
            }
            json.append("{\"status\":\"").append(status).append("\",\"labels\":{");
            json.append(String.join(",", labels.entrySet().stream().map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                    .toList()));
            json.append("},\"annotations\":{\"summary\":\"5xx above 5% on ").append(labels.getOrDefault("service", "?"))
                    .append("\"},\"startsAt\":\"2026-11-26T03:00:00Z\",\"endsAt\":\"")
                    .append(status.equals("resolved") ? "2026-11-26T03:09:00Z" : "0001-01-01T00:00:00Z")
                    .append("\",\"generatorURL\":\"http://prometheus/graph\",\"fingerprint\":\"")
                    .append(Integer.toHexString(labels.hashCode())).append("\"}");
        }
        return json.append("]}").toString();
    }

    private HttpResponse<String> send(String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(rewind.url("/alerts/alertmanager")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<Map<String, String>> cards() {
        return rewind.slack().posted().stream().filter(p -> p.containsKey("blocks")).toList();
    }

    @Test
    void anIncidentWhoseAlertsWentQuietWithoutResolvingIsClosedAndTheNextAlertOpensANewCard() throws Exception {
        start(null);
        Map<String, String> high = Map.of("alertname", "HighErrorRate", "service", "checkout", "severity", "page");
        send(payload("firing", high), null);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cards()).as("cards posted").hasSize(1));
        String ts = rewind.slack().postedWithTs().stream().filter(p -> p.form().containsKey("blocks")).findFirst().orElseThrow().ts();

        // A late repeat of the same firing (same start): it still belongs to the open incident.
        rewind.clock().advance(Duration.ofHours(26));
        send(payload("firing", high), null);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(ts)).as("the card as last drawn")
                .contains("2 notifications"));
        assertThat(cards()).as("cards posted").hasSize(1);

        // The "resolved" was lost; a day later the same alert fires again: a new incident, a new card.
        rewind.clock().advance(Duration.ofHours(26));
        send(payload("firing", high).replace("2026-11-26T03:00:00Z", "2026-11-28T05:00:00Z"), null);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cards()).as("cards posted").hasSize(2));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(ts)).as("the card as last drawn")
                .contains("closed the incident as stale"));
        assertThat(rewind.latestCardText(ts)).contains("a new alert opens a new card");
    }

    @Test
    void aFiringAlertOpensOneCardAndRepeatsAndResolutionUpdateIt() throws Exception {
        start(null);
        Map<String, String> high = Map.of("alertname", "HighErrorRate", "service", "checkout", "severity", "page");
        Map<String, String> slow = Map.of("alertname", "HighLatency", "service", "checkout", "severity", "page");

        assertThat(send(payload("firing", high), null).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cards()).as("cards posted").hasSize(1));
        Map<String, String> card = cards().get(0);
        assertThat(card.get("channel")).isEqualTo(CHANNEL);
        assertThat(SlackStub.readable(card)).contains("Opened by an alert (alert HighErrorRate)").contains("FAST")
                .contains("Roll back to r2");
        String ts = rewind.slack().postedWithTs().stream().filter(p -> p.form().containsKey("blocks")).findFirst().orElseThrow().ts();

        send(payload("firing", high, slow), null);
        send(payload("firing", high), null);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(ts))
                .as("the card as last drawn").contains("2 of 2 alerts firing", "4 notifications"));
        assertThat(cards()).as("no second card for the same incident").hasSize(1);

        send(payload("resolved", high, slow), null);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(ts)).as("the card as last drawn")
                .contains("Alerts resolved at"));
        assertThat(rewind.latestCardText(ts)).contains("9 min 0 s after they fired");

        send(payload("firing", high), null);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cards()).as("cards posted").hasSize(2));
    }

    @Test
    void labelsOtherThanTheServiceLabelCanRouteAndUnknownServicesAreNotDropped() throws Exception {
        start(null);
        send(payload("firing", Map.of("alertname", "CartDown", "app", "cart-api")), null);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cards()).as("cards, one in C0CART")
                .anyMatch(c -> c.get("channel").equals("C0CART")));

        send(payload("firing", Map.of("alertname", "DiskFull", "service", "billing")), null);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().posted())
                .as("posts, one in C0OPS about the unrouted DiskFull").anyMatch(p ->
                "C0OPS".equals(p.get("channel")) && p.get("text").contains("DiskFull")
                        && p.get("text").contains("matched no service") && p.get("text").contains("billing")));
    }

    @Test
    void theTokenIsRequiredWhenSetAndMalformedPayloadsGetTheReason() throws Exception {
        start("am-secret");
        String body = payload("firing", Map.of("alertname", "HighErrorRate", "service", "checkout"));
        assertThat(send(body, null).statusCode()).isEqualTo(401);
        assertThat(send(body, "wrong").statusCode()).isEqualTo(401);
        assertThat(send(body, "am-secret").statusCode()).isEqualTo(200);

        HttpResponse<String> notJson = send("{not json", "am-secret");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).contains("the body is not JSON");
        HttpResponse<String> noAlerts = send("{\"version\":\"4\",\"status\":\"firing\"}", "am-secret");
        assertThat(noAlerts.statusCode()).isEqualTo(400);
        assertThat(noAlerts.body()).contains("'alerts' must be a list");
        HttpResponse<String> badStatus = send(body.replace("\"status\":\"firing\",\"labels\"", "\"status\":\"burning\",\"labels\""),
                "am-secret");
        assertThat(badStatus.statusCode()).isEqualTo(400);
        assertThat(badStatus.body()).contains("alerts[0].status must be 'firing' or 'resolved', got 'burning'");
        HttpResponse<String> badTime = send(body.replace("2026-11-26T03:00:00Z", "yesterday"), "am-secret");
        assertThat(badTime.body()).contains("alerts[0].startsAt is not an RFC 3339 time: 'yesterday'");
    }

    @Test
    void alertMessagesInWatchedChannelsOpenCardsAndEventRetriesAreHandledOnce() throws Exception {
        start(null);
        ObjectNode event = JsonMapper.builder().build().createObjectNode();
        event.put("token", "t").put("team_id", "T0TEAM").put("api_app_id", "A0REWIND").put("type", "event_callback")
                .put("event_id", "Ev0ALERT1").put("event_time", Instant.now().getEpochSecond());
        ObjectNode message = event.putObject("event");
        message.put("type", "message").put("subtype", "bot_message").put("bot_id", "B0ALERTMANAGER")
                .put("channel", "C0ALERTS").put("ts", "1700000300.000100").put("event_ts", "1700000300.000100")
                .put("text", "");
        ObjectNode attachment = message.putArray("attachments").addObject();
        attachment.put("title", "[FIRING:1] HighErrorRate checkout (production page)");
        attachment.put("text", "*Alert:* 5xx above 5%\n*Labels:*\n• alertname: `HighErrorRate`\n• service: `checkout`\n• severity: `page`");
        attachment.put("fallback", "[FIRING:1] HighErrorRate");
        String body = event.toString();

        for (int retry = 0; retry < 3; retry++) {
            assertThat(rewind.signed().post(body, SignedSlack.now()).statusCode()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cards()).as("cards posted").hasSize(1));
        Thread.sleep(1_000);
        assertThat(cards()).as("cards posted").hasSize(1);
        assertThat(SlackStub.readable(cards().get(0))).contains("Opened by an alert (alert HighErrorRate)");

        ObjectNode grafana = event.deepCopy();
        grafana.put("event_id", "Ev0ALERT2");
        ObjectNode grafanaMessage = (ObjectNode) grafana.get("event");
        grafanaMessage.remove("attachments");
        grafanaMessage.put("channel", "C0OTHER").put("text", "**Firing**\nLabels:\n - alertname = CartDown\n - service = cart\n");
        rewind.signed().post(grafana.toString(), SignedSlack.now());
        Thread.sleep(1_500);
        assertThat(cards()).as("a channel that is not watched is ignored").hasSize(1);
        assertThat(rewind.slack().posted()).noneMatch(p -> "C0CART".equals(p.get("channel")));
    }

    @Test
    void alertMessagesInAWatchedPrivateChannelOpenCardsLikePublicOnes() throws Exception {
        start(null);
        ObjectNode event = JsonMapper.builder().build().createObjectNode();
        event.put("token", "t").put("team_id", "T0TEAM").put("api_app_id", "A0REWIND").put("type", "event_callback")
                .put("event_id", "Ev0PRIVATE1").put("event_time", Instant.now().getEpochSecond());
        ObjectNode message = event.putObject("event");
        message.put("type", "message").put("subtype", "bot_message").put("bot_id", "B0ALERTMANAGER")
                .put("channel", "G0PRIVATE").put("channel_type", "group")
                .put("ts", "1700000400.000100").put("event_ts", "1700000400.000100").put("text", "");
        ObjectNode attachment = message.putArray("attachments").addObject();
        attachment.put("title", "[FIRING:1] HighErrorRate checkout (production page)");
        attachment.put("text", "*Alert:* 5xx above 5%\n*Labels:*\n• alertname: `HighErrorRate`\n• service: `checkout`\n• severity: `page`");
        attachment.put("fallback", "[FIRING:1] HighErrorRate");

        assertThat(rewind.signed().post(event.toString(), SignedSlack.now()).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cards()).as("cards posted").hasSize(1));
        assertThat(SlackStub.readable(cards().get(0))).contains("Opened by an alert (alert HighErrorRate)");
    }
}
