package dev.rewind.rollback;

import dev.rewind.store.Database;
import dev.rewind.store.JdbiJobLeases;
import dev.rewind.store.OnBothDatabases;
import dev.rewind.testing.TestClock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas (two gates, two holders, one database) deciding "join or open" for the same service take turns, so
 * a command on one and an alert on the other cannot both find no card and post two; a replica that died holding the
 * gate holds it only until its lease runs out.
 */
class OpeningGateIT extends OnBothDatabases {

    @ParameterizedTest
    @MethodSource("databases")
    void twoReplicasDecideForOneServiceOneAfterTheOther(String kind) throws Exception {
        try (Database db = open(kind)) {
            TestClock clock = new TestClock();
            OpeningGate first = new OpeningGate(new JdbiJobLeases(db), "replica-a", clock);
            OpeningGate second = new OpeningGate(new JdbiJobLeases(db), "replica-b", clock);
            List<String> steps = new CopyOnWriteArrayList<>();
            CountDownLatch firstInside = new CountDownLatch(1);
            CountDownLatch letFirstFinish = new CountDownLatch(1);

            CompletableFuture<String> a = CompletableFuture.supplyAsync(() -> first.exclusively("checkout", () -> {
                steps.add("a looks: no card");
                firstInside.countDown();
                await(letFirstFinish);
                steps.add("a opens a card");
                return "opened";
            }));
            assertThat(firstInside.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<String> b = CompletableFuture.supplyAsync(() -> second.exclusively("checkout", () -> {
                steps.add("b looks");
                return "joined";
            }));
            // A third service is not held up by checkout's decision.
            assertThat(second.exclusively("cart", () -> "cart decided")).isEqualTo("cart decided");
            Thread.sleep(300);
            assertThat(steps).as("b waits while a decides").containsExactly("a looks: no card");
            letFirstFinish.countDown();

            assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo("opened");
            assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo("joined");
            assertThat(steps).containsExactly("a looks: no card", "a opens a card", "b looks");
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aReplicaThatDiedHoldingTheGateHoldsItOnlyUntilItsLeaseRunsOut(String kind) throws Exception {
        try (Database db = open(kind)) {
            TestClock clock = new TestClock();
            JdbiJobLeases leases = new JdbiJobLeases(db);
            // replica-a took the gate and was killed before it let go
            assertThat(leases.hold("open-card:checkout", "replica-a", clock.instant(),
                    clock.instant().plus(OpeningGate.HOLD))).isTrue();
            OpeningGate survivor = new OpeningGate(leases, "replica-b", clock);

            CompletableFuture<String> decided = CompletableFuture.supplyAsync(() -> survivor.exclusively("checkout", () -> "decided"));
            Thread.sleep(300);
            assertThat(decided).as("the lease is still running").isNotDone();
            clock.advance(OpeningGate.HOLD.plus(Duration.ofSeconds(1)));
            assertThat(decided.get(5, TimeUnit.SECONDS)).isEqualTo("decided");
            assertThat(leases.hold("open-card:checkout", "replica-c", clock.instant(), clock.instant().plusSeconds(1)))
                    .as("replica-b let go after deciding").isTrue();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
