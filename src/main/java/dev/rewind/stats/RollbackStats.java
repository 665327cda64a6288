package dev.rewind.stats;

import dev.rewind.assess.Tier;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.Trigger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The playbook's figures from stored runs. Pure: a function of the runs, the window and the moment it
 * is asked, so it is tested with a table of histories.
 */
public final class RollbackStats {

    /** The playbook's target for the success rate. */
    public static final double SUCCESS_TARGET = 0.99;

    /** The playbook's recovery target; a constant until {@code targets.recovery} is configurable. */
    public static final Duration RECOVERY_TARGET = Duration.ofSeconds(300);

    /** The playbook's decision deadlines; constants until {@code deadlines:} is configurable. */
    public static final Map<Tier, Duration> DEADLINES = Collections.unmodifiableMap(new EnumMap<>(Map.of(
            Tier.IMMEDIATE, Duration.ofMinutes(5),
            Tier.FAST, Duration.ofMinutes(30),
            Tier.PLANNED, Duration.ofHours(2))));

    /** The name of the last step of every rollback: waiting for the target and its signals to recover. */
    public static final String VERIFICATION = "verification";

    private RollbackStats() {
    }

    /** The figures for {@code runs} (those opened in {@code window} before {@code now}) of {@code service}. */
    public static StatsReport of(Optional<String> service, StatsWindow window, Instant now, List<PastRun> runs) {
        return of(service, window, now, runs, name -> DEADLINES);
    }

    /**
     * As above, with each service's own decision deadlines ({@code deadlines:} in rewind.yml): a decision is late
     * against its service's deadline; the deadline shown is the service's, or the default over all services.
     */
    public static StatsReport of(Optional<String> service, StatsWindow window, Instant now, List<PastRun> runs,
                                 java.util.function.Function<String, Map<Tier, Duration>> deadlinesOf) {
        Instant from = now.minus(window.length());
        List<PastRun> inWindow = runs.stream()
                .filter(run -> !run.createdAt().isBefore(from) && !run.createdAt().isAfter(now))
                .filter(run -> service.isEmpty() || service.get().equals(run.service()))
                .toList();
        // Drills are rehearsals: they have their own figures (/rollback drills), not the incidents'.
        List<PastRun> real = inWindow.stream().filter(run -> !run.dryRun() && run.trigger() != Trigger.DRILL).toList();

        Map<RunState, Integer> outcomes = new EnumMap<>(RunState.class);
        real.stream().filter(run -> run.state().isFinal()).forEach(run -> outcomes.merge(run.state(), 1, Integer::sum));
        int open = (int) real.stream().filter(run -> !run.state().isFinal()).count();

        // A run changed something once it started executing; ABORTED ones never did.
        List<PastRun> finished = real.stream()
                .filter(run -> run.state().isFinal() && run.startedAt().isPresent() && run.state() != RunState.ABORTED)
                .toList();
        int succeeded = (int) finished.stream().filter(run -> run.state() == RunState.SUCCEEDED).count();

        List<Duration> recoveries = finished.stream()
                .filter(run -> run.state() == RunState.SUCCEEDED && run.finishedAt().isPresent())
                .map(run -> Duration.between(run.createdAt(), run.finishedAt().get()))
                .toList();

        List<PastRun> started = real.stream().filter(run -> run.startedAt().isPresent()).toList();
        int automatic = (int) started.stream().filter(run -> automatic(run.trigger())).count();

        Map<Tier, StatsReport.Decisions> decisions = new EnumMap<>(Tier.class);
        Map<Tier, Duration> shown = service.map(deadlinesOf).orElse(DEADLINES);
        DEADLINES.keySet().forEach(tier -> {
            Duration deadline = shown.getOrDefault(tier, DEADLINES.get(tier));
            List<PastRun> decided = real.stream().filter(run -> run.tier().equals(Optional.of(tier)))
                    .filter(run -> decidedAt(run).isPresent()).toList();
            List<Duration> times = decided.stream()
                    .map(run -> Duration.between(run.createdAt(), decidedAt(run).orElseThrow())).toList();
            int late = (int) decided.stream().filter(run -> Duration.between(run.createdAt(), decidedAt(run).orElseThrow())
                    .compareTo(deadlinesOf.apply(run.service()).getOrDefault(tier, DEADLINES.get(tier))) > 0).count();
            decisions.put(tier, new StatsReport.Decisions(times.size(), percentile(times, 50), percentile(times, 90),
                    deadline, late));
        });

        return new StatsReport(service, window, from, now, outcomes, inWindow.size() - real.size(), open,
                new StatsReport.Success(succeeded, finished.size(), SUCCESS_TARGET),
                new StatsReport.Recovery(recoveries.size(), percentile(recoveries, 50), percentile(recoveries, 90),
                        RECOVERY_TARGET),
                new StatsReport.Automation(automatic, started.size()), decisions, slowestStep(started));
    }

    /** Whether nobody had to ask for it: a policy or the deploy guard triggered it. */
    static boolean automatic(Trigger trigger) {
        return trigger == Trigger.POLICY || trigger == Trigger.GUARD;
    }

    /**
     * When people decided on the card: when it was dismissed (or its request withdrawn), else the last approval
     * once the run moved on from awaiting approval. Undecided cards have none.
     */
    static Optional<Instant> decidedAt(PastRun run) {
        if (run.dismissed().isPresent()) {
            return run.dismissed();
        }
        if (run.state() == RunState.ASSESSED || run.state() == RunState.AWAITING_APPROVAL) {
            return Optional.empty();
        }
        return run.approvals().stream().max(Comparator.naturalOrder());
    }

    /**
     * Each plan step takes from the end of the previous one (or the start of execution) to its own end;
     * verification from the last step to the run's success. The slowest is the one with the longest median.
     */
    private static Optional<StatsReport.SlowStep> slowestStep(List<PastRun> started) {
        Map<String, List<Duration>> times = new LinkedHashMap<>();
        for (PastRun run : started) {
            if (run.steps().isEmpty()) {
                continue;
            }
            Instant previous = run.startedAt().orElseThrow();
            for (PastRun.Step step : run.steps()) {
                times.computeIfAbsent(step.target(), key -> new ArrayList<>())
                        .add(Duration.between(previous, step.finishedAt()));
                previous = step.finishedAt();
            }
            if (run.state() == RunState.SUCCEEDED && run.finishedAt().isPresent()) {
                times.computeIfAbsent(VERIFICATION, key -> new ArrayList<>())
                        .add(Duration.between(previous, run.finishedAt().get()));
            }
        }
        return times.entrySet().stream()
                .map(e -> new StatsReport.SlowStep(e.getKey(), percentile(e.getValue(), 50).orElseThrow(), e.getValue().size()))
                .max(Comparator.comparing(StatsReport.SlowStep::p50)
                        .thenComparing(StatsReport.SlowStep::step, Comparator.reverseOrder()));
    }

    /** Nearest-rank percentile: the smallest value with at least {@code p}% of the values at or below it. */
    static Optional<Duration> percentile(List<Duration> values, int p) {
        if (values.isEmpty()) {
            return Optional.empty();
        }
        List<Duration> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return Optional.of(sorted.get(Math.max(rank, 1) - 1));
    }
}
