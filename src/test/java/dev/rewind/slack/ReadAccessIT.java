package dev.rewind.slack;

import dev.rewind.testing.RewindFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.BOB;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static dev.rewind.testing.RewindFixture.MALLORY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Who may read what, through signed slash commands: {@code list} is open to the workspace; a service's
 * status, audit trail and assessments answer only its requesters, approvers and viewers.
 */
class ReadAccessIT {

    private static final String VERA = "U0VERA";
    private static final String CATALOGUE = String.join("\n",
            "environments:",
            "  production: {viewers: [S0ENG]}",
            "services:",
            "  - name: checkout",
            "    channel: " + CHANNEL,
            "    environment: production",
            "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
            "    signals: {errorRate: 'errors', latencyP99: 'latency'}",
            "    approvers: [S0SRE, " + ALICE + "]",
            "    requesters: [" + BOB + "]",
            "  - name: cart",
            "    channel: C0CART",
            "    environment: staging",
            "    target: {type: kubernetes-deployment, namespace: shop, deployment: cart}",
            "    approvers: [" + ALICE + "]",
            "");

    private RewindFixture rewind;

    @BeforeEach
    void start() throws Exception {
        rewind = RewindFixture.builder().catalogue(CATALOGUE).build();
        rewind.slack().groupMembers("S0ENG", VERA);
        rewind.prometheus().returns("errors", 0.02).before(0.01);
        rewind.prometheus().returns("latency", 0.3).before(0.3);
    }

    @AfterEach
    void stop() {
        rewind.close();
    }

    private String answer(String containing) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().ephemeralTexts())
                .as("private answers").anyMatch(t -> t.contains(containing)));
        return rewind.slack().ephemeralTexts().stream().filter(t -> t.contains(containing)).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void theListIsOpenToAnyoneInTheWorkspace() {
        rewind.signed().command(MALLORY, CHANNEL, "list");
        assertThat(answer("Services Rewind can roll back")).contains("checkout").contains("cart");
    }

    @Test
    void statusAuditAndAssessmentsAreRefusedToSomeoneWithNoRoleAndSayWhoMay() throws Exception {
        String whoMay = "Only approvers of checkout (<!subteam^S0SRE>, <@U0ALICE>), its requesters (<@U0BOB>) or its "
                + "viewers (<!subteam^S0ENG>) may read the status, audit trail and assessments of checkout.";

        rewind.signed().command(MALLORY, CHANNEL, "checkout status");
        assertThat(answer("You may not read the status of checkout.")).contains(whoMay);

        rewind.signed().command(MALLORY, CHANNEL, "audit checkout");
        assertThat(answer("You may not read the audit trail of checkout.")).contains(whoMay);

        HttpResponse<String> ack = rewind.signed().command(MALLORY, CHANNEL, "checkout");
        assertThat(ack.statusCode()).isEqualTo(200);
        assertThat(ack.body()).doesNotContain("Assessing");
        assertThat(answer("You may not assess checkout.")).contains(whoMay);
        Thread.sleep(500);
        assertThat(rewind.cards()).as("no assessment, no card").isEmpty();
        assertThat(rewind.slack().ephemeralTexts()).noneMatch(t -> t.contains("latest run") || t.contains("Audit trail intact"));

        rewind.signed().command(ALICE, CHANNEL, "audit checkout");
        assertThat(answer("Audit trail intact")).as("each refusal is audited")
                .contains("<@U0MALLORY> *refused* checkout — may not assess checkout")
                .contains("<@U0MALLORY> *refused* checkout — may not read the status of checkout");
    }

    @Test
    void aViewerFromTheEnvironmentsGroupMayReadAndAssess() {
        rewind.signed().command(VERA, CHANNEL, "checkout status");
        answer("No assessment or rollback of *checkout* yet");

        rewind.signed().command(VERA, CHANNEL, "checkout");
        answer("Assessing *checkout*");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.cards()).as("cards posted").isNotEmpty());

        rewind.signed().command(VERA, CHANNEL, "audit checkout");
        assertThat(answer("Audit trail intact")).contains("<@U0VERA> *assessment requested* checkout");
    }

    @Test
    void aRequesterIsAnsweredAtOnceAndTheWholeTrailOnlyByWhoMayReadEveryService() {
        HttpResponse<String> ack = rewind.signed().command(BOB, CHANNEL, "checkout");
        assertThat(ack.body()).contains("Assessing *checkout*");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.cards()).as("cards posted").isNotEmpty());

        rewind.signed().command(BOB, CHANNEL, "audit");
        assertThat(answer("The whole audit trail is for those who may read every service"))
                .contains("`/rollback audit checkout`").doesNotContain("audit cart");

        rewind.signed().command(ALICE, CHANNEL, "audit");
        List<String> trail = List.of(answer("Audit trail intact"));
        assertThat(trail.get(0)).contains("<@U0BOB> *refused*").contains("may not read the whole audit trail");
    }
}
