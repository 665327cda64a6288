package dev.rewind.guard;

import dev.rewind.assess.Assessor;
import dev.rewind.config.DurationText;
import dev.rewind.config.PolicyRule;
import dev.rewind.config.ServiceConfig;
import dev.rewind.rollback.AuditLog;
import dev.rewind.rollback.AutoRollback;
import dev.rewind.rollback.Catalogues;
import dev.rewind.rollback.IncidentChannel;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RuleConditions;
import dev.rewind.rollback.RunOpenings;
import dev.rewind.rollback.Trigger;
import dev.rewind.signals.ProbeAnswer;
import dev.rewind.signals.Probes;
import dev.rewind.signals.Reading;
import dev.rewind.signals.SignalSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Evaluates every guard that is due: each guardable rule of the service against the numbers now and before the
 * deploy, and its probes. The first rule that holds opens the service's card (or joins the one already open) and
 * applies its action through {@link AutoRollback}, so approvals, cooldown, attempts, {@code autoRollback} and
 * "never the same deploy twice" hold exactly as for alerts. A window that ends with no rule holding ends the guard
 * quietly ({@code healthy}, in the audit log). Called periodically on one replica at a time.
 */
public final class GuardEvaluator {

    /** Guards evaluated per tick at most; the rest wait for the next tick (their lag shows it). */
    static final int BATCH = 2_000;
    private static final int BASELINES_KEPT = 20_000;

    private final Catalogues catalogues;
    private final GuardStore store;
    private final SignalSource signals;
    private final Probes probes;
    private final RunOpenings openings;
    private final AutoRollback auto;
    private final AuditLog audit;
    private final IncidentChannel channel;
    private final GuardMetrics metrics;
    private final Executor queries;
    private final Duration timeout;
    private final Clock clock;
    private final Map<String, Reading> baselines = new ConcurrentHashMap<>();

    /**
     * @param queries the pool the numbers and probes are asked on: its size bounds how many are in flight at once
     * @param timeout how long one query may take (the card's own bound)
     */
    public GuardEvaluator(Catalogues catalogues, GuardStore store, SignalSource signals, Probes probes, RunOpenings openings,
                          AutoRollback auto, AuditLog audit, IncidentChannel channel, GuardMetrics metrics, Executor queries,
                          Duration timeout, Clock clock) {
        this.catalogues = catalogues;
        this.store = store;
        this.signals = signals;
        this.probes = probes;
        this.openings = openings;
        this.auto = auto;
        this.audit = audit;
        this.channel = channel;
        this.metrics = metrics;
        this.queries = queries;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** Evaluates every due guard once. @return how many were evaluated */
    public int evaluateDue() {
        Instant now = clock.instant();
        List<DeployGuard> due = store.due(now, BATCH);
        if (due.isEmpty()) {
            return 0;
        }
        if (baselines.size() > BASELINES_KEPT) {
            baselines.clear();
        }
        TickReadings tick = new TickReadings(signals, probes, queries, timeout, baselines);
        // Ask everything first (shared queries once), then judge each guard as its answers come in.
        List<Pending> pending = new ArrayList<>();
        for (DeployGuard guard : due) {
            Optional<ServiceConfig> service = catalogues.service(guard.service());
            if (service.isEmpty()) {
                store.end(guard.id(), GuardStatus.HEALTHY, Optional.empty(), Optional.of("the service left the catalogue"), now);
                continue;
            }
            pending.add(ask(guard, service.get(), tick, now));
        }
        pending.forEach(p -> judge(p, now));
        return pending.size();
    }

    /** One rule's questions for this tick. */
    private record Asked(PolicyRule rule, Optional<CompletableFuture<Reading>> now,
                         Optional<CompletableFuture<Reading>> baseline, Optional<CompletableFuture<ProbeAnswer>> probe) {
    }

    private record Pending(DeployGuard guard, ServiceConfig service, List<Asked> rules) {
    }

    private Pending ask(DeployGuard guard, ServiceConfig service, TickReadings tick, Instant now) {
        Instant before = guard.deployedAt().minus(Assessor.BASELINE_MARGIN);
        List<Asked> asked = new ArrayList<>();
        for (PolicyRule rule : service.policy()) {
            if (!rule.guardable()) {
                continue;
            }
            Optional<String> query = rule.signal().map(service.signals()::get);
            asked.add(new Asked(rule, query.map(q -> tick.now(q, now)),
                    query.filter(q -> rule.limits().needsBaseline()).map(q -> tick.baseline(q, before)),
                    rule.probe().map(service.probes()::get).map(tick::probe)));
        }
        return new Pending(guard, service, asked);
    }

    /** One rule's verdict at this evaluation. @param judged a number for its signal or an answer from its probe came back */
    private record Verdict(RuleProgress progress, Optional<String> fired, boolean holding, boolean unreadable, boolean judged) {
    }

    private void judge(Pending pending, Instant now) {
        DeployGuard guard = pending.guard();
        Duration lag = Duration.between(guard.nextCheckAt(), clock.instant());
        Map<String, RuleProgress> progress = new HashMap<>();
        Optional<PolicyRule> firedRule = Optional.empty();
        String firedWhy = "";
        boolean holding = false;
        boolean unreadable = false;
        boolean judged = false;
        for (Asked asked : pending.rules()) {
            Verdict verdict = verdict(guard, asked, now);
            progress.put(asked.rule().name(), verdict.progress());
            holding |= verdict.holding();
            unreadable |= verdict.unreadable();
            judged |= verdict.judged();
            if (firedRule.isEmpty() && verdict.fired().isPresent()) {
                firedRule = Optional.of(asked.rule());
                firedWhy = verdict.fired().get();
            }
        }
        if (!store.checked(guard.id(), guard.checks(), next(guard, now), progress, judged)) {
            return;
        }
        if (firedRule.isPresent()) {
            metrics.evaluated("triggered", lag);
            trigger(guard, pending.service(), firedRule.get(), firedWhy, now);
        } else if (!now.isBefore(guard.endsAt())) {
            boolean blind = guard.judgedChecks() == 0 && !judged;
            metrics.evaluated(blind || unreadable ? "unreadable" : "clear", lag);
            if (blind) {
                unjudged(guard, pending.service(), now);
            } else {
                healthy(guard, pending.service(), now);
            }
        } else {
            metrics.evaluated(holding ? "holding" : unreadable ? "unreadable" : "clear", lag);
        }
    }

    private Verdict verdict(DeployGuard guard, Asked asked, Instant now) {
        PolicyRule rule = asked.rule();
        RuleProgress before = guard.rules().getOrDefault(rule.name(), RuleProgress.NONE);
        Duration age = Duration.between(guard.deployedAt(), now);
        if (rule.minSinceDeploy().filter(min -> age.compareTo(min) < 0).isPresent()
                || rule.maxSinceDeploy().filter(max -> age.compareTo(max) > 0).isPresent()) {
            return new Verdict(RuleProgress.NONE, Optional.empty(), false, false, false);
        }
        List<String> why = new ArrayList<>();
        boolean unreadable = false;
        boolean limitsHeld = false;
        if (asked.now().isPresent()) {
            Reading reading = asked.now().get().join();
            Optional<Double> baseline = asked.baseline().map(CompletableFuture::join)
                    .filter(Reading.Value.class::isInstance).map(r -> ((Reading.Value) r).value());
            unreadable = !(reading instanceof Reading.Value);
            Optional<String> held = reading instanceof Reading.Value value ? RuleConditions.signal(rule.limits(),
                    rule.signal().orElseThrow(), value.value(), baseline, "before " + guard.label()) : Optional.empty();
            limitsHeld = held.isPresent();
            held.ifPresent(why::add);
        }
        Optional<ProbeAnswer> answer = asked.probe().map(CompletableFuture::join);
        boolean probeFailed = answer.filter(a -> !a.ok()).isPresent();
        RuleProgress progress = before.next(limitsHeld, probeFailed, now);
        boolean signalDone = asked.now().isEmpty() || limitsHeld
                && progress.heldFor(now).compareTo(rule.sustained().orElse(Duration.ZERO)) >= 0;
        boolean probeDone = asked.probe().isEmpty() || progress.probeFailures() >= rule.failures();
        if (limitsHeld && rule.sustained().isPresent()) {
            why.set(why.size() - 1, why.get(why.size() - 1) + ", for " + DurationText.format(progress.heldFor(now).withNanos(0)));
        }
        answer.filter(a -> !a.ok()).ifPresent(a -> why.add("probe " + a.detail() + " (" + progress.probeFailures()
                + (progress.probeFailures() == 1 ? " failure" : " failures in a row") + ")"));
        Optional<String> fired = signalDone && probeDone ? Optional.of(String.join("; ", why)) : Optional.empty();
        boolean judged = asked.now().isPresent() && !unreadable || answer.isPresent();
        return new Verdict(progress, fired, limitsHeld || probeFailed, unreadable, judged);
    }

    /** A window in which no rule held ends quietly; the channel hears of it only with {@code guard: {announce: true}}. */
    private void healthy(DeployGuard guard, ServiceConfig service, Instant now) {
        if (store.end(guard.id(), GuardStatus.HEALTHY, Optional.empty(), Optional.empty(), now)) {
            String healthy = guard.label() + " healthy: no rule held in " + watchedFor(guard, now) + " (" + checksMade(guard)
                    + " checks)";
            audit.record(DeployGuards.ACTOR, "deploy guard ended", Optional.empty(), guard.service(), healthy);
            if (service.guard().filter(ServiceConfig.Guard::announce).isPresent()) {
                channel.announce(service.channel(), ":white_check_mark: Deploy guard: " + guard.service() + " " + healthy);
            }
        }
    }

    private static String watchedFor(DeployGuard guard, Instant now) {
        return DurationText.format(Duration.between(guard.startedAt(), now).withNanos(0));
    }

    /** The checks made, this last one included. */
    private static int checksMade(DeployGuard guard) {
        return guard.checks() + 1;
    }

    /**
     * A window with nothing to judge by (Prometheus down or the queries without data, the whole time) ends
     * UNJUDGED, not healthy, and the service's channel is told whatever {@code announce} says: nobody should
     * read silence as a clean release.
     */
    private void unjudged(DeployGuard guard, ServiceConfig service, Instant now) {
        String why = guard.label() + " was not judged: none of its " + checksMade(guard) + " checks in " + watchedFor(guard, now)
                + " got a number for a rule's signal or a probe's answer (is Prometheus reachable, and do the queries return data?)";
        if (store.end(guard.id(), GuardStatus.UNJUDGED, Optional.empty(), Optional.of(why), now)) {
            audit.record(DeployGuards.ACTOR, "deploy guard ended", Optional.empty(), guard.service(), why);
            channel.announce(service.channel(), ":warning: Deploy guard: " + guard.service() + " " + why);
        }
    }

    private void trigger(DeployGuard guard, ServiceConfig service, PolicyRule rule, String why, Instant now) {
        String sentence = rule.name() + " — " + why;
        RollbackRun run = openings.openRun(service, new RunOpenings.Opening(Trigger.GUARD, DeployGuards.ACTOR, sentence,
                Set.of(), false, service.channel(), Optional.empty(), Optional.empty())).run();
        if (!store.end(guard.id(), GuardStatus.TRIGGERED, Optional.of(run.id()), Optional.of(sentence), now)) {
            return;
        }
        audit.record(DeployGuards.ACTOR, "deploy guard triggered", Optional.of(run.id()), service.name(),
                guard.label() + ": policy '" + rule.name() + "' held (" + why + "); action " + rule.action().name()
                        .toLowerCase(Locale.ROOT));
        metrics.triggered(rule.name(), rule.action().name().toLowerCase(Locale.ROOT));
        auto.act(service, run, rule, "deploy guard, policy '" + rule.name() + "': " + why, Optional.empty());
    }

    /** The next evaluation, on the guard's own beat; a guard that fell behind skips the beats it missed. */
    static Instant next(DeployGuard guard, Instant now) {
        Instant next = guard.nextCheckAt().plus(guard.interval());
        if (!next.isAfter(now)) {
            long behind = Duration.between(next, now).toMillis() / guard.interval().toMillis() + 1;
            next = next.plus(guard.interval().multipliedBy(behind));
        }
        return next;
    }
}
