package dev.rewind.rollback;

import dev.rewind.config.DurationText;
import dev.rewind.config.ServiceConfig;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * The watch after "Recovered": for {@code verification.watch} [1h], every {@code interval}, the service's signals
 * and probes are judged again as verification judged them. {@code checks} failures in a row are a relapse: the
 * recovered run's card and incident room say so ("Relapsed 23m after recovery: error rate still 9.0% …") with the
 * on-call group mentioned, and a new card is opened (it names the recovered one) so people can act again. A watch
 * that ends quietly says "Watched 1h after recovery: stable". Watches are stored: a restart carries them on.
 */
public final class RecoveryWatch {

    private final Catalogues catalogues;
    private final RunRepository runs;
    private final RecoveryWatches watches;
    private final Verifier verifier;
    private final RunOpenings openings;
    private final RunTimeline timeline;
    private final RunViews views;
    private final AuditLog audit;
    private final Clock clock;
    private final RunObserver observer;

    public RecoveryWatch(Catalogues catalogues, RunRepository runs, RecoveryWatches watches, Verifier verifier, RunOpenings openings,
                         RunTimeline timeline, RunViews views, AuditLog audit, RunObserver observer, Clock clock) {
        this.observer = observer;
        this.catalogues = catalogues;
        this.runs = runs;
        this.watches = watches;
        this.verifier = verifier;
        this.openings = openings;
        this.timeline = timeline;
        this.views = views;
        this.audit = audit;
        this.clock = clock;
    }

    /** Starts the watch of every run that recovers (the engine's observer). */
    public static RunObserver starter(Catalogues catalogues, RecoveryWatches watches, Clock clock) {
        return new RunObserver() {
            @Override
            public void finished(RollbackRun run, String adapterType) {
                Optional<ServiceConfig> service = catalogues.service(run.service());
                if (run.dryRun() || run.state() != RunState.SUCCEEDED || service.isEmpty()
                        || service.get().verification().watch().isZero()) {
                    return;
                }
                Instant now = clock.instant();
                watches.start(new RecoveryWatches.Watch(run.id(), run.service(), now,
                        now.plus(service.get().verification().watch()), 0), now.plus(service.get().verification().interval()));
            }
        };
    }

    /** Makes every check that is due; called periodically. @return how many watches ended */
    public int check() {
        int ended = 0;
        Instant now = clock.instant();
        for (RecoveryWatches.Watch watch : watches.due(now)) {
            Optional<ServiceConfig> service = catalogues.service(watch.service());
            Optional<RollbackRun> run = runs.find(watch.runId());
            if (service.isEmpty() || run.isEmpty()) {
                watches.end(watch.runId());
                continue;
            }
            ServiceConfig.Verification rules = service.get().verification();
            if (!now.isBefore(watch.until())) {
                if (watches.end(watch.runId())) {
                    say(watch.runId(), "Watched " + DurationText.format(rules.watch()) + " after recovery: stable");
                    ended++;
                }
                continue;
            }
            RecoveryJudge.Judgement judgement = verifier.watchCheck(service.get(), run.get().assessment());
            int failures = judgement.verdict() == RecoveryJudge.Verdict.FAIL ? watch.failures() + 1 : 0;
            if (failures < rules.checks()) {
                watches.checked(watch.runId(), failures, now.plus(rules.interval()));
                continue;
            }
            if (watches.end(watch.runId())) {
                relapse(run.get(), service.get(), Duration.between(watch.startedAt(), now), judgement.detail());
                ended++;
            }
        }
        return ended;
    }

    private void relapse(RollbackRun run, ServiceConfig service, Duration after, String detail) {
        String when = "Relapsed " + DurationText.format(after.withNanos(0)) + " after recovery";
        String safe = Mentions.neutralise(detail);
        say(run.id(), when + ": " + safe + service.oncall().map(group -> ". " + Mentions.token(group) + ", please look")
                .orElse("") + "; a new card is open to act again");
        audit.record("rewind", "relapse", Optional.of(run.id()), run.service(), when + ": " + detail);
        openings.openRun(service, new RunOpenings.Opening(Trigger.ALERT, "recovery watch",
                when.toLowerCase(java.util.Locale.ROOT) + " of run " + run.id() + ": " + detail, Set.of(), false,
                service.channel(), Optional.empty(), Optional.empty()));
    }

    /**
     * A line on the recovered run's card and in its incident room (written as is so the on-call mention pings), and
     * in its stored report.
     */
    private void say(String runId, String message) {
        RunEvent event = new RunEvent(runId, clock.instant(), RunEvent.Kind.NOTE, message);
        timeline.append(event);
        views.progress(event);
        runs.find(runId).ifPresent(run -> observer.amended(views.view(run)));
    }
}
