package dev.rewind.alerts;

import dev.rewind.slack.ActionIds;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SlackStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One incident, one card that stays true: an alert and a command for the same service share one card, the card's
 * numbers move with Prometheus, an alert storm costs one re-assessment, and a rollback finished on one card closes
 * the service's other undecided cards.
 */
class OneCardPerIncidentIT {

    private final HttpClient http = HttpClient.newHttpClient();
    private RewindFixture rewind;

    @AfterEach
    void stop() {
        if (rewind != null) {
            rewind.close();
        }
    }

    private void start() throws IOException {
        rewind = RewindFixture.start();
        rewind.prometheus().returns("errors", 0.058).before(0.004);
        rewind.prometheus().returns("latency", 0.3).before(0.25);
    }

    @Test
    void anAlertThenACommandGiveOneCardAndThePersonALinkToIt() throws Exception {
        start();
        assertThat(alert("firing", "CheckoutErrors").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(rewind.cards()).as("the alert's card").hasSize(1));
        SlackStub.Post card = rewind.cards().get(0);

        rewind.signed().command(ALICE, CHANNEL, "checkout payments are failing");

        String answer = rewind.privateAnswer("already has");
        assertThat(answer).contains("<https://t.slack.com/archives/" + CHANNEL + "/p" + card.ts()
                + "|the open card>").contains("awaiting a decision; I re-assessed it and noted your request there");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(rewind.latestCardText(card.ts()))
                .as("the card notes who asked again").contains("Asked again by /rollback by <@U0ALICE>: payments are failing"));
        assertThat(rewind.cards()).as("still one card").hasSize(1);
    }

    @Test
    void aSecondCommandReassessesTheSameCardWhoseNumbersMoveAndTakesTheRevisionAskedFor() throws Exception {
        start();
        Map<String, String> first = rewind.cardFor(ALICE, "checkout");
        String ts = rewind.cards().get(0).ts();
        assertThat(SlackStub.readable(first)).contains("5.8%").contains("Roll back to r2");

        rewind.prometheus().returns("errors", 0.62).before(0.004);
        rewind.clock().advance(Duration.ofSeconds(20));
        rewind.signed().command(ALICE, CHANNEL, "checkout to r1");

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(rewind.latestCardText(ts))
                .contains("62.0%").contains("Roll back to r1").containsPattern("Re-assessed: tier [A-Z]+ → IMMEDIATE \\(error rate 62\\.0%\\)")
                .contains("numbers as of"));
        assertThat(rewind.cards()).as("one card, redrawn").hasSize(1);
        assertThat(rewind.privateAnswer("already has")).contains("run `");
    }

    @Test
    void aCardInAHurryRereadsItsNumbersEveryMinuteByItself() throws Exception {
        start();
        rewind.prometheus().returns("errors", 0.2).before(0.004);
        rewind.cardFor(ALICE, "checkout");
        String ts = rewind.cards().get(0).ts();
        assertThat(rewind.latestCardText(ts)).contains("FAST").contains("20.0%");

        rewind.prometheus().returns("errors", 0.7).before(0.004);
        rewind.clock().advance(Duration.ofSeconds(61));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(ts))
                .as("the FAST card a minute later, nobody having asked").contains("70.0%")
                .contains("Re-assessed: tier FAST → IMMEDIATE (error rate 70.0%)"));
    }

    @Test
    void anAlertStormCostsOneReassessmentPerFifteenSeconds() throws Exception {
        start();
        alert("firing", "CheckoutErrors");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(rewind.cards()).hasSize(1));
        String ts = rewind.cards().get(0).ts();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(rewind.slack().updates()).isNotEmpty());

        // Fresh numbers: 20 more alerts within the 15 s re-read nothing.
        int before = rewind.prometheus().queries();
        for (int i = 0; i < 20; i++) {
            alert("firing", "CheckoutErrors" + i);
        }
        awaitAlertsHandled(ts, "CheckoutErrors19");
        assertThat(rewind.prometheus().queries()).as("queries during a storm on fresh numbers").isEqualTo(before);

        // Older than 15 s: the next 20 alerts re-assess once, not 20 times.
        rewind.prometheus().returns("errors", 0.2).before(0.004);
        rewind.clock().advance(Duration.ofSeconds(16));
        for (int i = 20; i < 40; i++) {
            alert("firing", "CheckoutErrors" + i);
        }
        awaitAlertsHandled(ts, "CheckoutErrors39");
        int spent = rewind.prometheus().queries() - before;
        assertThat(spent).as("Prometheus queries for 20 alerts after 15 s: one assessment (2 signals, now and baseline)")
                .isPositive().isLessThanOrEqualTo(4);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(rewind.latestCardText(ts)).contains("20.0%"));
        assertThat(rewind.cards()).hasSize(1);
    }

    @Test
    void aRollbackFinishedOnOneCardClosesTheOtherAndTheNextCardNamesThePreviousOne() throws Exception {
        start();
        rewind.cardFor(ALICE, "checkout --dry-run");
        String dryTs = rewind.cards().get(0).ts();
        Map<String, String> real = rewind.cardFor(ALICE, "checkout");
        String realTs = rewind.cards().get(1).ts();
        String value = RewindFixture.buttonValue(real.get("blocks"), ActionIds.ROLL_BACK);
        String runId = ActionIds.runId(value);

        rewind.prometheus().returns("errors", 0.004).before(0.004);
        rewind.signed().click(ALICE, CHANNEL, realTs, ActionIds.ROLL_BACK, value);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.latestCardText(dryTs))
                .as("the dry-run card, once the real rollback is verified; the real card: %s", rewind.latestCardText(realTs))
                .contains("Closed: Rolled back to r2 by <@U0ALICE> in run " + runId + ", verified at")
                .doesNotContain("Roll back to r2"));
        assertThat(rewind.slack().updates().stream().filter(u -> dryTs.equals(u.get("ts"))).reduce((a, b) -> b)
                .orElseThrow().get("blocks")).as("no buttons left on the closed card").doesNotContain("\"type\":\"button\"");

        Map<String, String> next = rewind.cardFor(ALICE, "checkout");
        assertThat(SlackStub.readable(next)).contains("Previous card of checkout: run " + runId + ", succeeded at");
    }

    @Test
    void aCriticalLabelRaisesTheTierToFastAndSaysSoButNeverToImmediate() throws Exception {
        start();
        rewind.prometheus().returns("errors", 0.03).before(0.004);
        String body = AlertsIT.payload("firing", Map.of("alertname", "CheckoutDown", "service", "checkout", "severity", "critical"));
        http.send(HttpRequest.newBuilder(URI.create(rewind.url("/alerts/alertmanager"))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(rewind.cards()).hasSize(1));
        assertThat(SlackStub.readable(rewind.cards().get(0).form())).contains("FAST")
                .contains("tier raised to FAST by alert label severity=critical").doesNotContain("IMMEDIATE");
    }

    private void awaitAlertsHandled(String ts, String lastAlert) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(ts))
                .as("the card lists the last alert").contains(lastAlert));
    }

    private HttpResponse<String> alert(String status, String name) throws Exception {
        String body = AlertsIT.payload(status, Map.of("alertname", name, "service", "checkout", "severity", "warning"));
        return http.send(HttpRequest.newBuilder(URI.create(rewind.url("/alerts/alertmanager")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
