package dev.rewind.stats;

import dev.rewind.assess.Assessment;
import dev.rewind.assess.Tier;
import dev.rewind.assess.Verdict;
import dev.rewind.rollback.RunEvent;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.Trigger;
import dev.rewind.store.Database;
import dev.rewind.store.JdbiRunRepository;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.RunBuilder;
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
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static dev.rewind.testing.RewindFixture.MALLORY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The figures people and tools read: {@code GET /api/v1/stats} with the API token and {@code /rollback stats}
 * in Slack, over a seeded history of checkout: two recoveries (2 and 8 minutes), one failure, one dry run and
 * one card dismissed after 40 minutes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatsIT {

    private static final String API_TOKEN = "stats-api-token";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newHttpClient();
    private final String databaseUrl = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private RewindFixture rewind;

    @BeforeAll
    void start() throws IOException {
        rewind = RewindFixture.builder().database(databaseUrl).env("REWIND_API_TOKEN", API_TOKEN).build();
        Instant now = rewind.clock().instant();
        try (Database db = Database.open(databaseUrl, Optional.empty(), Optional.empty())) {
            JdbiRunRepository runs = new JdbiRunRepository(db);
            seedRollback(db, runs, "rb-stats00001", now.minus(Duration.ofDays(2)), RunState.SUCCEEDED, 120, Trigger.POLICY);
            seedRollback(db, runs, "rb-stats00002", now.minus(Duration.ofDays(3)), RunState.SUCCEEDED, 480, Trigger.COMMAND);
            seedRollback(db, runs, "rb-stats00003", now.minus(Duration.ofDays(4)), RunState.FAILED, 200, Trigger.ALERT);
            runs.insert(RunBuilder.aRun().id("rb-stats00004").dryRun(true).state(RunState.ABORTED)
                    .outcome("Dry run: would roll back checkout. Nothing was changed.")
                    .at(now.minus(Duration.ofDays(1))).assessment(assessment(Tier.FAST)).build());
            Instant dismissedCard = now.minus(Duration.ofDays(5));
            runs.insert(RunBuilder.aRun().id("rb-stats00005").state(RunState.ABORTED).at(dismissedCard)
                    .assessment(assessment(Tier.FAST)).build());
            Instant dismissedAt = dismissedCard.plus(Duration.ofMinutes(40));
            db.jdbi().useHandle(h -> h.execute("INSERT INTO run_events (run_id, at, kind, message) VALUES (?, ?, ?, ?)",
                    "rb-stats00005", dismissedAt.toEpochMilli(), RunEvent.Kind.DISMISSED.name(), "Dismissed by " + ALICE));
            runs.insert(RunBuilder.aRun().id("rb-stats00006").state(RunState.SUCCEEDED)
                    .at(now.minus(Duration.ofDays(60))).build());
        }
    }

    @AfterAll
    void stop() {
        rewind.close();
    }

    @Test
    void theApiAnswersTheFiguresForAServiceWithTheToken() throws Exception {
        HttpResponse<String> response = get("/api/v1/stats?service=checkout&window=30d", "Bearer " + API_TOKEN);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith("application/json"));
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("service").asString()).isEqualTo("checkout");
        assertThat(body.path("window").asString()).isEqualTo("30d");
        assertThat(body.path("outcomes").path("succeeded").asInt()).isEqualTo(2);
        assertThat(body.path("outcomes").path("failed").asInt()).isEqualTo(1);
        assertThat(body.path("outcomes").path("aborted").asInt()).isEqualTo(1);
        assertThat(body.path("dryRuns").asInt()).isEqualTo(1);
        assertThat(body.path("success").path("finished").asInt()).isEqualTo(3);
        assertThat(body.path("success").path("rate").asDouble()).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(body.path("success").path("met").asBoolean()).isFalse();
        assertThat(body.path("recovery").path("p50Seconds").asLong()).isEqualTo(120);
        assertThat(body.path("recovery").path("p90Seconds").asLong()).isEqualTo(480);
        assertThat(body.path("recovery").path("targetSeconds").asLong()).isEqualTo(300);
        assertThat(body.path("automation").path("automatic").asInt()).isEqualTo(1);
        assertThat(body.path("automation").path("total").asInt()).isEqualTo(3);
        JsonNode fast = body.path("decisions").path("FAST");
        assertThat(fast.path("decided").asInt()).isEqualTo(4);
        assertThat(fast.path("deadlineSeconds").asLong()).isEqualTo(1800);
        assertThat(fast.path("late").asInt()).isEqualTo(1);
        assertThat(body.path("slowestStep").path("step").asString()).isEqualTo("verification");
        assertThat(body.path("slowestStep").path("p50Seconds").asLong()).isEqualTo(40);
    }

    @Test
    void aWindowNarrowsTheRuns() throws Exception {
        JsonNode week = JSON.readTree(get("/api/v1/stats?window=7d", "Bearer " + API_TOKEN).body());
        JsonNode ninety = JSON.readTree(get("/api/v1/stats?window=90d", "Bearer " + API_TOKEN).body());

        assertThat(week.path("service").isNull()).isTrue();
        assertThat(week.path("outcomes").path("succeeded").asInt()).isEqualTo(2);
        assertThat(ninety.path("outcomes").path("succeeded").asInt()).isEqualTo(3);
    }

    @Test
    void theApiRefusesAMissingOrWrongToken() throws Exception {
        HttpResponse<String> missing = get("/api/v1/stats", null);
        HttpResponse<String> wrong = get("/api/v1/stats", "Bearer not-the-token");

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.body()).contains("missing bearer token").doesNotContain(API_TOKEN);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("wrong bearer token").doesNotContain(API_TOKEN);
    }

    @Test
    void anUnknownServiceGets404WithTheClosestNames() throws Exception {
        HttpResponse<String> response = get("/api/v1/stats?service=chekout", "Bearer " + API_TOKEN);

        assertThat(response.statusCode()).isEqualTo(404);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("error").asString()).isEqualTo("no service named 'chekout'");
        assertThat(body.path("closest").get(0).asString()).isEqualTo("checkout");
    }

    @Test
    void aBadWindowGets400SayingWhichAreValid() throws Exception {
        HttpResponse<String> response = get("/api/v1/stats?window=5d", "Bearer " + API_TOKEN);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("error").asString())
                .isEqualTo("window must be 7d, 30d or 90d, not '5d'");
    }

    @Test
    void withoutATokenConfiguredTheApiIsOff() throws Exception {
        try (RewindFixture plain = RewindFixture.start()) {
            HttpResponse<String> response = plain.get("/api/v1/stats");

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("set REWIND_API_TOKEN");
        }
    }

    @Test
    void aServicesPeopleReadItsStatsPrivatelyInSlack() {
        rewind.signed().command(ALICE, CHANNEL, "stats checkout 30d");

        String answer = rewind.privateAnswer("Rollback stats — checkout, last 30d");
        assertThat(answer).contains("Rollbacks: 2 succeeded · 1 failed · 1 aborted")
                .contains("1 dry run(s), counted apart")
                .contains("Success rate: 66.7% (2 of 3 that changed something) :x: — target ≥ 99%")
                .contains("p50 2m · p90 8m over 2 recoveries :x: — target p90 ≤ 5m")
                .contains("Triggered automatically: 33.3% (1 of 3 rollbacks started by a policy)")
                .contains("• FAST (deadline 30m): p50 1m · p90 40m, 4 decided, 1 late :x:")
                .contains("• IMMEDIATE (deadline 5m): no decisions")
                .contains("Slowest step: `verification` (p50 40s over 2 runs)");
        assertThat(rewind.cards()).isEmpty();
    }

    @Test
    void someoneWithoutARoleIsRefusedAsForTheAuditTrail() {
        rewind.signed().command(MALLORY, CHANNEL, "stats checkout");
        assertThat(rewind.privateAnswer("You may not read the stats of checkout.")).contains("Only approvers of checkout");

        rewind.signed().command(MALLORY, CHANNEL, "stats");
        assertThat(rewind.privateAnswer("Stats over every service are for those who may read every service"))
                .contains("You may read none").contains("Nothing was shown.");
    }

    @Test
    void statsOverEveryServiceAreForWhoeverMayReadThemAll() {
        rewind.signed().command(ALICE, CHANNEL, "stats 90d");

        assertThat(rewind.privateAnswer("Rollback stats — all services, last 90d")).contains("3 succeeded");
    }

    @Test
    void anUnknownServiceOrWindowIsExplainedAtOnce() {
        assertThat(rewind.signed().command(ALICE, CHANNEL, "stats chekout").body())
                .contains("No service named `chekout`. Did you mean `checkout`");
        assertThat(rewind.signed().command(ALICE, CHANNEL, "stats checkout 5d").body())
                .contains("`5d` is not a window: write 7d, 30d or 90d");
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(rewind.url(path))).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A rollback approved a minute after its card, its one step done 20 s later, ending {@code seconds} after the
     * card. Approvals and steps are written as rows: the tables are what the stats read.
     */
    private static void seedRollback(Database db, JdbiRunRepository runs, String id, Instant created, RunState end,
                                     int seconds, Trigger trigger) {
        Instant approved = created.plus(Duration.ofMinutes(1));
        runs.insert(RunBuilder.aRun().id(id).trigger(trigger).state(end).at(created).assessment(assessment(Tier.FAST))
                .startedAt(approved).finishedAt(created.plusSeconds(seconds)).build());
        db.jdbi().useHandle(h -> {
            h.execute("INSERT INTO approvals (run_id, user_id, approved_at, break_glass) VALUES (?, ?, ?, FALSE)",
                    id, ALICE, approved.toEpochMilli());
            h.execute("INSERT INTO run_steps (run_id, step, target_key, finished_at, summary, live) "
                    + "VALUES (?, 0, 'deployment:shop/checkout', ?, 'rolled back', TRUE)", id, approved.plusSeconds(20)
                    .toEpochMilli());
        });
    }

    private static Assessment assessment(Tier tier) {
        return new Assessment("checkout", "production", List.of(), List.of(), new Verdict(tier, List.of("seeded")),
                Set.of(), Instant.parse("2026-01-01T00:00:00Z"));
    }
}
