package dev.rewind.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;

/**
 * The connection pool, schema migration and JDBI handle for one database: H2 (embedded, the
 * default) or PostgreSQL (for several replicas). The schema is the same on both.
 */
public final class Database implements AutoCloseable {

    static final Duration PROBE_WAIT = Duration.ofSeconds(2);
    private static final Executor PROBES = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "rewind-db-probe");
        thread.setDaemon(true);
        return thread;
    });

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private CompletableFuture<Optional<String>> inFlight;
    private volatile boolean lastProbeAnswered = true;

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
        config.setConnectionTimeout(5_000);
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

    /**
     * A cheap round trip, for /readyz: empty when the database answers, else why not. It waits at most
     * {@link #PROBE_WAIT} (a kubelet's probe gives up after a second or so; a pool waiting for a connection to a
     * database that is gone would hold the probe for the pool's whole timeout), and concurrent callers share one
     * round trip, so probes and scrapes during an outage do not pile up waiting threads.
     */
    public Optional<String> problem() {
        CompletableFuture<Optional<String>> probe;
        synchronized (this) {
            if (inFlight == null || inFlight.isDone()) {
                inFlight = CompletableFuture.supplyAsync(this::roundTrip, PROBES);
            }
            probe = inFlight;
        }
        Optional<String> answer;
        try {
            answer = probe.get(PROBE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer = Optional.of("no answer within " + PROBE_WAIT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer = Optional.of("interrupted while waiting for the database");
        } catch (ExecutionException e) {
            answer = Optional.of(e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage());
        }
        lastProbeAnswered = answer.isEmpty();
        return answer;
    }

    /**
     * Whether the latest {@link #problem()} found the database answering (true before the first). Callers that
     * can leave something out while it is down (a gauge on a scrape, a hand-over on shutdown) check this first
     * instead of waiting out the pool's connection timeout.
     */
    public boolean lastProbeAnswered() {
        return lastProbeAnswered;
    }

    /** {@code count}, but failing at once (for a gauge to leave itself out) while the database is known to be down. */
    public IntSupplier whileAnswering(IntSupplier count) {
        return () -> {
            if (!lastProbeAnswered) {
                throw new IllegalStateException("the database did not answer the latest probe");
            }
            return count.getAsInt();
        };
    }

    private Optional<String> roundTrip() {
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
