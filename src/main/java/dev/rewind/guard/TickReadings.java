package dev.rewind.guard;

import dev.rewind.config.ServiceConfig;
import dev.rewind.signals.ProbeAnswer;
import dev.rewind.signals.Probes;
import dev.rewind.signals.Reading;
import dev.rewind.signals.SignalSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The numbers and probe answers of one evaluation tick, each asked once however many rules and guards share it,
 * on a bounded pool (the limit on what the guard asks of Prometheus at once), each bounded by {@code timeout}.
 * Baselines do not change once a deploy is past, so their numbers are kept across ticks in {@code baselines}.
 */
final class TickReadings {

    private final SignalSource signals;
    private final Probes probes;
    private final Executor pool;
    private final Duration timeout;
    private final Map<String, Reading> baselines;
    private final Map<String, CompletableFuture<Reading>> readings = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<ProbeAnswer>> answers = new ConcurrentHashMap<>();

    TickReadings(SignalSource signals, Probes probes, Executor pool, Duration timeout, Map<String, Reading> baselines) {
        this.signals = signals;
        this.probes = probes;
        this.pool = pool;
        this.timeout = timeout;
        this.baselines = baselines;
    }

    CompletableFuture<Reading> now(String query, Instant at) {
        return readings.computeIfAbsent(query + "@" + at.toEpochMilli(), key -> ask(query, at));
    }

    CompletableFuture<Reading> baseline(String query, Instant at) {
        String key = query + "@" + at.toEpochMilli();
        Reading known = baselines.get(key);
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        return readings.computeIfAbsent(key, k -> ask(query, at).thenApply(reading -> {
            if (reading instanceof Reading.Value) {
                baselines.put(k, reading);
            }
            return reading;
        }));
    }

    CompletableFuture<ProbeAnswer> probe(ServiceConfig.Probe probe) {
        return answers.computeIfAbsent(probe.name() + " " + probe.url(), key -> CompletableFuture.supplyAsync(
                        () -> probes.probe(probe.name(), probe.url(), probe.expect(), probe.timeout(), probe.bodyContains()), pool)
                .completeOnTimeout(new ProbeAnswer(probe.name(), false, probe.name() + " did not answer within "
                        + probe.timeout().toMillis() + " ms"), probe.timeout().plus(timeout).toMillis(), TimeUnit.MILLISECONDS));
    }

    private CompletableFuture<Reading> ask(String query, Instant at) {
        return CompletableFuture.supplyAsync(() -> signals.query(query, at), pool).completeOnTimeout(
                new Reading.Unavailable("no answer within " + timeout.toSeconds() + " s"), timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
