package dev.rewind.store;

import dev.rewind.assess.Assessment;
import dev.rewind.assess.Tier;
import dev.rewind.assess.Verdict;
import dev.rewind.rollback.Approval;
import dev.rewind.rollback.RunEvent;
import dev.rewind.rollback.RunRepository;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.Trigger;
import dev.rewind.stats.PastRun;
import dev.rewind.testing.RunBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The runs the stats read back from the store, with their decisions and steps, on H2 and PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JdbiRunHistoryIT {

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    private TestDatabases databases;

    @BeforeAll
    void startPostgres() throws IOException {
        databases = TestDatabases.start();
    }

    @AfterAll
    void stopPostgres() throws IOException {
        databases.close();
    }

    Stream<String> databases() {
        return TestDatabases.kinds();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void readsRunsWithTheirTierDecisionsAndSteps(String kind) {
        try (Database db = databases.open(kind)) {
            JdbiRunRepository runs = new JdbiRunRepository(db);
            runs.insert(RunBuilder.aRun().id("rb-succeeded1").at(T0).trigger(Trigger.POLICY).state(RunState.SUCCEEDED)
                    .assessment(assessment(Tier.IMMEDIATE)).startedAt(T0.plusSeconds(70))
                    .finishedAt(T0.plusSeconds(250)).build());
            runs.addApproval(new Approval("rb-succeeded1", "U0ALICE", T0.plusSeconds(40), false));
            runs.addApproval(new Approval("rb-succeeded1", "U0BOB", T0.plusSeconds(65), false));
            runs.stepDone("rb-succeeded1", new RunRepository.FinishedStep(1, "deploy:shop/api", "done", true),
                    T0.plusSeconds(130));
            runs.stepDone("rb-succeeded1", new RunRepository.FinishedStep(0, "flag:checkout-v2", "off", true),
                    T0.plusSeconds(90));
            runs.insert(RunBuilder.aRun().id("rb-dismissed1").at(T0.plusSeconds(10)).state(RunState.ABORTED)
                    .assessment(assessment(Tier.FAST)).build());
            runs.append(new RunEvent("rb-dismissed1", T0.plusSeconds(600), RunEvent.Kind.DISMISSED, "Dismissed"));
            runs.append(new RunEvent("rb-dismissed1", T0.plusSeconds(900), RunEvent.Kind.DISMISSED, "again"));
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

    private static Assessment assessment(Tier tier) {
        return new Assessment("checkout", "production", List.of(), List.of(), new Verdict(tier, List.of("why")), Set.of(),
                T0);
    }
}
