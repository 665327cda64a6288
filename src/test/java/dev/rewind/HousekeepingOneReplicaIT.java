package dev.rewind;

import dev.rewind.store.Database;
import dev.rewind.store.JdbiJobLeases;
import dev.rewind.testing.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas' housekeeping on one H2 file database: a job marked for one replica runs on exactly one
 * of them each tick, a per-replica job on both, and when the holder stops the other takes over once
 * the lease (three periods) has run out, or at once if the holder gave its leases up on shutdown.
 */
class HousekeepingOneReplicaIT {

    private static final Duration PERIOD = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();
    private final List<String> ran = new ArrayList<>();

    private Housekeeping replica(Database database, String name) {
        return new Housekeeping(new JdbiJobLeases(database), name, clock)
                .everyOnOneReplica(PERIOD, PERIOD, "re-assessing monitored cards", () -> ran.add(name + " re-assessed"))
                .every(PERIOD, PERIOD, "connecting to Slack", () -> ran.add(name + " connected"));
    }

    private List<String> tick(Housekeeping... replicas) {
        ran.clear();
        for (Housekeeping replica : replicas) {
            replica.tick();
        }
        return List.copyOf(ran);
    }

    @Test
    void aSharedJobRunsOnOneReplicaAndMovesWhenItsHolderStops() {
        String url = "jdbc:h2:file:" + dir.resolve("rewind");
        try (Database first = Database.open(url, Optional.empty(), Optional.empty());
             Database second = Database.open(url, Optional.empty(), Optional.empty())) {
            Housekeeping a = replica(first, "a");
            Housekeeping b = replica(second, "b");

            for (int i = 0; i < 3; i++) {
                assertThat(tick(a, b)).containsExactly("a re-assessed", "a connected", "b connected");
                assertThat(tick(b, a)).as("order does not matter: a holds the lease")
                        .containsExactly("b connected", "a re-assessed", "a connected");
                clock.advance(PERIOD);
            }

            // a dies without giving its lease up (its last run was one period ago): b waits out the lease,
            // three periods from that run, then takes the job.
            assertThat(tick(b)).containsExactly("b connected");
            clock.advance(PERIOD.multipliedBy(Housekeeping.LEASE_PERIODS - 2));
            assertThat(tick(b)).as("lease of the last run not yet out").containsExactly("b connected");
            clock.advance(PERIOD);
            assertThat(tick(b)).containsExactly("b re-assessed", "b connected");

            // a comes back: b keeps the job while it renews it.
            clock.advance(PERIOD);
            assertThat(tick(a, b)).containsExactly("a connected", "b re-assessed", "b connected");

            // b shuts down and gives its leases up: a takes the job on its next tick.
            b.releaseLeases();
            assertThat(tick(a)).containsExactly("a re-assessed", "a connected");
        }
    }
}
