package dev.rewind.store;

import dev.rewind.adapter.config.ConfigRef;
import dev.rewind.adapter.config.ConfigVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

/** The config version history on a fresh database with Flyway applied: H2 as shipped, and PostgreSQL. */
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
class JdbiConfigHistoryIT {

    private static final ConfigRef MAP = new ConfigRef(ConfigRef.Kind.CONFIG_MAP, "shop", "payments-config");
    private static final ConfigRef SECRET = new ConfigRef(ConfigRef.Kind.SECRET, "shop", "payments-keys");
    private static final Instant T0 = Instant.parse("2026-11-24T14:02:00Z");

    private TestDatabases databases;
    private Database database;

    @org.junit.jupiter.api.BeforeAll
    void startPostgres() throws java.io.IOException {
        databases = TestDatabases.start();
    }

    @org.junit.jupiter.api.AfterAll
    void stopPostgres() throws java.io.IOException {
        databases.close();
    }

    java.util.stream.Stream<String> databases() {
        return TestDatabases.kinds();
    }

    private JdbiConfigHistory open(String kind) {
        database = databases.open(kind);
        return new JdbiConfigHistory(database);
    }

    @AfterEach
    void close() {
        database.close();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("databases")
    void numbersVersionsAndListsTheMostRecentlyLiveFirst(String kind) {
        JdbiConfigHistory history = open(kind);
        ConfigVersion v1 = history.record(map("a1", T0, Map.of("LOG_LEVEL", "info")));
        ConfigVersion v2 = history.record(map("b2", T0.plusSeconds(60), Map.of("LOG_LEVEL", "debug")));
        ConfigVersion back = history.record(map("a1", T0.plusSeconds(120), Map.of("LOG_LEVEL", "info")));

        assertThat(v1.number()).isEqualTo(1);
        assertThat(v2.number()).isEqualTo(2);
        assertThat(back.number()).as("the same content keeps its number").isEqualTo(1);
        assertThat(back.firstSeen()).isEqualTo(T0);
        assertThat(history.versions(MAP)).extracting(ConfigVersion::id).containsExactly("a1", "b2");
        assertThat(history.find(MAP, "b2").orElseThrow().data()).containsEntry("LOG_LEVEL", "debug");
        assertThat(history.find(MAP, "zz")).isEmpty();
        assertThat(history.versions(SECRET)).isEmpty();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("databases")
    void keepsSecretDigestsAndAddsASealedCopyWhenOneArrivesLater(String kind) {
        JdbiConfigHistory history = open(kind);
        history.record(secret("c3", T0, Optional.empty()));
        ConfigVersion sealed = history.record(secret("c3", T0.plusSeconds(5), Optional.of("c2VhbGVk")));

        assertThat(sealed.sealed()).contains("c2VhbGVk");
        ConfigVersion stored = history.find(SECRET, "c3").orElseThrow();
        assertThat(stored.keyHashes()).containsEntry("password", "ab".repeat(32));
        assertThat(stored.data()).isEmpty();
        assertThat(stored.sealed()).contains("c2VhbGVk");
        assertThat(stored.restorable()).isTrue();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("databases")
    void twoReplicasRecordingTheSameNewVersionStoreItOnce(String kind) throws Exception {
        JdbiConfigHistory history = open(kind);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<ConfigVersion>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return history.record(map("d4", T0, Map.of("K", "v")));
                }, pool));
            }
            start.countDown();
            for (CompletableFuture<ConfigVersion> result : results) {
                assertThat(result.get().number()).isEqualTo(1);
            }
            assertThat(history.versions(MAP)).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    private static ConfigVersion map(String id, Instant at, Map<String, String> data) {
        return new ConfigVersion(MAP, id, 0, at, at, data, Map.of(), Map.of(), Optional.empty());
    }

    private static ConfigVersion secret(String id, Instant at, Optional<String> sealed) {
        return new ConfigVersion(SECRET, id, 0, at, at, Map.of(), Map.of(), Map.of("password", "ab".repeat(32)), sealed);
    }
}
