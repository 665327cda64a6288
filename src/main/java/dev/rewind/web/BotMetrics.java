package dev.rewind.web;

import dev.rewind.alerts.AlertmanagerPayload;
import dev.rewind.assess.Assessment;
import dev.rewind.assess.Tier;
import dev.rewind.config.Catalogue;
import dev.rewind.config.ServiceConfig;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunObserver;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.Trigger;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * Rewind's own metrics, served on {@code GET /metrics} with the JVM's. Labelled counters are pre-set to 0 for
 * every label set known at start-up ({@link #preset}), so {@code increase()} sees the first event of each: a
 * series that appears at 1 looks to Prometheus as if nothing had happened.
 */
public final class BotMetrics implements RunObserver {

    private static final Logger LOG = LoggerFactory.getLogger(BotMetrics.class);

    /** The ends the engine reports through {@link #finished}: a rollback that changed something, however it ended. */
    static final Set<RunState> ENDS = EnumSet.of(RunState.SUCCEEDED, RunState.FAILED, RunState.NOT_RECOVERED,
            RunState.INTERRUPTED);

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter rollbacks;
    private final Histogram duration;
    private final Histogram timeToRecovery;
    private final Histogram decision;
    private final Counter alerts;
    private final Counter slackErrors;

    public BotMetrics(IntSupplier activeRuns) {
        JvmMetrics.builder().register(registry);
        rollbacks = Counter.builder().name("rewind_rollbacks_total")
                .help("Rollbacks that reached an end, by service, adapter, outcome and what triggered them")
                .labelNames("service", "adapter", "outcome", "trigger").register(registry);
        duration = Histogram.builder().name("rewind_rollback_duration_seconds")
                .help("From the start of execution to the end of a rollback")
                .classicUpperBounds(5, 15, 30, 60, 120, 300, 600, 1200, 3600)
                .register(registry);
        timeToRecovery = Histogram.builder().name("rewind_time_to_recovery_seconds")
                .help("From detection (card opened) to a verified, stable recovery")
                .classicUpperBounds(30, 60, 120, 300, 600, 900, 1800, 3600, 7200)
                .register(registry);
        decision = Histogram.builder().name("rewind_decision_seconds")
                .help("From the card to the approval that let a rollback go ahead, by the card's tier; dry runs apart")
                .labelNames("tier")
                // The tier deadlines (5m, 30m, 2h) are bucket bounds, so "decided within the deadline" is exact.
                .classicUpperBounds(30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400)
                .register(registry);
        alerts = Counter.builder().name("rewind_alerts_received_total")
                .help("Alerts received, from any source").labelNames("source").register(registry);
        slackErrors = Counter.builder().name("rewind_slack_api_errors_total")
                .help("Slack Web API calls that failed, by method").labelNames("method").register(registry);
        GaugeWithCallback.builder().name("rewind_active_runs")
                .help("Runs that hold a target: awaiting approval, approved, executing or verifying")
                .callback(callback -> {
                    // Counted from the database: while it is down the gauge is left out, so /metrics still
                    // answers and rewind_dependency_up{dependency="database"} 0 can be scraped.
                    try {
                        callback.call(activeRuns.getAsInt());
                    } catch (RuntimeException databaseDown) {
                        LOG.debug("rewind_active_runs left out: {}", databaseDown.getMessage());
                    }
                })
                .register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /**
     * Sets every rollback counter of the catalogue's services (service × adapter × end × trigger), every
     * decision histogram (tier) and the Alertmanager alert counter to 0, so the first of each is an increase.
     */
    public void preset(Catalogue catalogue) {
        for (ServiceConfig service : catalogue.services()) {
            for (RunState end : ENDS) {
                for (Trigger trigger : Trigger.values()) {
                    rollbacks.initLabelValues(service.name(), service.primaryTarget().type(), label(end), label(trigger));
                }
            }
        }
        for (Tier tier : Tier.values()) {
            decision.initLabelValues(tier.name());
        }
        alerts.initLabelValues(AlertmanagerPayload.SOURCE);
    }

    @Override
    public void finished(RollbackRun run, String adapterType) {
        rollbacks.labelValues(run.service(), adapterType, label(run.state()), label(run.trigger())).inc();
        run.startedAt().ifPresent(start -> run.finishedAt().ifPresent(end ->
                duration.observe(Duration.between(start, end).toMillis() / 1000.0)));
        if (run.state() == RunState.SUCCEEDED) {
            run.finishedAt().ifPresent(end -> timeToRecovery.observe(
                    Duration.between(run.createdAt(), end).toMillis() / 1000.0));
        }
    }

    @Override
    public void approved(RollbackRun run, Instant at) {
        if (run.dryRun()) {
            return;
        }
        Tier tier = run.assessment().map(Assessment::tier).orElse(Tier.UNKNOWN);
        decision.labelValues(tier.name()).observe(Math.max(0, Duration.between(run.createdAt(), at).toMillis()) / 1000.0);
    }

    public void alertReceived(String source) {
        alerts.labelValues(source).inc();
    }

    public void slackError(String method) {
        slackErrors.labelValues(method).inc();
    }

    private static String label(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
