package dev.rewind.rollback;

import dev.rewind.slack.ActionIds;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SlackStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.BOB;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The rollback engine through real signed HTTP: concurrency, approval policy, guardrails, dry runs, failures. */
class EngineIT {

    private static final String CAROL = "U0CAROL";
    private RewindFixture rewind;

    @AfterEach
    void stop() {
        if (rewind != null) {
            rewind.close();
        }
    }

    private static String catalogue(String extra) {
        return String.join("\n",
                "services:",
                "  - name: checkout",
                "    channel: " + CHANNEL,
                "    environment: production",
                "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                "    signals: {errorRate: 'errors'}",
                "    verification: {checks: 1, interval: 0s}",
                extra,
                "");
    }

    private void start(String extra) throws Exception {
        rewind = RewindFixture.builder().catalogue(catalogue(extra)).build();
        rewind.prometheus().returns("errors", 0.001).before(0.001);
    }

    private Card card(String user, String text) {
        Map<String, String> post = rewind.cardFor(user, text);
        List<SlackStub.Post> cards = rewind.cards();
        return new Card(post, cards.get(cards.size() - 1).ts());
    }

    private record Card(Map<String, String> post, String ts) {
        String value(String actionId) {
            return RewindFixture.buttonValue(post.get("blocks"), actionId);
        }

        String runId() {
            return ActionIds.runId(value(ActionIds.ROLL_BACK));
        }
    }

    private String cardText(Card card) {
        return rewind.latestCardText(card.ts());
    }

    private long cardsPosted() {
        return rewind.slack().posted().stream().filter(p -> p.containsKey("blocks")).count();
    }

    private List<String> clickAnswers() {
        return rewind.slack().ephemeralTexts().stream().filter(t -> !t.startsWith(":mag: Assessing")).toList();
    }

    private String lastEphemeral() {
        List<String> texts = rewind.slack().ephemeralTexts();
        return texts.isEmpty() ? "" : texts.get(texts.size() - 1);
    }

    @Test
    void fiftyConcurrentApprovalsStartExactlyOneRun() throws Exception {
        start("    approvers: [S0SRE]");
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            users.add(String.format("U0SRE%02d", i));
        }
        rewind.slack().groupMembers("S0SRE", users.toArray(String[]::new));
        Card card = card(users.get(0), "checkout");
        String value = card.value(ActionIds.ROLL_BACK);

        ExecutorService pool = Executors.newFixedThreadPool(50);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<String>>> clicks = new ArrayList<>();
        for (String user : users) {
            clicks.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return rewind.signed().click(user, CHANNEL, card.ts(), ActionIds.ROLL_BACK, value);
            }, pool));
        }
        go.countDown();
        for (CompletableFuture<HttpResponse<String>> click : clicks) {
            assertThat(click.join().statusCode()).isEqualTo(200);
        }
        pool.shutdown();

        // The opener is an approver through the group, so "Assessing…" came after the ack, privately.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(clickAnswers()).hasSizeGreaterThanOrEqualTo(49));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(cardText(card)).as("the card as last drawn")
                .contains("done"));
        List<String> answers = clickAnswers();
        assertThat(answers).hasSize(49);
        assertThat(answers).allMatch(t -> t.contains("already") && t.contains("<@U0SRE"));
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.1");
        assertThat(rewind.kubernetes().replicaSets("shop").stream()
                .filter(rs -> rs.getMetadata().getName().startsWith("checkout-"))).hasSize(3);
        String report = rewind.get("/reports/" + card.runId() + "?format=md").body();
        assertThat(report).contains("SUCCEEDED").containsPattern("(?m)^- \\*\\*Approved by:\\*\\* @U0SRE\\d\\d at [^,]*$");
    }

    @Test
    void productionCanRequireTwoOtherApproversAndRefusesSelfApproval() throws Exception {
        start("    approvers: [" + ALICE + ", " + BOB + ", " + CAROL + "]\n    approvals: 2\n    selfApproval: false");
        Card card = card(ALICE, "checkout");

        rewind.signed().click(ALICE, CHANNEL, card.ts(), ActionIds.ROLL_BACK, card.value(ActionIds.ROLL_BACK));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cardText(card)).as("the card as last drawn")
                .contains("0 of 2 approvals"));
        assertThat(cardText(card)).contains("requested by <@U0ALICE>").contains("Approve");

        rewind.signed().click(ALICE, CHANNEL, card.ts(), ActionIds.APPROVE, card.runId());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(lastEphemeral()).as("the last private answer")
                .contains("needs the approval of someone else"));

        rewind.signed().click(BOB, CHANNEL, card.ts(), ActionIds.APPROVE, card.runId());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cardText(card)).as("the card as last drawn")
                .contains("1 of 2 approvals"));
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.2");

        rewind.signed().click(CAROL, CHANNEL, card.ts(), ActionIds.APPROVE, card.runId());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cardText(card)).as("the card as last drawn")
                .contains("done"));
        assertThat(cardText(card)).contains("approved by <@U0BOB>, <@U0CAROL>");
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.1");
    }

    @Test
    void breakGlassLetsOneApproverProceedOnAnImmediateTierAndIsAudited() throws Exception {
        start("    approvers: [" + ALICE + ", " + BOB + "]\n    approvals: 2\n    breakGlass: true");
        Card card = card(ALICE, "checkout --security credentials leaked in the new build");
        assertThat(SlackStub.readable(card.post())).contains("IMMEDIATE").contains("flagged security");

        rewind.signed().click(ALICE, CHANNEL, card.ts(), ActionIds.ROLL_BACK, card.value(ActionIds.ROLL_BACK));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cardText(card)).as("the card as last drawn")
                .contains("Break glass"));

        rewind.signed().click(ALICE, CHANNEL, card.ts(), ActionIds.BREAK_GLASS, card.runId());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cardText(card)).as("the card as last drawn")
                .contains("done"));
        assertThat(cardText(card)).contains("approved by <@U0ALICE> (break-glass)");

        rewind.signed().command(ALICE, CHANNEL, "audit checkout");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(lastEphemeral()).as("the last private answer")
                .contains("Audit trail intact"));
        assertThat(lastEphemeral()).contains("approved (break-glass)");
    }

    @Test
    void aSecondRollbackWithinTheCooldownNeedsAnOverride() throws Exception {
        start("    approvers: [" + ALICE + ", " + BOB + "]\n    requesters: [" + CAROL + "]\n    cooldown: 10m");
        Card first = card(ALICE, "checkout");
        rewind.signed().click(ALICE, CHANNEL, first.ts(), ActionIds.ROLL_BACK, first.value(ActionIds.ROLL_BACK));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cardText(first)).as("the card as last drawn")
                .contains("done"));

        Card second = card(BOB, "checkout");
        rewind.signed().click(CAROL, CHANNEL, second.ts(), ActionIds.ROLL_BACK, second.value(ActionIds.ROLL_BACK));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(lastEphemeral()).as("the last private answer")
                .contains("cooldown"));
        assertThat(lastEphemeral()).contains("Only an approver may override it").doesNotContain("Override and roll back");

        rewind.signed().click(BOB, CHANNEL, second.ts(), ActionIds.ROLL_BACK, second.value(ActionIds.ROLL_BACK));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().server().getAllServeEvents().stream()
                .map(e -> e.getRequest().getBodyAsString())).as("requests to Slack, one offering the override")
                .anyMatch(body -> body.contains("rewind.override")));
        String overrideValue = ActionIds.value(second.runId(), ActionIds.revision(second.value(ActionIds.ROLL_BACK)));
        rewind.signed().click(BOB, CHANNEL, second.ts(), ActionIds.OVERRIDE, overrideValue);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cardText(second)).as("the card as last drawn")
                .contains("Rolled back to"));
        assertThat(rewind.get("/reports/" + second.runId() + "?format=md").body()).contains("guardrails overridden");
    }

    @Test
    void aDryRunShowsWhatWouldHappenAndChangesNothing() throws Exception {
        start("    approvers: [" + ALICE + "]");
        Card card = card(ALICE, "checkout --dry-run");
        assertThat(SlackStub.readable(card.post())).contains("[dry run]").contains("Dry run: roll back to r2");

        rewind.signed().click(ALICE, CHANNEL, card.ts(), ActionIds.ROLL_BACK, card.value(ActionIds.ROLL_BACK));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cardText(card)).as("the card as last drawn")
                .contains("Nothing was changed"));
        assertThat(cardText(card)).contains("Dry run: would roll back kubernetes-deployment shop/checkout → r2");
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.2");
    }

    @Test
    void anAdapterFailureEndsTheRunFailedWithTheReasonAndOffersRetry() throws Exception {
        start("    approvers: [" + ALICE + "]\n    timeout: 20s");
        rewind.kubernetes().breakImage("shop/checkout:1.4.1");
        Card card = card(ALICE, "checkout");

        rewind.signed().click(ALICE, CHANNEL, card.ts(), ActionIds.ROLL_BACK, card.value(ActionIds.ROLL_BACK));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cardText(card)).as("the card as last drawn")
                .contains("failed"));
        assertThat(cardText(card)).contains("ImagePullBackOff").contains("Retry");
        String report = rewind.get("/reports/" + card.runId() + "?format=md").body();
        assertThat(report).contains("FAILED").contains("Check the target by hand");

        long cards = cardsPosted();
        rewind.signed().click(ALICE, CHANNEL, card.ts(), ActionIds.RETRY, card.runId());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cardText(card)).as("the card as last drawn")
                .contains("Decide:"));
        assertThat(cardsPosted()).as("the retry takes over the same card").isEqualTo(cards);
    }

    @Test
    void revisionsCanBeChosenByCommandOrPicker() throws Exception {
        start("    approvers: [" + ALICE + "]");
        Card card = card(ALICE, "checkout to r1");
        assertThat(SlackStub.readable(card.post())).contains("Roll back to r1");
        rewind.signed().command(ALICE, CHANNEL, "checkout to r9");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(lastEphemeral()).as("the last private answer")
                .contains("r9 is not in the history"));
        assertThat(lastEphemeral()).contains("available: r2, r1");

        rewind.signed().click(ALICE, CHANNEL, card.ts(), ActionIds.ROLL_BACK, card.value(ActionIds.ROLL_BACK));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cardText(card)).as("the card as last drawn")
                .contains("Rolled back to r1"));
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.0");
    }

    @Test
    void aCommandWhileTheServiceIsBeingRolledBackPointsToTheRunningCardInsteadOfPostingAnother() throws Exception {
        start("    approvers: [" + ALICE + "]\n    viewers: [" + BOB + "]");
        Card first = card(ALICE, "checkout");
        rewind.kubernetes().pauseController(true);
        rewind.signed().click(ALICE, CHANNEL, first.ts(), ActionIds.ROLL_BACK, first.value(ActionIds.ROLL_BACK));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cardText(first)).as("the card as last drawn")
                .contains("Rolling back to r2"));
        long cards = cardsPosted();

        rewind.signed().command(BOB, CHANNEL, "checkout still failing?");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(lastEphemeral()).as("the last private answer")
                .contains("checkout already has <https://t.slack.com/archives/" + CHANNEL)
                .contains("run `" + first.runId() + "`, already executing; I noted your request there"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cardText(first))
                .contains("Asked again by /rollback by <@U0BOB>: still failing?"));
        assertThat(cardsPosted()).as("no second card").isEqualTo(cards);
        rewind.kubernetes().pauseController(false);
    }

    @Test
    void aDeployAfterTheCardStopsTheRollbackBeforeAnythingChanges() throws Exception {
        start("    approvers: [" + ALICE + "]");
        Card card = card(ALICE, "checkout");
        rewind.kubernetes().client().apps().deployments().inNamespace("shop").withName("checkout").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("shop/checkout:1.4.3");
            return d;
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rewind.kubernetes().get("shop", "checkout").getMetadata()
                .getAnnotations().get("deployment.kubernetes.io/revision")).as("checkout's revision").isEqualTo("4"));

        rewind.signed().click(ALICE, CHANNEL, card.ts(), ActionIds.ROLL_BACK, card.value(ActionIds.ROLL_BACK));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cardText(card)).as("the card as last drawn")
                .contains("failed"));
        assertThat(cardText(card)).contains("changed since the card was made: it runs r4")
                .contains("the card showed r3").contains("Nothing was changed").contains("Retry");
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.3");
    }

    @Test
    void onlyAnApproverOrTheRequesterCanCancelAPendingRequest() throws Exception {
        start("    approvers: [" + ALICE + ", " + BOB + "]\n    approvals: 2");
        Card card = card(ALICE, "checkout");
        rewind.signed().click(ALICE, CHANNEL, card.ts(), ActionIds.ROLL_BACK, card.value(ActionIds.ROLL_BACK));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cardText(card)).as("the card as last drawn")
                .contains("1 of 2 approvals"));

        rewind.signed().click("U0MALLORY", CHANNEL, card.ts(), ActionIds.DISMISS, card.runId());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(lastEphemeral()).as("the last private answer")
                .contains("Only approvers of checkout (<@U0ALICE>, <@U0BOB>) or the requester <@U0ALICE> may dismiss this request."));
        assertThat(cardText(card)).contains("1 of 2 approvals");

        rewind.signed().click(ALICE, CHANNEL, card.ts(), ActionIds.DISMISS, card.runId());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(cardText(card)).as("the card as last drawn")
                .contains("Dismissed by <@U0ALICE>"));
    }
}
