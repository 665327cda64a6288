package dev.rewind.readiness;

import dev.rewind.testing.RewindFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static dev.rewind.testing.RewindFixture.MALLORY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /rollback ready <service>} and {@code GET /api/v1/services/{name}/readiness} against the fabric8 mock
 * cluster, WireMock Slack and Prometheus: a service that can be rolled back, and each classic trap with its fix.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceReadinessIT {

    private static final String API_TOKEN = "readiness-api-token";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String CATALOGUE = RewindFixture.CATALOGUE + String.join("\n",
            "  - name: legacy",
            "    channel: C0LEGACY",
            "    target: {type: kubernetes-deployment, namespace: shop, deployment: legacy}",
            "    approvers: [" + ALICE + "]",
            "  - name: worker",
            "    channel: C0WORKER",
            "    target: {type: kubernetes-deployment, namespace: jobs, deployment: worker}",
            "    approvers: [S0NOBODY]",
            "    viewers: [" + ALICE + "]",
            "");

    private final HttpClient http = HttpClient.newHttpClient();
    private RewindFixture rewind;

    @BeforeAll
    void start() throws IOException {
        rewind = RewindFixture.builder().catalogue(CATALOGUE).env("REWIND_API_TOKEN", API_TOKEN).build();
        rewind.slack().groupMembers("S0SRE", "U0BOB", "U0CAROL");
        rewind.prometheus().returns("errors", 0.004);
        rewind.prometheus().returns("latency", 0.21);
        rewind.kubernetes().deployment("shop", "legacy", 2, "shop/legacy:1.0", "shop/legacy:1.1");
        rewind.kubernetes().client().apps().deployments().inNamespace("shop").withName("legacy")
                .edit(d -> {
                    d.getSpec().setRevisionHistoryLimit(0);
                    return d;
                });
        // Two releases of one image: only the environment differs.
        rewind.kubernetes().deployment("jobs", "worker", 1, "jobs/worker:7", "jobs/worker:7");
    }

    @AfterAll
    void stop() {
        rewind.close();
    }

    @Test
    void aServiceThatCanBeRolledBackSaysSoCheckByCheck() {
        rewind.signed().command(ALICE, CHANNEL, "ready checkout");

        String answer = rewind.privateAnswer("*checkout* can be rolled back");
        assertThat(answer)
                .contains(":white_check_mark: *Previous revision*: r2 (shop/checkout:1.4.1) differs from the live r3 "
                        + "(shop/checkout:1.4.2)")
                .contains(":white_check_mark: *Kubernetes permissions*: may get deployments.apps in shop, patch "
                        + "deployments.apps in shop, watch deployments.apps in shop, list replicasets.apps in shop, list pods in shop")
                .contains(":white_check_mark: *Approvers*: 3 approvers for 1 approval")
                .contains(":white_check_mark: *Incident channel*: the bot may create channels (channels:manage)")
                .contains(":white_check_mark: *Signal errorRate*: Prometheus answers: 0.4")
                .contains(":white_check_mark: *Signal latencyP99*: Prometheus answers")
                .doesNotContain(":x:");
        assertThat(rewind.cards()).as("readiness changes nothing and posts no card").isEmpty();
    }

    @Test
    void aZeroRevisionHistoryLimitIsCaughtWithItsFix() {
        rewind.signed().command(ALICE, CHANNEL, "ready legacy");

        String answer = rewind.privateAnswer("*legacy* is not ready to roll back");
        assertThat(answer).contains(":x: *Revision history*: Deployment shop/legacy has revisionHistoryLimit: 0: no previous "
                        + "revision will exist after the next deploy")
                .contains("Fix: set revisionHistoryLimit to 10")
                .contains(":warning: *Signals*: no signals");
    }

    @Test
    void aPreviousReleaseOfTheSameImageAndAnApproverGroupNobodyIsInAreFlagged() {
        rewind.signed().command(ALICE, CHANNEL, "ready worker");

        String answer = rewind.privateAnswer("*worker* is not ready to roll back");
        assertThat(answer).contains(":warning: *Previous revision*: r1 runs the same image as the live r2 (jobs/worker:7): "
                        + "only its settings differ")
                .contains(":x: *Approvers*: user group S0NOBODY has no members Rewind can see, and 1 approval is needed")
                .contains("usergroups:read");
    }

    @Test
    void theApiAnswersTheSameAsJson() throws Exception {
        HttpResponse<String> response = get("/api/v1/services/checkout/readiness", "Bearer " + API_TOKEN);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("service").asString()).isEqualTo("checkout");
        assertThat(body.path("ready").asBoolean()).isTrue();
        assertThat(body.path("checks").get(0).path("name").asString()).isEqualTo("Previous revision");
        assertThat(body.path("checks").get(0).path("status").asString()).isEqualTo("ok");

        JsonNode legacy = JSON.readTree(get("/api/v1/services/legacy/readiness", "Bearer " + API_TOKEN).body());
        assertThat(legacy.path("ready").asBoolean()).isFalse();
        assertThat(legacy.findValues("fix").stream().map(JsonNode::asString)).contains("set revisionHistoryLimit to 10");
    }

    @Test
    void theApiNeedsItsTokenAndNamesTheClosestServices() throws Exception {
        assertThat(get("/api/v1/services/checkout/readiness", null).statusCode()).isEqualTo(401);

        HttpResponse<String> unknown = get("/api/v1/services/chekout/readiness", "Bearer " + API_TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).path("closest").get(0).asString()).isEqualTo("checkout");
    }

    @Test
    void someoneWithoutARoleIsRefusedAndUnknownServicesAreNamed() {
        rewind.signed().command(MALLORY, CHANNEL, "ready checkout");
        assertThat(rewind.privateAnswer("You may not check the readiness of checkout")).contains("Only approvers of checkout");

        assertThat(rewind.signed().command(ALICE, CHANNEL, "ready chekout").body()).contains("Did you mean `checkout`");
        assertThat(rewind.signed().command(ALICE, CHANNEL, "ready").body())
                .contains("`/rollback ready` takes one service");
    }

    @Test
    void aMissingVerbAMissingScopeAndPrometheusDownAreEachNamed() throws IOException {
        try (RewindFixture locked = RewindFixture.builder().slack(slack -> slack.scopes("commands,chat:write")).build()) {
            locked.kubernetes().deny("patch", "deployments");
            locked.prometheus().fails("errors", "query timed out");
            locked.prometheus().returns("latency", 0.2);

            locked.signed().command(ALICE, CHANNEL, "ready checkout");

            String answer = locked.privateAnswer("*checkout* is not ready to roll back: 3 problems");
            assertThat(answer)
                    .contains(":x: *Kubernetes permissions*: Rewind may not patch deployments.apps in shop")
                    .contains("Fix: the ServiceAccount may not patch deployments in shop: add it to the Role")
                    .contains(":x: *Incident channel*: the bot token lacks the channels:manage scope")
                    .contains(":x: *Signal errorRate*: could not be read");
        }
    }

    @Test
    void everyKubernetesAdapterHasItsVerbsReviewedAndADeniedOneIsNamed() throws IOException {
        try (RewindFixture locked = RewindFixture.builder().catalogue(RewindFixture.CATALOGUE + String.join("\n",
                "  - name: storefront",
                "    channel: C0STORE",
                "    target: {type: blue-green, namespace: shop, service: storefront, slotLabel: slot,",
                "             slots: {blue: storefront-blue, green: storefront-green}}",
                "    approvers: [" + ALICE + "]",
                "  - name: reviews",
                "    channel: C0REVIEWS",
                "    target: {type: istio-weights, namespace: shop, virtualService: reviews, stableSubset: stable, canarySubset: canary}",
                "    approvers: [" + ALICE + "]",
                "")).build()) {
            locked.kubernetes().deny("patch", "services");
            locked.kubernetes().deny("patch", "virtualservices");

            locked.signed().command(ALICE, CHANNEL, "ready storefront");
            assertThat(locked.privateAnswer("*storefront* is not ready"))
                    .contains(":x: *Kubernetes permissions*: Rewind may not patch services in shop");
            locked.signed().command(ALICE, CHANNEL, "ready reviews");
            assertThat(locked.privateAnswer("*reviews* is not ready"))
                    .contains(":x: *Kubernetes permissions*: Rewind may not patch virtualservices.networking.istio.io in shop");
        }
    }

    @Test
    void aProbeThatDoesNotAnswerAsExpectedIsAProblemWithItsAnswer() throws IOException {
        com.github.tomakehurst.wiremock.WireMockServer shop = new com.github.tomakehurst.wiremock.WireMockServer(
                com.github.tomakehurst.wiremock.core.WireMockConfiguration.options().dynamicPort());
        shop.start();
        shop.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/login").willReturn(
                com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(503)));
        String catalogue = RewindFixture.CATALOGUE.replace("    verification: {checks: 1, interval: 0s}",
                "    probes: [{name: login, url: '" + shop.baseUrl() + "/login'}]\n    verification: {checks: 1, interval: 0s}");
        assertThat(catalogue).contains("name: login");
        try (RewindFixture probed = RewindFixture.builder().catalogue(catalogue).build()) {
            probed.prometheus().returns("errors", 0.004);
            probed.prometheus().returns("latency", 0.2);

            probed.signed().command(ALICE, CHANNEL, "ready checkout");

            assertThat(probed.privateAnswer("*checkout* is not ready to roll back")).contains(":x: *Probe login*: login 503 in ")
                    .contains("(expected 200)").contains("Fix: verification waits for this probe");
        } finally {
            shop.stop();
        }
    }

    @Test
    void anApiServerThatRefusesAccessReviewsIsCouldNotCheckNotDenied() throws IOException {
        try (RewindFixture lockedDown = RewindFixture.start()) {
            lockedDown.kubernetes().refuseAccessReviews();
            lockedDown.prometheus().returns("errors", 0.004);
            lockedDown.prometheus().returns("latency", 0.2);

            lockedDown.signed().command(ALICE, CHANNEL, "ready checkout");

            String answer = lockedDown.privateAnswer("*checkout* can be rolled back (1 could not be checked)");
            assertThat(answer).contains(":grey_question: *Kubernetes permissions*: could not check get deployments.apps in "
                    + "shop: the API server refused the access review");
        }
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(rewind.url(path))).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
