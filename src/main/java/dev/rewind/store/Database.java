package dev.rewind.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

import java.util.Optional;

/**
 * The connection pool, schema migration and JDBI handle for one database: H2 (embedded, the
 * default) or PostgreSQL (for several replicas). The schema is the same on both.
 */
public final class Database implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
    }

    /** Connects and brings the schema up to date. */
    public static Database open(String url, Optional<String> user, Optional<String> password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(durable(url));
        user.ifPresent(config::setUsername);
        password.ifPresent(config::setPassword);
        config.setMaximumPoolSize(10);
        config.setPoolName("rewind-db");
        config.setConnectionTimeout(10_000);
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new Database(dataSource);
    }

    /**
     * H2 writes committed transactions to its file up to half a second later by default, so a process
     * killed in that window loses them (a run shown as executing on Slack would be forgotten). With
     * WRITE_DELAY=0 a commit is in the file, hence in the OS, before it returns.
     */
    static String durable(String url) {
        if (!url.startsWith("jdbc:h2:") || url.toUpperCase(java.util.Locale.ROOT).contains(";WRITE_DELAY=")) {
            return url;
        }
        return url + ";WRITE_DELAY=0";
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** A cheap round trip, for /readyz. Empty when the database answers, else why not. */
    public Optional<String> problem() {
        try {
            jdbi.withHandle(handle -> handle.createQuery("SELECT 1").mapTo(Integer.class).one());
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
