package dev.rewind.drill;

import dev.rewind.config.DurationText;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SlackStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Drills end to end on the fabric8 mock cluster: a real rollback of checkout's Deployment, then the restore to the
 * revision that ran before, through the engine, with the report posted to the service's channel.
 */
class DrillIT {

    private RewindFixture rewind;

    @AfterEach
    void stop() {
        if (rewind != null) {
            rewind.close();
        }
    }

    private void start(String environment, String drills, String... extra) throws Exception {
        rewind = RewindFixture.builder().catalogue(String.join("\n",
                "services:",
                "  - name: checkout",
                "    channel: " + CHANNEL,
                "    environment: " + environment,
                "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                "    signals: {errorRate: 'errors'}",
                "    approvers: [" + ALICE + "]",
                "    verification: {checks: 1, interval: 0s, watch: 0s}",
                "    cooldown: 5m",
                drills,
                String.join("\n", extra),
                "")).build();
        rewind.prometheus().returns("errors", 0.004).before(0.004);
    }

    private String report(String head) {
        await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> assertThat(messages()).as("messages posted")
                .anyMatch(t -> t.contains(head)));
        return messages().stream().filter(t -> t.contains(head)).findFirst().orElseThrow();
    }

    private List<String> messages() {
        return rewind.slack().posted().stream().map(m -> m.getOrDefault("text", "")).toList();
    }

    @Test
    void aDrillRollsBackForRealThenRestoresAndReportsEachTimeInOrder() throws Exception {
        start("staging", "    drills: {approvals: 0, recoveryTarget: 5m}");
        rewind.signed().command(ALICE, CHANNEL, "drill checkout");
        assertThat(rewind.privateAnswer("Drill `dr-")).contains("started").contains("Rewind restores r3");

        String report = report("Drill passed");
        assertThat(rewind.kubernetes().image("shop", "checkout")).as("restored").isEqualTo("shop/checkout:1.4.2");
        assertThat(messages()).as("one drill report").filteredOn(t -> t.contains("Drill passed")).hasSize(1);
        Matcher times = Pattern.compile("Times from the start: card (\\S+) · approval (\\S+) · traffic on the old version "
                + "(\\S+) · verified (\\S+) · restored (\\S+)").matcher(report);
        assertThat(times.find()).as(report).isTrue();
        List<Duration> each = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            each.add(DurationText.parse(times.group(i)));
        }
        assertThat(each).as("card ≤ approval ≤ traffic ≤ verified ≤ restored").isSorted();
        assertThat(report).contains("✅ Recovery").contains("(target 5m)").contains("✅ Decision")
                .contains("(FAST (rehearsed) deadline 30m)").contains("Slowest:");

        // Two cards, both marked DRILL; the rollback and the restore both in the audit chain.
        List<SlackStub.Post> cards = rewind.cards();
        assertThat(cards).hasSize(2);
        assertThat(rewind.latestCardText(cards.get(0).ts())).contains(":test_tube: DRILL by <@U0ALICE>").contains("r3 → r2");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rewind.latestCardText(cards.get(1).ts()))
                .contains("restoring r3").contains("done"));
        rewind.signed().command(ALICE, CHANNEL, "audit checkout");
        String audit = rewind.privateAnswer("Audit trail");
        assertThat(audit).contains("rollback requested").contains("by the drill, restoring the revision that ran before")
                .contains("cooldown and attempt limits skipped").contains("drill ended");
        assertThat(rewind.slack().calls("conversations.create")).as("the incident room is marked as a drill")
                .allSatisfy(call -> assertThat(call.get("name")).startsWith("drill-"));

        rewind.signed().command(ALICE, CHANNEL, "drills checkout");
        assertThat(rewind.privateAnswer("Latest drills")).contains(":white_check_mark: *checkout* · passed").contains("recovery");
        assertThat(rewind.get("/metrics").body()).contains("rewind_drills_total{result=\"passed\",service=\"checkout\"} 1.0")
                .contains("rewind_drill_recovery_seconds_count{service=\"checkout\"} 1");
    }

    @Test
    void productionRefusesDrillsUnlessAllowedAndSaysHowToAllowThem() throws Exception {
        start("production", "");
        rewind.signed().command(ALICE, CHANNEL, "drill checkout");
        assertThat(rewind.privateAnswer("No drill of")).contains("drills are not allowed in production")
                .contains("the default for production").contains("drills: {allowed: true}");
        assertThat(rewind.cards()).isEmpty();
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.2");
    }

    @Test
    void aDrillCardWaitsForItsApproversAndARealIncidentTakesPrecedence() throws Exception {
        start("staging", "");
        rewind.signed().command(ALICE, CHANNEL, "drill checkout");
        rewind.privateAnswer("Drill `dr-");
        await().atMost(Duration.ofSeconds(15)).until(() -> rewind.cards().size() == 1);
        SlackStub.Post drillCard = rewind.cards().get(0);
        assertThat(rewind.latestCardText(drillCard.ts())).contains(":test_tube: DRILL").contains("Roll back");

        Map<String, String> real = rewind.cardFor(ALICE, "checkout errors on checkout");
        assertThat(SlackStub.readable(real)).as("a real incident gets its own card").doesNotContain("DRILL");
        String stopped = report("Drill stopped");
        assertThat(stopped).contains("a real incident (run rb-").contains("takes precedence");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rewind.latestCardText(drillCard.ts()))
                .contains("takes precedence"));
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.2");

        rewind.signed().command(ALICE, CHANNEL, "drill checkout");
        assertThat(rewind.privateAnswer("No drill of")).contains("has an open card").contains("never runs while an incident");
    }

    @Test
    void aRestoreThatFailsSaysSoLoudlyAndHowToRestore() throws Exception {
        start("staging", "    drills: {approvals: 0}", "    timeout: 3s");
        rewind.kubernetes().breakImage("shop/checkout:1.4.2");
        rewind.signed().command(ALICE, CHANNEL, "drill checkout");
        String report = report("Drill restore FAILED");
        assertThat(report).contains("checkout is left on r2, not r3").contains("Retry").contains("/rollback checkout to r3");
        assertThat(rewind.kubernetes().image("shop", "checkout")).as("the restore's template is in, but its pods cannot pull the image")
                .isEqualTo("shop/checkout:1.4.2");
        rewind.signed().command(ALICE, CHANNEL, "drills");
        assertThat(rewind.privateAnswer("Latest drills")).contains(":rotating_light: *checkout* · restore failed");
    }

    @Test
    void aScheduledDrillRunsWhenTheClockReachesItsTime() throws Exception {
        start("staging", "    drills: {approvals: 0, schedule: \"0 3 * * *\"}");
        Thread.sleep(6_000);
        assertThat(rewind.cards()).as("not 03:00 UTC yet").isEmpty();
        ZonedDateTime now = rewind.clock().instant().atZone(ZoneOffset.UTC);
        ZonedDateTime three = now.withHour(3).withMinute(0).withSecond(0).withNano(0);
        if (!three.isAfter(now)) {
            three = three.plusDays(1);
        }
        rewind.clock().advance(Duration.between(now, three).plusSeconds(30));
        String report = report("Drill passed");
        assertThat(report).contains("by schedule");
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.2");
    }
}
