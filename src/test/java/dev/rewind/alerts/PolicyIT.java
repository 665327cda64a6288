package dev.rewind.alerts;

import dev.rewind.slack.ActionIds;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SlackStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Automatic-rollback policies: countdown and cancel, what an environment forbids, never twice for one deploy. */
class PolicyIT {

    private static final Map<String, String> ALERT = Map.of("alertname", "HighErrorRate", "service", "checkout");
    private RewindFixture rewind;

    @AfterEach
    void stop() {
        if (rewind != null) {
            rewind.close();
        }
    }

    private void start(String countdown, String extra) throws Exception {
        rewind = RewindFixture.builder().catalogue(String.join("\n",
                "services:",
                "  - name: checkout",
                "    channel: " + CHANNEL,
                "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                "    signals: {errorRate: 'errors'}",
                "    approvers: [" + ALICE + "]",
                "    verification: {checks: 1, interval: 0s}",
                "    cooldown: 0s",
                extra,
                "    policy:",
                "      - name: spike after deploy",
                "        when: {signal: errorRate, above: 5%, for: 2m, maxSinceDeploy: 1h}",
                "        action: auto",
                "        countdown: " + countdown,
                "")).env("ALERTMANAGER_TOKEN", "am-token").build();
        rewind.prometheus().returns("errors", 0.2).before(0.001);
        rewind.prometheus().returns("min_over_time((errors)[120s:15s])", 0.12);
    }

    private void fire(String status) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(rewind.url("/alerts/alertmanager"))).header("Authorization", "Bearer am-token")
                .POST(HttpRequest.BodyPublishers.ofString(
                        AlertsIT.payload(status, ALERT))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
    }

    private List<SlackStub.Post> cards() {
        return rewind.slack().postedWithTs().stream().filter(p -> p.form().containsKey("blocks")).toList();
    }

    private String runIdOf(SlackStub.Post card) {
        Matcher matcher = Pattern.compile("\"value\":\"(rb-[0-9a-z]{10})").matcher(card.form().get("blocks"));
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }

    @Test
    void anAutoRuleCountsDownOnTheCardThenRollsBackAsThePolicy() throws Exception {
        start("6s", "");
        fire("firing");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cards()).as("cards posted").hasSize(1));
        rewind.prometheus().returns("errors", 0.001);
        SlackStub.Post card = cards().get(0);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(card.ts())).as("the card as last drawn")
                .contains("Automatic rollback to r2"));
        assertThat(rewind.latestCardText(card.ts())).contains("Automatic rollback to r2 in 6s unless cancelled")
                .contains("errorRate 12.0% (&gt; 5.0%) for 2m").contains("Cancel automatic rollback");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.latestCardText(card.ts())).as("the card as last drawn")
                .contains("done"));
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.1");
        String report = rewind.get("/reports/" + runIdOf(card) + "?format=md").body();
        assertThat(report).contains("requested by the automatic-rollback policy").contains("**Approved by:** policy");
    }

    @Test
    void aRuleAgainstTheBaselineComparesWithTheCardsBaselineWhenAnAlertArrives() throws Exception {
        rewind = RewindFixture.builder().catalogue(String.join("\n",
                "services:",
                "  - name: checkout",
                "    channel: " + CHANNEL,
                "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                "    signals: {errorRate: 'errors'}",
                "    approvers: [" + ALICE + "]",
                "    policy:",
                "      - name: far above the last release",
                "        when: {signal: errorRate, aboveBaseline: 3x}",
                "        action: propose",
                "")).env("ALERTMANAGER_TOKEN", "am-token").build();
        rewind.prometheus().returns("errors", 0.03).before(0.004);
        fire("firing");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cards()).as("cards posted").hasSize(1));
        SlackStub.Post card = cards().get(0);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(card.ts()))
                .contains("Proposes rolling back to r2 (policy 'far above the last release': errorRate 3.0% vs 0.4% before r3 "
                        + "was deployed (&gt; 3x baseline))"));
    }

    @Test
    void cancellingTheCountdownStopsIt() throws Exception {
        start("30s", "");
        fire("firing");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cards()).as("cards posted").hasSize(1));
        SlackStub.Post card = cards().get(0);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(card.ts())).as("the card as last drawn")
                .contains("Cancel automatic rollback"));

        rewind.signed().click(ALICE, CHANNEL, card.ts(), ActionIds.CANCEL_AUTO, runIdOf(card));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(card.ts()))
                .as("the card as last drawn").contains("Automatic rollback cancelled by <@U0ALICE>"));
        rewind.clock().advance(Duration.ofMinutes(1));
        Thread.sleep(2_500);
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.2");
        assertThat(rewind.latestCardText(ts(card))).contains("Roll back to r2");
    }

    private static String ts(SlackStub.Post card) {
        return card.ts();
    }

    @Test
    void anEnvironmentThatForbidsAutomaticRollbackGetsAProposalInstead() throws Exception {
        start("2s", "    autoRollback: false");
        fire("firing");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cards()).as("cards posted").hasSize(1));
        SlackStub.Post card = cards().get(0);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(card.ts())).as("the card as last drawn")
                .contains("Proposes rolling back to r2"));
        assertThat(rewind.latestCardText(card.ts())).contains("automatic rollback is not allowed in production")
                .doesNotContain("Cancel automatic rollback");
        rewind.clock().advance(Duration.ofMinutes(1));
        Thread.sleep(2_500);
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.2");
    }

    @Test
    void thePolicyNeverRollsBackTheSameDeployTwice() throws Exception {
        start("1s", "");
        fire("firing");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cards()).as("cards posted").hasSize(1));
        rewind.prometheus().returns("errors", 0.001);
        SlackStub.Post first = cards().get(0);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.latestCardText(first.ts())).as("the card as last drawn")
                .contains("done"));
        fire("resolved");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(first.ts())).as("the card as last drawn")
                .contains("Alerts resolved"));

        rewind.kubernetes().client().apps().deployments().inNamespace("shop").withName("checkout").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("shop/checkout:1.4.2");
            d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().get(0).setValue("v2");
            return d;
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rewind.kubernetes().image("shop", "checkout"))
                .isEqualTo("shop/checkout:1.4.2"));
        Thread.sleep(500);
        fire("firing");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cards()).as("cards posted").hasSize(2));
        SlackStub.Post second = cards().get(1);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(second.ts()))
                .as("the card as last drawn").contains("the policy already rolled back this deploy once"));
        Thread.sleep(2_000);
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.2");
    }

    @Test
    void anUnauthenticatedAlertOnlyProposes() throws Exception {
        start("2s", "");
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(rewind.url("/alerts/alertmanager"))).POST(HttpRequest.BodyPublishers.ofString(
                        AlertsIT.payload("firing", ALERT))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("a token is configured").isEqualTo(401);
        rewind.close();
        rewind = RewindFixture.builder().catalogue(String.join("\n",
                "services:",
                "  - name: checkout",
                "    channel: " + CHANNEL,
                "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                "    signals: {errorRate: 'errors'}",
                "    approvers: [" + ALICE + "]",
                "    policy:",
                "      - {name: any alert, action: auto, countdown: 1s}",
                "")).build();
        rewind.prometheus().returns("errors", 0.2).before(0.001);
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(rewind.url("/alerts/alertmanager")))
                .POST(HttpRequest.BodyPublishers.ofString(AlertsIT.payload("firing", ALERT))).build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cards()).as("cards posted").hasSize(1));
        SlackStub.Post card = cards().get(0);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(card.ts()))
                .as("the card as last drawn").contains("without authentication, so a person decides"));
        Thread.sleep(2_500);
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.2");
    }
}
