package dev.rewind.web;

import dev.rewind.config.Catalogue;
import dev.rewind.config.PolicyRule;
import dev.rewind.config.ServiceConfig;
import dev.rewind.guard.GuardMetrics;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * The deploy guard's metrics: {@code rewind_guards_active}, {@code rewind_guard_evaluations_total{result}},
 * {@code rewind_guard_evaluation_lag_seconds} and {@code rewind_policy_triggers_total{rule,action}}, on the bot's
 * registry. Series known at start-up are pre-set to 0, as {@link BotMetrics} does.
 */
public final class GuardMeters implements GuardMetrics {

    static final List<String> RESULTS = List.of("clear", "holding", "triggered", "unreadable");

    private final Counter evaluations;
    private final Counter triggers;
    private final Histogram lag;

    public GuardMeters(PrometheusRegistry registry, IntSupplier active) {
        evaluations = Counter.builder().name("rewind_guard_evaluations_total")
                .help("Evaluations of deploy guards, by result: clear, holding (a rule's limits held, not yet for long "
                        + "enough), triggered, unreadable (a signal had no number)")
                .labelNames("result").register(registry);
        triggers = Counter.builder().name("rewind_policy_triggers_total")
                .help("Policy rules the deploy guard found holding, by rule and the action applied")
                .labelNames("rule", "action").register(registry);
        lag = Histogram.builder().name("rewind_guard_evaluation_lag_seconds")
                .help("How late a guard's evaluation ran against its schedule")
                .classicUpperBounds(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60).register(registry);
        GaugeWithCallback.builder().name("rewind_guards_active")
                .help("Deploy guards watching a new revision now")
                .callback(callback -> {
                    try {
                        callback.call(active.getAsInt());
                    } catch (RuntimeException databaseDown) {
                        // left out while the database is down, as rewind_active_runs is
                    }
                }).register(registry);
        RESULTS.forEach(result -> evaluations.labelValues(result));
    }

    /** Pre-sets the trigger counter of every rule the guard can judge. */
    public GuardMeters preset(Catalogue catalogue) {
        for (ServiceConfig service : catalogue.services()) {
            for (PolicyRule rule : service.policy()) {
                if (rule.guardable()) {
                    triggers.labelValues(rule.name(), rule.action().name().toLowerCase(Locale.ROOT));
                }
            }
        }
        return this;
    }

    @Override
    public void evaluated(String result, Duration late) {
        evaluations.labelValues(result).inc();
        lag.observe(Math.max(0, late.toMillis()) / 1000.0);
    }

    @Override
    public void triggered(String rule, String action) {
        triggers.labelValues(rule, action).inc();
    }
}
