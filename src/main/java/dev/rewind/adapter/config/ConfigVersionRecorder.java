package dev.rewind.adapter.config;

import dev.rewind.config.Target;
import dev.rewind.config.Secrets;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.WatcherException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Records every version of the configured ConfigMaps and Secrets as it appears, because Kubernetes
 * keeps no history of them. For each object it reads the current content at start (so there is
 * always a "current" version), then watches it; a watch that closes is re-established after a
 * back-off, re-reading the object first so nothing in between is missed. Started by the
 * composition root, closed at shutdown. Several replicas may record the same objects: the history
 * is idempotent.
 */
public final class ConfigVersionRecorder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigVersionRecorder.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LONGEST_RETRY = Duration.ofMinutes(1);

    private final ConfigObjects objects;
    private final ConfigHistory history;
    private final Secrets secrets;
    private final Clock clock;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "rewind-config-recorder");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Watched> watched = new ArrayList<>();
    private volatile boolean closed;

    public ConfigVersionRecorder(KubernetesClient client, ConfigHistory history, Secrets secrets, Clock clock) {
        this.objects = new ConfigObjects(client);
        this.history = history;
        this.secrets = secrets;
        this.clock = clock;
    }

    /**
     * Starts recording every distinct object named by the {@code config} targets among {@code targets};
     * returns at once (reads and watches happen in the background and are retried until closed).
     */
    public synchronized void start(List<Target> targets) {
        Map<ConfigRef, ConfigTarget> distinct = new LinkedHashMap<>();
        for (Target target : targets) {
            if (target.type().equals(ConfigAdapter.TYPE)) {
                ConfigTarget config = ConfigTarget.of(target);
                distinct.merge(config.ref(), config, ConfigVersionRecorder::preferSealing);
            }
        }
        for (ConfigTarget config : distinct.values()) {
            Watched object = new Watched(config);
            watched.add(object);
            scheduler.execute(object::sync);
        }
        if (!distinct.isEmpty()) {
            LOG.info("Recording versions of {}", distinct.keySet());
        }
    }

    /** Two services naming the same Secret: keep the values if either may. */
    private static ConfigTarget preferSealing(ConfigTarget a, ConfigTarget b) {
        return a.storeSecretValues() && a.keyEnv().isPresent() ? a : b;
    }

    @Override
    public synchronized void close() {
        closed = true;
        scheduler.shutdownNow();
        watched.forEach(Watched::stop);
    }

    /** One object: its last recorded content, its watch, and the back-off for re-establishing it. */
    private final class Watched {
        private final ConfigTarget target;
        private Watch watch;
        private String lastRecorded = "";
        private Duration retry = FIRST_RETRY;
        private boolean warnedAboutValues;

        Watched(ConfigTarget target) {
            this.target = target;
        }

        /** Reads the object, records it, and watches it from there. Runs on the scheduler thread. */
        void sync() {
            if (closed) {
                return;
            }
            try {
                Optional<HasMetadata> current = objects.find(target.ref());
                current.ifPresentOrElse(this::observe,
                        () -> LOG.warn("{} does not exist yet; its versions are recorded once it is created", target.ref()));
                String from = current.map(o -> o.getMetadata().getResourceVersion()).orElse(null);
                synchronized (this) {
                    stopWatch();
                    watch = objects.watch(target.ref(), from, this::observe, this::closedUnexpectedly);
                    retry = FIRST_RETRY;
                }
            } catch (RuntimeException e) {
                LOG.warn("Cannot record versions of {} ({}); trying again in {} s", target.ref(), e.getMessage(),
                        retry.toSeconds());
                again();
            }
        }

        synchronized void observe(HasMetadata object) {
            SecretValues values = SecretValues.of(target, secrets);
            if (target.isSecret() && values.sealer().isEmpty() && !warnedAboutValues) {
                warnedAboutValues = true;
                LOG.warn("Only digests of {} are recorded because {}: Rewind will not be able to roll it back",
                        target.ref(), values.whyNot());
            }
            ConfigVersion observed = ConfigContent.observe(target.ref(), object, clock.instant(), values.sealer(),
                    SecretDigests.of(target, secrets, history.digestKey()));
            if (observed.id().equals(lastRecorded)) {
                return;
            }
            try {
                // Content recorded before digests were keyed keeps its version: it is not recorded again.
                String unkeyedId = ConfigContent.observeUnkeyed(target.ref(), object, clock.instant()).id();
                if (target.isSecret() && history.find(target.ref(), unkeyedId).isPresent()) {
                    lastRecorded = observed.id();
                    return;
                }
                ConfigVersion stored = history.record(observed);
                lastRecorded = stored.id();
                LOG.info("{}: version v{} ({}) recorded", target.ref(), stored.number(), stored.id());
            } catch (RuntimeException e) {
                LOG.error("Cannot store a version of {}; it is recorded when the watch is re-established", target.ref(), e);
                stopWatch();
                again();
            }
        }

        private void closedUnexpectedly(WatcherException cause) {
            LOG.info("Watch on {} closed ({}); re-establishing it", target.ref(), cause.getMessage());
            again();
        }

        private synchronized void again() {
            if (closed) {
                return;
            }
            Duration wait = retry;
            retry = retry.multipliedBy(2).compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : retry.multipliedBy(2);
            try {
                scheduler.schedule(this::sync, wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closing: nothing more to record
            }
        }

        synchronized void stop() {
            stopWatch();
        }

        private void stopWatch() {
            if (watch != null) {
                watch.close();
                watch = null;
            }
        }
    }
}
