package dev.rewind.store;

import dev.rewind.assess.Assessment;
import dev.rewind.assess.Tier;
import dev.rewind.assess.Verdict;
import dev.rewind.rollback.RunEvent;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.Trigger;
import dev.rewind.stats.PastRun;
import dev.rewind.testing.RunBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The runs the stats read back from the store, with their decisions and steps, on H2 and PostgreSQL. */
class JdbiRunHistoryIT extends OnBothDatabases {

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    @ParameterizedTest
    @MethodSource("databases")
    void readsRunsWithTheirTierDecisionsAndSteps(String kind) {
        try (Database db = open(kind)) {
            JdbiRunRepository runs = new JdbiRunRepository(db);
            runs.insert(RunBuilder.aRun().id("rb-succeeded1").at(T0).trigger(Trigger.POLICY).state(RunState.SUCCEEDED)
                    .assessment(assessment(Tier.IMMEDIATE)).startedAt(T0.plusSeconds(70))
                    .finishedAt(T0.plusSeconds(250)).build());
            approval(db, "rb-succeeded1", "U0ALICE", T0.plusSeconds(40));
            approval(db, "rb-succeeded1", "U0BOB", T0.plusSeconds(65));
            step(db, "rb-succeeded1", 1, "deploy:shop/api", T0.plusSeconds(130));
            step(db, "rb-succeeded1", 0, "flag:checkout-v2", T0.plusSeconds(90));
            runs.insert(RunBuilder.aRun().id("rb-dismissed1").at(T0.plusSeconds(10)).state(RunState.ABORTED)
                    .assessment(assessment(Tier.FAST)).build());
            event(db, "rb-dismissed1", T0.plusSeconds(600), RunEvent.Kind.DISMISSED);
            event(db, "rb-dismissed1", T0.plusSeconds(900), RunEvent.Kind.DISMISSED);
            event(db, "rb-dismissed1", T0.plusSeconds(30), RunEvent.Kind.NOTE);
            runs.insert(RunBuilder.aRun().id("rb-payments1").service("payments").at(T0.plusSeconds(20)).build());
            runs.insert(RunBuilder.aRun().id("rb-tooolder1").at(T0.minusSeconds(1)).build());

            List<PastRun> checkout = new JdbiRunHistory(db).openedSince(Optional.of("checkout"), T0);
            List<PastRun> all = new JdbiRunHistory(db).openedSince(Optional.empty(), T0);

            assertThat(checkout).extracting(PastRun::id).containsExactly("rb-succeeded1", "rb-dismissed1");
            assertThat(all).extracting(PastRun::id).containsExactly("rb-succeeded1", "rb-dismissed1", "rb-payments1");
            PastRun succeeded = checkout.get(0);
            assertThat(succeeded.trigger()).isEqualTo(Trigger.POLICY);
            assertThat(succeeded.tier()).contains(Tier.IMMEDIATE);
            assertThat(succeeded.startedAt()).contains(T0.plusSeconds(70));
            assertThat(succeeded.finishedAt()).contains(T0.plusSeconds(250));
            assertThat(succeeded.approvals()).containsExactlyInAnyOrder(T0.plusSeconds(40), T0.plusSeconds(65));
            assertThat(succeeded.dismissed()).isEmpty();
            assertThat(succeeded.steps()).containsExactly(new PastRun.Step("flag:checkout-v2", T0.plusSeconds(90)),
                    new PastRun.Step("deploy:shop/api", T0.plusSeconds(130)));
            PastRun dismissed = checkout.get(1);
            assertThat(dismissed.dismissed()).contains(T0.plusSeconds(600));
            assertThat(dismissed.tier()).contains(Tier.FAST);
            assertThat(all.get(2).tier()).isEmpty();
        }
    }

    /** Rows written as the approval, timeline and step stores write them (the tables are the contract here). */
    static void approval(Database db, String runId, String user, Instant at) {
        db.jdbi().useHandle(h -> h.execute("INSERT INTO approvals (run_id, user_id, approved_at, break_glass) "
                + "VALUES (?, ?, ?, FALSE)", runId, user, at.toEpochMilli()));
    }

    static void event(Database db, String runId, Instant at, RunEvent.Kind kind) {
        db.jdbi().useHandle(h -> h.execute("INSERT INTO run_events (run_id, at, kind, message) VALUES (?, ?, ?, ?)",
                runId, at.toEpochMilli(), kind.name(), kind.name().toLowerCase()));
    }

    static void step(Database db, String runId, int index, String target, Instant at) {
        db.jdbi().useHandle(h -> h.execute("INSERT INTO run_steps (run_id, step, target_key, finished_at, summary, live) "
                + "VALUES (?, ?, ?, ?, 'done', TRUE)", runId, index, target, at.toEpochMilli()));
    }

    private static Assessment assessment(Tier tier) {
        return new Assessment("checkout", "production", List.of(), List.of(), new Verdict(tier, List.of("why")), Set.of(),
                T0);
    }
}
