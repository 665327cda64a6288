package dev.rewind.web;

import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunObserver;
import dev.rewind.rollback.RunState;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;
import java.util.function.IntSupplier;

/** Rewind's own metrics, served on {@code GET /metrics} with the JVM's. */
public final class BotMetrics implements RunObserver {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter rollbacks;
    private final Histogram duration;
    private final Histogram timeToRecovery;
    private final Counter alerts;
    private final Counter slackErrors;

    public BotMetrics(IntSupplier activeRuns) {
        JvmMetrics.builder().register(registry);
        rollbacks = Counter.builder().name("rewind_rollbacks_total")
                .help("Rollbacks that reached an end, by service, adapter and outcome")
                .labelNames("service", "adapter", "outcome").register(registry);
        duration = Histogram.builder().name("rewind_rollback_duration_seconds")
                .help("From the start of execution to the end of a rollback")
                .classicUpperBounds(5, 15, 30, 60, 120, 300, 600, 1200, 3600)
                .register(registry);
        timeToRecovery = Histogram.builder().name("rewind_time_to_recovery_seconds")
                .help("From detection (card opened) to a verified, stable recovery")
                .classicUpperBounds(30, 60, 120, 300, 600, 900, 1800, 3600, 7200)
                .register(registry);
        alerts = Counter.builder().name("rewind_alerts_received_total")
                .help("Alerts received, from any source").labelNames("source").register(registry);
        slackErrors = Counter.builder().name("rewind_slack_api_errors_total")
                .help("Slack Web API calls that failed, by method").labelNames("method").register(registry);
        GaugeWithCallback.builder().name("rewind_active_runs")
                .help("Runs that hold a target: awaiting approval, approved, executing or verifying")
                .callback(callback -> callback.call(activeRuns.getAsInt()))
                .register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    @Override
    public void finished(RollbackRun run, String adapterType) {
        rollbacks.labelValues(run.service(), adapterType, run.state().name().toLowerCase()).inc();
        run.startedAt().ifPresent(start -> run.finishedAt().ifPresent(end ->
                duration.observe(Duration.between(start, end).toMillis() / 1000.0)));
        if (run.state() == RunState.SUCCEEDED) {
            run.finishedAt().ifPresent(end -> timeToRecovery.observe(
                    Duration.between(run.createdAt(), end).toMillis() / 1000.0));
        }
    }

    public void alertReceived(String source) {
        alerts.labelValues(source).inc();
    }

    public void slackError(String method) {
        slackErrors.labelValues(method).inc();
    }
}
