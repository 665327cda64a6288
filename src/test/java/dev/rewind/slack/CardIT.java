package dev.rewind.slack;

import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SlackStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.BOB;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The assessment card's behaviours: monitor, dismiss with a reason, status, the picker, honest gaps. */
class CardIT {

    private RewindFixture rewind;
    private Map<String, String> card;
    private String ts;

    @BeforeEach
    void start() throws Exception {
        rewind = RewindFixture.start();
        rewind.slack().groupMembers("S0SRE", BOB);
        rewind.prometheus().returns("errors", 0.02).before(0.01);
        rewind.prometheus().returns("latency", 0.3).before(0.3);
    }

    @AfterEach
    void stop() {
        rewind.close();
    }

    private void openCard(String text) {
        card = rewind.cardFor(ALICE, text);
        List<SlackStub.Post> posts = rewind.slack().postedWithTs();
        ts = posts.get(posts.size() - 1).ts();
    }

    private String runId() {
        Matcher matcher = Pattern.compile("\"value\":\"(rb-[0-9a-z]{10})").matcher(card.get("blocks"));
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }

    private String lastEphemeral() {
        List<String> texts = rewind.slack().ephemeralTexts();
        return texts.isEmpty() ? "" : texts.get(texts.size() - 1);
    }

    @Test
    void monitorReassessesLaterAndTheSameCardShowsTheNewTier() {
        openCard("checkout");
        assertThat(SlackStub.readable(card)).contains("MONITOR");

        rewind.signed().choose(BOB, CHANNEL, ts, ActionIds.MONITOR, ActionIds.value(runId(), "5"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(lastEphemeral()).as("the last private answer")
                .contains("re-assess checkout in 5m"));

        rewind.prometheus().returns("errors", 0.31);
        rewind.clock().advance(Duration.ofMinutes(6));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(ts)).as("the card as last drawn")
                .contains("FAST: Roll back soon"));
        assertThat(rewind.latestCardText(ts)).contains("error rate 31.0%");
        assertThat(rewind.slack().posted()).as("updated in place, no new card").hasSize(1);
    }

    @Test
    void dismissWithAReasonOpensAModalAndRecordsTheReason() {
        openCard("checkout");
        rewind.signed().choose(BOB, CHANNEL, ts, ActionIds.MONITOR, ActionIds.value(runId(), "dismiss"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().calls("views.open"))
                .as("views.open calls").isNotEmpty());
        String view = rewind.slack().calls("views.open").get(0).get("view");
        assertThat(view).contains(runId()).contains(ActionIds.DISMISS_MODAL);
        assertThat(rewind.slack().calls("views.open").get(0).get("trigger_id")).isEqualTo("1337.42.abcd");

        ObjectNode submission = JsonMapper.builder().build().createObjectNode();
        submission.put("type", "view_submission");
        submission.putObject("team").put("id", "T0TEAM").put("domain", "acme");
        submission.putObject("user").put("id", BOB).put("username", "bob").put("team_id", "T0TEAM");
        submission.put("api_app_id", "A0REWIND").put("token", "t").put("trigger_id", "1.2.3");
        ObjectNode modal = submission.putObject("view");
        modal.put("id", "V1").put("team_id", "T0TEAM").put("type", "modal").put("callback_id", ActionIds.DISMISS_MODAL)
                .put("private_metadata", runId()).put("hash", "h");
        modal.putObject("title").put("type", "plain_text").put("text", "Dismiss");
        modal.putObject("state").putObject("values").putObject(ActionIds.DISMISS_REASON_BLOCK)
                .putObject(ActionIds.DISMISS_REASON_INPUT).put("type", "plain_text_input").put("value", "false alarm: load test");
        assertThat(rewind.signed().interaction(submission).statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(ts))
                .as("the card as last drawn").contains("Dismissed by <@U0BOB>: false alarm: load test"));
    }

    @Test
    void statusShowsTheLatestAssessmentAndRunPrivately() {
        openCard("checkout");
        rewind.signed().command(ALICE, CHANNEL, "checkout status");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(lastEphemeral()).as("the last private answer")
                .contains("latest run"));
        assertThat(lastEphemeral()).contains("`" + runId() + "`").contains("Tier MONITOR").contains("Current r3");
        rewind.signed().command(ALICE, CHANNEL, "cart status");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(lastEphemeral()).as("the last private answer")
                .contains("No assessment or rollback of *cart* yet"));
    }

    @Test
    void pickingARevisionRedrawsTheCardAndWarnsAboutOldOnes() throws Exception {
        rewind.close();
        rewind = RewindFixture.builder().emptyCluster().build();
        rewind.slack().groupMembers("S0SRE", BOB);
        rewind.kubernetes().deployment("shop", "checkout", 2, "shop/checkout:1.0", "shop/checkout:1.1",
                "shop/checkout:1.2", "shop/checkout:1.3", "shop/checkout:1.4");
        rewind.prometheus().returns("errors", 0.02).before(0.01);
        openCard("checkout");
        assertThat(SlackStub.readable(card)).contains("Roll back to r4");
        String r1 = Pattern.compile("\"value\":\"(rb-[0-9a-z]{10}\\|checkout-[0-9a-f]+)\"[^}]*?\"text\":\\{[^}]*\"text\":\"r1")
                .matcher(card.get("blocks")).results().map(m -> m.group(1)).findFirst().orElseGet(() -> {
                    Matcher any = Pattern.compile("\\{\"text\":\\{\"type\":\"plain_text\",\"text\":\"r1[^\"]*\"[^}]*},\"value\":\"([^\"]+)\"")
                            .matcher(card.get("blocks"));
                    assertThat(any.find()).as("r1 in the picker").isTrue();
                    return any.group(1);
                });

        rewind.signed().choose(BOB, CHANNEL, ts, ActionIds.PICK_REVISION, r1);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(ts)).as("the card as last drawn")
                .contains("Roll back to r1"));
        assertThat(rewind.latestCardText(ts)).contains("r1 is 4 deploys older than r5");
    }

    @Test
    void prometheusErrorsAndSlownessAreShownHonestly() {
        rewind.prometheus().fails("errors", "parse error at char 7: unexpected identifier");
        rewind.prometheus().delay(Duration.ofMillis(2500));
        openCard("checkout");
        String text = SlackStub.readable(card);
        assertThat(text).contains("Prometheus unreachable: no answer within 2000 ms");
        assertThat(text).contains("Roll back to r2");
    }

    @Test
    void aQueryErrorIsQuotedInPrometheusOwnWords() {
        rewind.prometheus().fails("errors", "parse error at char 7: unexpected identifier");
        openCard("checkout");
        assertThat(SlackStub.readable(card)).contains("query error: parse error at char 7: unexpected identifier");
    }

    @Test
    void theAckComesBeforeAnySlowWork() {
        rewind.prometheus().delay(Duration.ofMillis(1500));
        long start = System.nanoTime();
        var ack = rewind.signed().command(ALICE, CHANNEL, "checkout");
        long ackMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(ack.statusCode()).isEqualTo(200);
        assertThat(ackMillis).as("the ack does not wait for Prometheus").isLessThan(1500);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().posted()).as("messages posted").isNotEmpty());
    }

    @Test
    void aCardThatHadToWaitAndIsThenRefusedInItsChannelLandsInTheServiceChannel() {
        rewind.slack().beFlaky("chat.postMessage");
        rewind.signed().command(RewindFixture.ALICE, "C0ELSEWHERE", "checkout");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().failuresServed())
                .as("failures Slack served").isGreaterThan(0));
        // The bot was removed from the channel while Slack was having a bad minute.
        rewind.slack().failFor("chat.postMessage", "C0ELSEWHERE", "not_in_channel");
        rewind.slack().recover();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.cards()).as("cards, one in the service channel")
                .anyMatch(post -> post.form().get("channel").equals(RewindFixture.CHANNEL)));
        String ts = rewind.cards().stream().filter(post -> post.form().get("channel").equals(RewindFixture.CHANNEL))
                .findFirst().orElseThrow().ts();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(ts))
                .contains("could not be posted in <#C0ELSEWHERE> (chat.postMessage: not_in_channel)"));
    }
}
