package dev.rewind.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The two databases Rewind runs on, for store tests: H2 in memory (the embedded default) and a real
 * PostgreSQL (embedded binaries), each test on a fresh schema migrated by Flyway.
 */
public final class TestDatabases implements AutoCloseable {

    private final EmbeddedPostgres postgres;

    private TestDatabases(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static TestDatabases start() throws IOException {
        return new TestDatabases(EmbeddedPostgres.builder().start());
    }

    public static Stream<String> kinds() {
        return Stream.of("h2", "postgresql");
    }

    public Database open(String kind) {
        if (kind.equals("h2")) {
            return Database.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", Optional.empty(), Optional.empty());
        }
        String schema = "s" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Database admin = Database.open(postgres.getJdbcUrl("postgres", "postgres"), Optional.of("postgres"),
                Optional.empty())) {
            admin.jdbi().useHandle(h -> h.execute("CREATE SCHEMA " + schema));
        }
        return Database.open(postgres.getJdbcUrl("postgres", "postgres") + "&currentSchema=" + schema,
                Optional.of("postgres"), Optional.empty());
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
