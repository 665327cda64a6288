package dev.rewind.rollback;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.rewind.slack.ActionIds;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SlackStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Recovery you can trust: a rollback whose service is still failing afterwards ends NOT_RECOVERED, says so plainly,
 * calls the on-call group and offers the next move; a critical path that answers 500 keeps a run from "recovering"
 * even with good numbers.
 */
class RecoveryIT {

    private final WireMockServer shop = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private RewindFixture rewind;

    @AfterEach
    void stop() {
        if (rewind != null) {
            rewind.close();
        }
        shop.stop();
    }

    private void start() throws IOException {
        start("");
    }

    private void start(String job) throws IOException {
        shop.start();
        rewind = RewindFixture.builder().catalogue(String.join("\n",
                "services:",
                "  - name: checkout",
                "    channel: " + CHANNEL,
                "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                "    signals: {errorRate: 'errors'}",
                "    approvers: [" + ALICE + "]",
                "    oncall: S0ONCALL",
                "    probes:",
                "      - {name: login, url: '" + shop.baseUrl() + "/login', expect: 200, timeout: 2s}",
                "    verification: {checks: 2, interval: 0s, probes: [login]" + job + "}",
                "  - name: cart",
                "    channel: C0CART",
                "    target: {type: kubernetes-deployment, namespace: shop, deployment: cart}",
                "    approvers: [" + ALICE + "]",
                "")).build();
    }

    private String rollBack() {
        Map<String, String> card = rewind.cardFor(ALICE, "checkout");
        String ts = rewind.cards().get(0).ts();
        rewind.signed().click(ALICE, CHANNEL, ts, ActionIds.ROLL_BACK, RewindFixture.buttonValue(card.get("blocks"),
                ActionIds.ROLL_BACK));
        return ts;
    }

    @Test
    void aServiceStillFailingAfterTheRollbackIsNotRecoveredAndTheOnCallIsCalled() throws IOException {
        start();
        shop.stubFor(get(urlEqualTo("/login")).willReturn(aResponse().withStatus(200).withBody("ok")));
        rewind.prometheus().returns("errors", 0.18).before(0.004);

        String ts = rollBack();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.latestCardText(ts))
                .contains(":rotating_light: *Not recovered.* Rolled back to r2, but error rate still 18.0% (ceiling 1.0%, "
                        + "baseline 0.4%): the deploy may not be the cause. <!subteam^S0ONCALL>, please look")
                .contains("Retry"));
        String blocks = rewind.slack().updates().stream().filter(u -> ts.equals(u.get("ts"))).reduce((a, b) -> b)
                .orElseThrow().get("blocks");
        assertThat(blocks).as("the next move is offered").contains(ActionIds.RETRY);
        assertThat(rewind.kubernetes().image("shop", "checkout")).as("the change is kept").isEqualTo("shop/checkout:1.4.1");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().posted())
                .as("the incident room hears it with the on-call mention")
                .anyMatch(p -> p.getOrDefault("text", "").contains("Not recovered") && p.get("text").contains("<!subteam^S0ONCALL>")));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.get("/metrics").body())
                .contains("outcome=\"not_recovered\""));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(ts))
                .as("the next question answered: what else changed").contains("What else changed in the last hour: cart r2 "
                        + "(shop/cart:2.1.0)"));
    }

    @Test
    void aSmokeTestJobThatFailsKeepsARunFromRecoveringDespiteGoodNumbers() throws IOException {
        start(", job: {image: 'shop/smoke:1', command: [./smoke.sh], timeout: 20s}");
        shop.stubFor(get(urlEqualTo("/login")).willReturn(aResponse().withStatus(200).withBody("ok")));
        rewind.prometheus().returns("errors", 0.002).before(0.004);
        rewind.kubernetes().jobFails("smoke.sh", "checkout: 3 of 12 smoke checks failed");

        String ts = rollBack();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.latestCardText(ts))
                .containsPattern("\\*Not recovered\\.\\* Rolled back to r2, but smoke test rewind-smoke-[0-9a-z]{10} failed: "
                        + "1 pod failed"));
        var job = rewind.kubernetes().jobs("shop").stream().filter(j -> j.getMetadata().getName().startsWith("rewind-smoke-"))
                .findFirst().orElseThrow();
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("shop/smoke:1");
        assertThat(job.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "rewind");
    }

    @Test
    void aSmokeTestJobThatSucceedsCompletesTheRecovery() throws IOException {
        start(", job: {image: 'shop/smoke:1', command: [./smoke.sh]}");
        shop.stubFor(get(urlEqualTo("/login")).willReturn(aResponse().withStatus(200).withBody("ok")));
        rewind.prometheus().returns("errors", 0.002).before(0.004);

        String ts = rollBack();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.latestCardText(ts))
                .containsPattern("smoke test rewind-smoke-[0-9a-z]{10} passed").contains("done"));
    }

    @Test
    void aProbeAnswering500KeepsARunFromRecoveringDespiteGoodNumbers() throws IOException {
        start();
        shop.stubFor(get(urlEqualTo("/login")).willReturn(aResponse().withStatus(500).withBody("boom")));
        rewind.prometheus().returns("errors", 0.002).before(0.004);

        String ts = rollBack();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.latestCardText(ts))
                .contains("*Not recovered.* Rolled back to r2, but login 500 in").contains("(expected 200)"));
    }

    @Test
    void goodNumbersAndAnAnsweringProbeRecoverAndTheCardSaysWhatWasChecked() throws IOException {
        start();
        shop.stubFor(get(urlEqualTo("/login")).willReturn(aResponse().withStatus(200).withBody("ok")));
        rewind.prometheus().returns("errors", 0.002).before(0.004);

        String ts = rollBack();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.latestCardText(ts))
                .contains("Rolled back to r2").contains("Check 2/2 passed").contains("error rate 0.2%; login 200 in"));
        assertThat(SlackStub.readable(rewind.cards().get(0).form())).doesNotContain("Not recovered");
    }
}
