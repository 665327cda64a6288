package dev.rewind.assess;

import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.adapter.Revision;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.config.DurationText;
import dev.rewind.config.ServiceConfig;
import dev.rewind.signals.Reading;
import dev.rewind.signals.SignalSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Gathers an {@link Assessment}: every target described and every signal queried now and at its
 * baseline, all in parallel, each bounded by a timeout so a slow dependency costs seconds, not the card.
 */
public final class Assessor {

    /** How far before a deploy the baseline is read, so the deploy's own rollout is not in it. */
    public static final Duration BASELINE_MARGIN = Duration.ofMinutes(5);
    /** Deploys older than this are not used as a baseline point; the offset window is used instead. */
    static final Duration BASELINE_MAX_AGE = Duration.ofDays(7);

    private final AdapterRegistry adapters;
    private final SignalSource signals;
    private final ExecutorService executor;
    private final Clock clock;
    private final Duration describeTimeout;
    private final Duration baselineOffset;

    public Assessor(AdapterRegistry adapters, SignalSource signals, ExecutorService executor, Clock clock,
                    Duration describeTimeout, Duration baselineOffset) {
        this.adapters = adapters;
        this.signals = signals;
        this.executor = executor;
        this.clock = clock;
        this.describeTimeout = describeTimeout;
        this.baselineOffset = baselineOffset;
    }

    public Assessment assess(ServiceConfig service, Set<String> flags) {
        Instant now = clock.instant();
        List<CompletableFuture<TargetView>> described = service.targets().stream()
                .map(target -> CompletableFuture.supplyAsync(() -> TargetView.describe(adapters, target), executor)
                        .completeOnTimeout(TargetView.failed(target.describe(), target.type(),
                                "no answer within " + describeTimeout.toSeconds() + " s"), describeTimeout.toMillis(),
                                TimeUnit.MILLISECONDS))
                .toList();
        Map<String, CompletableFuture<Reading>> current = new LinkedHashMap<>();
        service.signals().forEach((name, query) -> current.put(name, bounded(() -> signals.query(query, now))));

        List<TargetView> targets = described.stream().map(CompletableFuture::join).toList();
        Optional<Instant> deployedAt = targets.get(0).state().map(TargetState::current).flatMap(Revision::createdAt);
        Baseline baseline = baselineFor(now, deployedAt, targets.get(0).state().map(s -> s.current().label()));
        Map<String, CompletableFuture<Reading>> before = new LinkedHashMap<>();
        service.signals().forEach((name, query) -> before.put(name, bounded(() -> signals.query(query, baseline.at()))));

        Optional<Baseline> fallback = previousWindow(now, deployedAt, targets.get(0).state().flatMap(TargetState::previous));
        List<SignalReading> readings = new ArrayList<>();
        service.signals().forEach((name, query) -> {
            Reading then = before.get(name).join();
            if (!then.hasValue() && fallback.isPresent()) {
                // Nothing before the deploy (a new series, retention shorter than the deploy's age): the
                // previous revision's own window, if it has samples, is the next best thing to compare with.
                Reading earlier = bounded(() -> signals.query(query, fallback.get().at())).join();
                if (earlier.hasValue()) {
                    readings.add(new SignalReading(name, query, current.get(name).join(), earlier, now, fallback.get().at(),
                            fallback.get().basis()));
                    return;
                }
            }
            readings.add(new SignalReading(name, query, current.get(name).join(), then, now, baseline.at(), baseline.basis()));
        });
        Verdict verdict = TierPolicy.decide(readings, flags, service.thresholds());
        return new Assessment(service.name(), service.environment(), targets, readings, verdict, flags, now);
    }

    /** A query on the pool, given up (as unavailable) if it outlives the describe budget. */
    private CompletableFuture<Reading> bounded(java.util.function.Supplier<Reading> query) {
        return CompletableFuture.supplyAsync(query, executor).completeOnTimeout(new Reading.Unavailable(
                "no answer within " + describeTimeout.toSeconds() + " s"), describeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    Baseline baselineFor(Instant now, Optional<Instant> deployedAt, Optional<String> revisionLabel) {
        if (deployedAt.isPresent() && deployedAt.get().isAfter(now.minus(BASELINE_MAX_AGE))) {
            return new Baseline(deployedAt.get().minus(BASELINE_MARGIN),
                    "before " + revisionLabel.orElse("the deploy") + " was deployed");
        }
        return new Baseline(now.minus(baselineOffset), DurationText.format(baselineOffset) + " earlier");
    }

    /** The middle of the time the previous revision ran (from its deploy to the current one's), if both are known. */
    static Optional<Baseline> previousWindow(Instant now, Optional<Instant> deployedAt, Optional<Revision> previous) {
        Optional<Instant> since = previous.flatMap(Revision::createdAt);
        if (deployedAt.isEmpty() || since.isEmpty() || !since.get().isBefore(deployedAt.get())) {
            return Optional.empty();
        }
        Instant middle = since.get().plus(Duration.between(since.get(), deployedAt.get()).dividedBy(2));
        return Optional.of(new Baseline(middle, "in " + previous.get().label() + "'s window, "
                + DurationText.format(Duration.between(middle, now).truncatedTo(java.time.temporal.ChronoUnit.MINUTES)) + " ago"));
    }

    record Baseline(Instant at, String basis) {
    }
}
