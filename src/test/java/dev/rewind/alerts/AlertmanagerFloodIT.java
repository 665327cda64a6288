package dev.rewind.alerts;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.rewind.testing.RewindFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** One unauthenticated sender cannot flood a channel: payloads are capped, unrouted alerts are digested. */
class AlertmanagerFloodIT {

    private static final String CATALOGUE = String.join("\n",
            "alerts:",
            "  defaultChannel: C0OPS",
            "services:",
            "  - name: checkout",
            "    channel: " + CHANNEL,
            "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
            "    approvers: [" + ALICE + "]",
            "");

    private final HttpClient http = HttpClient.newHttpClient();
    private final String database = "jdbc:h2:mem:flood-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private RewindFixture rewind;
    private ListAppender<ILoggingEvent> routeLog;

    @AfterEach
    void stop() {
        if (rewind != null) {
            rewind.close();
        }
        if (routeLog != null) {
            ((Logger) LoggerFactory.getLogger("dev.rewind.web.AlertmanagerRoute")).detachAppender(routeLog);
        }
    }

    private void start(String token) throws Exception {
        routeLog = new ListAppender<>();
        routeLog.start();
        ((Logger) LoggerFactory.getLogger("dev.rewind.web.AlertmanagerRoute")).addAppender(routeLog);
        RewindFixture.Builder builder = RewindFixture.builder().catalogue(CATALOGUE).database(database);
        if (token != null) {
            builder.env("ALERTMANAGER_TOKEN", token);
        }
        rewind = builder.build();
    }

    /** A firing payload of {@code count} alerts for services nobody configured, each with its own fingerprint. */
    private static String unrouted(int first, int count) {
        StringBuilder json = new StringBuilder("{\"version\":\"4\",\"status\":\"firing\",\"receiver\":\"rewind\","
                + "\"groupLabels\":{},\"commonLabels\":{},\"alerts\":[");
        for (int n = first; n < first + count; n++) {
            json.append(n > first ? "," : "").append("{\"status\":\"firing\",\"labels\":{\"alertname\":\"Disk\",")
                    .append("\"service\":\"b").append(n).append("\"},\"startsAt\":\"2026-11-26T03:00:00Z\",")
                    .append("\"fingerprint\":\"f").append(n).append("\"}");
        }
        return json.append("]}").toString();
    }

    private HttpResponse<String> send(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(rewind.url("/alerts/alertmanager")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private List<String> opsMessages() {
        return rewind.slack().posted().stream().filter(p -> "C0OPS".equals(p.get("channel"))).map(p -> p.get("text"))
                .toList();
    }

    private int storedUnrouted() throws Exception {
        try (Connection connection = DriverManager.getConnection(database);
             ResultSet rows = connection.createStatement().executeQuery("SELECT COUNT(*) FROM unrouted_alerts")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static int alertsIn(String text) {
        Matcher count = Pattern.compile("^(\\d+) alerts matched no service").matcher(text);
        return count.find() ? Integer.parseInt(count.group(1)) : text.startsWith("Alert ") ? 1 : 0;
    }

    @Test
    void eightThousandAlertsInOnePostAreRefusedWithTheReasonAndNothingIsAnnounced() throws Exception {
        start(null);
        String body = unrouted(0, 8_000);
        assertThat(body.length()).isLessThan(1_000_000);

        HttpResponse<String> response = send(body);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).isEqualTo("too many alerts: the payload carries 8000 alerts; Rewind reads at most 1000 "
                + "per payload: set max_alerts: 1000 in Alertmanager's webhook_config (it then sends the first 1000 and "
                + "counts the rest in truncatedAlerts)\n");
        Thread.sleep(6_000);
        assertThat(opsMessages()).as("messages to the ops channel").isEmpty();
        assertThat(send(unrouted(0, 1_000)).statusCode()).as("1000 is within the cap").isEqualTo(200);
    }

    @Test
    void eightThousandUnroutedAlertsMakeOneDigestAMinuteNotOneMessageEach() throws Exception {
        start(null);
        for (int batch = 0; batch < 8; batch++) {
            assertThat(send(unrouted(batch * 1_000, 1_000)).statusCode()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(storedUnrouted()).as("unrouted alerts stored").isEqualTo(8_000));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(opsMessages()).as("messages to the ops channel").isNotEmpty());
        Thread.sleep(6_000);
        assertThat(opsMessages()).as("messages to the ops channel").as("one digest this minute").hasSize(1);

        rewind.clock().advance(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(opsMessages()).as("messages to the ops channel").hasSize(2));
        Thread.sleep(6_000);
        List<String> messages = opsMessages();
        assertThat(messages).hasSize(2);
        assertThat(messages.stream().mapToInt(AlertmanagerFloodIT::alertsIn).sum()).isEqualTo(8_000);
        assertThat(messages.get(1)).contains("service label: b").contains("other values ×")
                .contains("They are stored; no card was opened.");
    }

    @Test
    void startingWithoutATokenWarnsThatTheEndpointIsOpen() throws Exception {
        start(null);
        assertThat(routeLog.list).anySatisfy(event -> {
            assertThat(event.getLevel().toString()).isEqualTo("WARN");
            assertThat(event.getFormattedMessage())
                    .startsWith("POST /alerts/alertmanager accepts unauthenticated requests: set ALERTMANAGER_TOKEN");
        });
        rewind.close();
        rewind = null;
        ((Logger) LoggerFactory.getLogger("dev.rewind.web.AlertmanagerRoute")).detachAppender(routeLog);

        start("am-secret");
        assertThat(routeLog.list).noneMatch(event -> event.getFormattedMessage().contains("unauthenticated"));
        assertThat(routeLog.list).noneMatch(event -> event.getFormattedMessage().contains("am-secret"));
    }
}
