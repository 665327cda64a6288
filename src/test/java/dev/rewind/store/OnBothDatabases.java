package dev.rewind.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.util.stream.Stream;

/**
 * Tests whose cases run on H2 (the embedded default) and on PostgreSQL (for several replicas): one embedded
 * PostgreSQL for the class; each case is {@code @ParameterizedTest @MethodSource("databases")} and opens a fresh
 * database of that kind with {@link #open}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class OnBothDatabases {

    private TestDatabases databases;

    @BeforeAll
    void startPostgres() throws IOException {
        databases = TestDatabases.start();
    }

    @AfterAll
    void stopPostgres() throws IOException {
        databases.close();
    }

    protected Stream<String> databases() {
        return TestDatabases.kinds();
    }

    protected Database open(String kind) {
        return databases.open(kind);
    }
}
