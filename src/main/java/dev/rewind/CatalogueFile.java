package dev.rewind;

import dev.rewind.config.Catalogue;
import dev.rewind.config.ConfigException;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The mounted {@code rewind.yml}, read again when its content changes: a file that parses and validates replaces
 * the catalogue at once; a bad one keeps the old catalogue and says why (log, {@code /readyz?verbose},
 * {@code rewind_config_reload_failures_total}). Polled by content digest rather than watched, because a
 * Kubernetes ConfigMap volume changes by swapping a symlink, which file watchers miss. What was built from the
 * catalogue at start-up (the deploy guard's informers, the config recorder's watches, metric series) follows
 * only after a restart.
 */
final class CatalogueFile {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogueFile.class);

    private final Path path;
    private final Function<Path, Catalogue> load;
    private final AtomicReference<Catalogue> current;
    private final Clock clock;
    private volatile Counter failures;
    private volatile Gauge lastSuccess;
    private volatile long lastSuccessAt;
    private volatile byte[] digest;
    private volatile Optional<String> problem = Optional.empty();

    /** @param load parses and validates the file, throwing {@link ConfigException} with the place and the fix */
    CatalogueFile(Path path, Catalogue loaded, Function<Path, Catalogue> load, Clock clock) {
        this.path = path;
        this.load = load;
        this.current = new AtomicReference<>(loaded);
        this.clock = clock;
        this.digest = digest(read());
        this.lastSuccessAt = clock.instant().getEpochSecond();
    }

    /** Registers {@code rewind_config_reload_failures_total} and {@code rewind_config_last_reload_success}. */
    CatalogueFile metrics(PrometheusRegistry registry) {
        failures = Counter.builder().name("rewind_config_reload_failures_total")
                .help("Changes of rewind.yml that did not parse or validate: the previous catalogue was kept").register(registry);
        lastSuccess = Gauge.builder().name("rewind_config_last_reload_success")
                .help("When rewind.yml was last read successfully (Unix seconds)").register(registry);
        lastSuccess.set(lastSuccessAt);
        return this;
    }

    Catalogue current() {
        return current.get();
    }

    /** Why the latest change of the file was not taken, while it is not. */
    Optional<String> problem() {
        return problem;
    }

    /** Reads the file again if its content changed; called periodically. */
    void reloadIfChanged() {
        byte[] content = read();
        byte[] now = digest(content);
        if (Arrays.equals(now, digest)) {
            return;
        }
        digest = now;
        try {
            Catalogue loaded = load.apply(path);
            current.set(loaded);
            problem = Optional.empty();
            lastSuccessAt = clock.instant().getEpochSecond();
            if (lastSuccess != null) {
                lastSuccess.set(lastSuccessAt);
            }
            LOG.info("config reloaded: {} service(s): {}", loaded.services().size(), String.join(", ", loaded.names()));
        } catch (ConfigException e) {
            problem = Optional.of(e.getMessage() + " (the previous catalogue is kept)");
            if (failures != null) {
                failures.inc();
            }
            LOG.warn("config not reloaded, the previous catalogue is kept: {}", e.getMessage());
        }
    }

    private byte[] read() {
        try {
            return Files.exists(path) ? Files.readAllBytes(path) : new byte[0];
        } catch (IOException e) {
            return ("unreadable: " + e.getMessage()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static byte[] digest(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
