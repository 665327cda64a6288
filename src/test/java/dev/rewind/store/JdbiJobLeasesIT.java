package dev.rewind.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Job leases on H2 and PostgreSQL: one holder at a time, even when replicas race for a fresh or expired lease. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JdbiJobLeasesIT {

    private static final Instant T0 = Instant.parse("2026-12-05T01:00:00Z");
    private static final Instant UNTIL = T0.plus(Duration.ofSeconds(15));

    private TestDatabases databases;
    private Database database;

    @BeforeAll
    void startPostgres() throws IOException {
        databases = TestDatabases.start();
    }

    @AfterAll
    void stopPostgres() throws IOException {
        databases.close();
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }

    static List<String> kinds() {
        return TestDatabases.kinds().toList();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aLeaseIsHeldByOneReplicaUntilItRunsOutOrIsReleased(String kind) {
        database = databases.open(kind);
        JdbiJobLeases leases = new JdbiJobLeases(database);

        assertThat(leases.hold("re-assessing", "a", T0, UNTIL)).isTrue();
        assertThat(leases.hold("re-assessing", "b", T0.plusSeconds(14), T0.plusSeconds(29))).isFalse();
        assertThat(leases.hold("re-assessing", "a", T0.plusSeconds(5), T0.plusSeconds(20))).as("renewed").isTrue();
        assertThat(leases.hold("re-assessing", "b", T0.plusSeconds(19), T0.plusSeconds(34))).isFalse();
        assertThat(leases.hold("announcing", "b", T0, UNTIL)).as("another job's lease is separate").isTrue();

        assertThat(leases.hold("re-assessing", "b", T0.plusSeconds(20), T0.plusSeconds(35))).as("expired").isTrue();
        assertThat(leases.hold("re-assessing", "a", T0.plusSeconds(21), T0.plusSeconds(36))).isFalse();

        leases.releaseAll("b");
        assertThat(leases.hold("re-assessing", "a", T0.plusSeconds(22), T0.plusSeconds(37))).as("released").isTrue();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void replicasRacingForAFreshOrExpiredLeaseGetOneWinner(String kind) throws Exception {
        database = databases.open(kind);
        JdbiJobLeases leases = new JdbiJobLeases(database);
        ExecutorService replicas = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 10; round++) {
                Instant now = T0.plus(Duration.ofMinutes(round));
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> takes = new ArrayList<>();
                for (int replica = 0; replica < 8; replica++) {
                    String holder = "replica-" + replica;
                    Callable<Boolean> take = () -> {
                        go.await();
                        return leases.hold("forgetting", holder, now, now.plusSeconds(30));
                    };
                    takes.add(replicas.submit(take));
                }
                go.countDown();
                int winners = 0;
                for (Future<Boolean> take : takes) {
                    winners += take.get() ? 1 : 0;
                }
                assertThat(winners).as("holders in round %d (the previous lease ran out)", round).isEqualTo(1);
            }
        } finally {
            replicas.shutdownNow();
        }
    }
}
