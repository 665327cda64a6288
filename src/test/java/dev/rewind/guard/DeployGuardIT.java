package dev.rewind.guard;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.rewind.slack.ActionIds;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SlackStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The deploy guard end to end: a new ReplicaSet seen by the informer (fabric8 mock) or a deploy posted by a
 * pipeline starts a guard; the stubbed Prometheus and a WireMock probe decide whether a rule holds; a rule that
 * holds opens the card with its reason and applies its action; the API says where each deploy stands.
 */
class DeployGuardIT {

    private static final String API_TOKEN = "ci-token-0123456789";
    private static final JsonMapper JSON = JsonMapper.shared();
    private final HttpClient http = HttpClient.newHttpClient();
    private final WireMockServer shop = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private RewindFixture rewind;

    @AfterEach
    void stop() {
        if (rewind != null) {
            rewind.close();
        }
        shop.stop();
    }

    private void start(String guard, String... policy) throws Exception {
        shop.start();
        shop.stubFor(get(urlEqualTo("/login")).willReturn(aResponse().withStatus(200).withBody("ok")));
        rewind = RewindFixture.builder().catalogue(String.join("\n",
                "services:",
                "  - name: checkout",
                "    channel: " + CHANNEL,
                "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                "    signals: {errorRate: 'errors', conversion: 'conversion'}",
                "    approvers: [" + ALICE + "]",
                "    verification: {checks: 1, interval: 0s, watch: 0s}",
                "    cooldown: 0s",
                "    probes:",
                "      - {name: login, url: '" + shop.baseUrl() + "/login', expect: 200, timeout: 2s}",
                guard,
                "    policy:",
                String.join("\n", policy),
                "")).env("REWIND_API_TOKEN", API_TOKEN).build();
        rewind.prometheus().returns("errors", 0.004).before(0.004);
        rewind.prometheus().returns("conversion", 0.05).before(0.05);
    }

    private static final String[] BASELINE_RULES = {
            "      - name: errors far too high",
            "        when: {signal: errorRate, above: 5%}",
            "        action: auto",
            "        countdown: 60s",
            "      - name: errors well above the last release",
            "        when: {signal: errorRate, aboveBaseline: 3x, above: 2%}",
            "        action: propose"};

    @Test
    void theInformerSeesANewRevisionAndItsGuardJudgesItAgainstTheBaselineNotJustTheAbsoluteLimit() throws Exception {
        start("    guard: {window: 30m, interval: 5s}", BASELINE_RULES);
        rewind.kubernetes().deploy("shop", "checkout", "shop/checkout:1.5.0");
        JsonNode guard = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> latest("r4"), node -> node != null);
        assertThat(guard.get("status").asString()).isEqualTo("watching");
        assertThat(guard.get("source").asString()).isEqualTo("kubernetes");

        // 3% against 0.4% before the deploy: under the absolute 5%, but 7.5x its baseline.
        rewind.prometheus().returns("errors", 0.03).before(0.004);
        rewind.clock().advance(Duration.ofSeconds(5));
        SlackStub.Post card = await().atMost(Duration.ofSeconds(15)).until(() -> rewind.cards(), cards -> !cards.isEmpty()).get(0);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rewind.latestCardText(card.ts()))
                .contains("Proposes rolling back to r3"));
        assertThat(rewind.latestCardText(card.ts()))
                .contains("Opened by the deploy guard: errors well above the last release — errorRate 3.0% vs 0.4% before r4")
                .doesNotContain("errors far too high").doesNotContain("Cancel automatic rollback");
        JsonNode status = deploy(guard.get("id").asString());
        assertThat(status.get("status").asString()).isEqualTo("degraded");
        assertThat(status.get("triggers").get(0).get("detail").asString()).startsWith("errors well above the last release");
        assertThat(status.get("run").asString()).isEqualTo(runIdOf(card));
        assertThat(rewind.kubernetes().image("shop", "checkout")).as("propose only").isEqualTo("shop/checkout:1.5.0");
        assertThat(rewind.get("/metrics").body())
                .contains("rewind_policy_triggers_total{action=\"propose\",rule=\"errors well above the last release\"} 1.0")
                .contains("rewind_policy_triggers_total{action=\"auto\",rule=\"errors far too high\"} 0.0")
                .containsPattern("rewind_guard_evaluations_total\\{result=\"triggered\"} 1.0")
                .contains("rewind_guards_active 0.0");

        // A restart lists every workload again: the informer finds r4's guard there and starts no other.
        rewind.restart();
        rewind.kubernetes().deploy("shop", "cart", "shop/cart:2.2.0");
        Thread.sleep(2_000);
        assertThat(latestAll()).filteredOn(d -> d.get("revision").asString().equals("r4")).hasSize(1);
    }

    @Test
    void forHoldsOnlyWhenEveryEvaluationInTheWindowHeld() throws Exception {
        start("    guard: {window: 30m, interval: 5s}",
                "      - name: sustained errors",
                "        when: {signal: errorRate, above: 2%, for: 15s}",
                "        action: notify");
        String id = postDeploy("checkout", "r4").get("id").asString();
        rewind.prometheus().returns("errors", 0.08);
        int checks = stepUntilChecks(id, 2);
        // A good reading in the middle starts the count again.
        rewind.prometheus().returns("errors", 0.004);
        checks = stepUntilChecks(id, checks + 1);
        rewind.prometheus().returns("errors", 0.08);
        checks = stepUntilChecks(id, checks + 3);
        assertThat(deploy(id).get("status").asString()).as("held at 0s, 5s, 10s: not yet 15s").isEqualTo("watching");
        assertThat(rewind.cards()).isEmpty();
        rewind.clock().advance(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(10)).until(() -> deploy(id).get("status").asString(), "degraded"::equals);
        SlackStub.Post card = rewind.cards().get(0);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rewind.latestCardText(card.ts()))
                .containsPattern("Matched deploy guard, policy 'sustained errors': errorRate 8.0% \\(&gt; 2.0%\\), for 1[5-9]s "
                        + "\\(notify only\\)"));
    }

    @Test
    void consecutiveProbeFailuresTriggerAnAutomaticRollbackWithItsCountdownAndTheStatusFollowsIt() throws Exception {
        start("    guard: {window: 30m, interval: 5s}",
                "      - name: login broken",
                "        when: {probe: login, failures: 3}",
                "        action: auto",
                "        countdown: 10s");
        String id = postDeploy("checkout", "r3").get("id").asString();
        shop.stubFor(get(urlEqualTo("/login")).willReturn(aResponse().withStatus(500).withBody("boom")));
        stepUntilChecks(id, 2);
        assertThat(deploy(id).get("status").asString()).as("two failures of three").isEqualTo("watching");
        rewind.clock().advance(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(10)).until(() -> deploy(id).get("status").asString(), "degraded"::equals);
        SlackStub.Post card = rewind.cards().get(0);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rewind.latestCardText(card.ts()))
                .contains("Automatic rollback to r2 in 10s unless cancelled").contains("probe login 500")
                .contains("3 failures in a row"));

        rewind.clock().advance(Duration.ofSeconds(11));
        await().atMost(Duration.ofSeconds(30)).until(() -> deploy(id).get("status").asString(), "rolled-back"::equals);
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.1");
        assertThat(deploy(id).get("runState").asString()).isIn("SUCCEEDED", "NOT_RECOVERED");
    }

    @Test
    void cancellingTheGuardsCountdownKeepsTheRevision() throws Exception {
        start("    guard: {window: 30m, interval: 5s}",
                "      - name: errors far too high",
                "        when: {signal: errorRate, above: 5%}",
                "        action: auto",
                "        countdown: 30s");
        String id = postDeploy("checkout", "r3").get("id").asString();
        rewind.prometheus().returns("errors", 0.2);
        rewind.clock().advance(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(10)).until(() -> deploy(id).get("status").asString(), "degraded"::equals);
        SlackStub.Post card = rewind.cards().get(0);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rewind.latestCardText(card.ts()))
                .contains("Cancel automatic rollback"));
        rewind.signed().click(ALICE, CHANNEL, card.ts(), ActionIds.CANCEL_AUTO, runIdOf(card));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rewind.latestCardText(card.ts()))
                .contains("Automatic rollback cancelled by <@U0ALICE>"));
        rewind.clock().advance(Duration.ofMinutes(1));
        Thread.sleep(2_000);
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.2");
        assertThat(deploy(id).get("status").asString()).isEqualTo("degraded");
    }

    @Test
    void aCleanWindowEndsTheGuardQuietlyAsHealthy() throws Exception {
        start("    guard: {window: 20s, interval: 5s, announce: true}", BASELINE_RULES);
        String id = postDeploy("checkout", "r3").get("id").asString();
        for (int i = 0; i < 6 && deploy(id).get("status").asString().equals("watching"); i++) {
            stepUntilChecks(id, deploy(id).get("checks").asInt() + 1);
        }
        JsonNode done = deploy(id);
        assertThat(done.get("status").asString()).isEqualTo("healthy");
        assertThat(done.get("triggers")).isEmpty();
        assertThat(rewind.cards()).as("no card").isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rewind.slack().posted())
                .as("guard: {announce: true} says the clean end in the channel").singleElement()
                .satisfies(post -> assertThat(post.get("text")).startsWith(":white_check_mark: Deploy guard: checkout r3 healthy: "
                        + "no rule held in")));
    }

    @Test
    void aWindowWithoutASingleNumberEndsUnjudgedAndSaysSoNotHealthy() throws Exception {
        start("    guard: {window: 20s, interval: 5s}", BASELINE_RULES);
        rewind.prometheus().fails("errors", "query processing would load too many samples");
        String id = postDeploy("checkout", "r3").get("id").asString();
        for (int i = 0; i < 6 && deploy(id).get("status").asString().equals("watching"); i++) {
            stepUntilChecks(id, deploy(id).get("checks").asInt() + 1);
        }
        JsonNode done = deploy(id);
        assertThat(done.get("status").asString()).as("a pipeline must not read this as a clean release").isEqualTo("unjudged");
        assertThat(done.get("judgedChecks").asInt()).isZero();
        assertThat(done.get("triggers")).isEmpty();
        assertThat(done.get("note").asString()).contains("r3 was not judged: none of its").contains("is Prometheus reachable");
        assertThat(rewind.cards()).as("no card: nothing held").isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rewind.slack().posted())
                .as("the channel is told even without guard.announce").singleElement()
                .satisfies(post -> assertThat(post.get("text")).startsWith(":warning: Deploy guard: checkout r3 was not judged")));
    }

    @Test
    void theApiNeedsItsTokenAndNamesTheClosestServices() throws Exception {
        start("", BASELINE_RULES);
        assertThat(send("POST", "/api/v1/deploys", "{\"service\":\"checkout\",\"revision\":\"r3\"}", null).statusCode())
                .isEqualTo(401);
        assertThat(send("POST", "/api/v1/deploys", "{\"service\":\"checkout\",\"revision\":\"r3\"}", "Bearer nope")
                .statusCode()).isEqualTo(401);
        HttpResponse<String> unknown = send("POST", "/api/v1/deploys", "{\"service\":\"chekout\",\"revision\":\"r3\"}",
                "Bearer " + API_TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("closest").toString()).contains("checkout");
        HttpResponse<String> noRevision = send("POST", "/api/v1/deploys", "{\"service\":\"checkout\"}", "Bearer " + API_TOKEN);
        assertThat(noRevision.statusCode()).isEqualTo(400);
        assertThat(noRevision.body()).contains("'revision' is required");
        assertThat(send("POST", "/api/v1/deploys", "not json", "Bearer " + API_TOKEN).statusCode()).isEqualTo(400);
        assertThat(send("GET", "/api/v1/deploys/dg-nothing", null, "Bearer " + API_TOKEN).statusCode()).isEqualTo(404);

        // A service without guard: is still guarded when a pipeline posts its deploy, with the default window.
        JsonNode posted = postDeploy("checkout", "r3");
        assertThat(posted.get("status").asString()).isEqualTo("watching");
        assertThat(java.time.Duration.between(java.time.Instant.parse(posted.get("startedAt").asString()),
                java.time.Instant.parse(posted.get("endsAt").asString()))).isEqualTo(Duration.ofMinutes(30));
        assertThat(postDeploy("checkout", "r3").get("id").asString()).as("the same deploy twice: one guard")
                .isEqualTo(posted.get("id").asString());
    }

    @Test
    void aRestartMidWindowCarriesTheGuardOnWithWhatItHadSeen() throws Exception {
        start("    guard: {window: 30m, interval: 5s}",
                "      - name: sustained errors",
                "        when: {signal: errorRate, above: 2%, for: 10s}",
                "        action: notify");
        String id = postDeploy("checkout", "r3").get("id").asString();
        rewind.prometheus().returns("errors", 0.08);
        int checks = stepUntilChecks(id, 2);
        rewind.restart();
        assertThat(deploy(id).get("status").asString()).isEqualTo("watching");
        stepUntilChecks(id, checks + 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> deploy(id).get("status").asString(), "degraded"::equals);
        assertThat(rewind.cards()).hasSize(1);
        assertThat(latestAll().size()).as("no second guard after the restart").isEqualTo(1);
    }

    /** Moves the clock one interval at a time until the guard has made {@code checks} evaluations. */
    private int stepUntilChecks(String id, int checks) {
        for (int i = 0; i < 20 && deploy(id).get("checks").asInt() < checks && deploy(id).get("status").asString().equals("watching"); i++) {
            rewind.clock().advance(Duration.ofSeconds(5));
            int before = deploy(id).get("checks").asInt();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> deploy(id).get("checks").asInt() > before
                    || !deploy(id).get("status").asString().equals("watching"));
        }
        return deploy(id).get("checks").asInt();
    }

    private JsonNode postDeploy(String service, String revision) throws Exception {
        HttpResponse<String> response = send("POST", "/api/v1/deploys", "{\"service\":\"" + service + "\",\"revision\":\""
                + revision + "\",\"by\":\"ci\",\"url\":\"https://ci.example.com/run/7\"}", "Bearer " + API_TOKEN);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return JSON.readTree(response.body());
    }

    private JsonNode deploy(String id) {
        try {
            HttpResponse<String> response = send("GET", "/api/v1/deploys/" + id, null, "Bearer " + API_TOKEN);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<JsonNode> latestAll() throws Exception {
        JsonNode list = JSON.readTree(send("GET", "/api/v1/deploys?service=checkout", null, "Bearer " + API_TOKEN).body());
        List<JsonNode> all = new java.util.ArrayList<>();
        list.get("deploys").forEach(all::add);
        return all;
    }

    private JsonNode latest(String label) throws Exception {
        return latestAll().stream().filter(d -> d.get("revision").asString().equals(label)).findFirst().orElse(null);
    }

    private HttpResponse<String> send(String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(rewind.url(path)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String runIdOf(SlackStub.Post card) {
        Matcher matcher = Pattern.compile("\"value\":\"(rb-[0-9a-z]{10})").matcher(card.form().get("blocks"));
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }
}
