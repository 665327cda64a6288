package dev.rewind.web;

import dev.rewind.config.Catalogue;
import dev.rewind.config.ServiceConfig;
import dev.rewind.drill.DrillMetrics;
import dev.rewind.drill.DrillState;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** {@code rewind_drills_total{service,result}} and {@code rewind_drill_recovery_seconds{service}}. */
public final class DrillMeters implements DrillMetrics {

    private final Counter drills;
    private final Histogram recovery;

    public DrillMeters(PrometheusRegistry registry) {
        drills = Counter.builder().name("rewind_drills_total")
                .help("Drills that ended, by service and result: passed, failed, stopped, restore_failed")
                .labelNames("service", "result").register(registry);
        recovery = Histogram.builder().name("rewind_drill_recovery_seconds")
                .help("A drill's start to its rollback verified: the rehearsed time to recovery (target 300 s by default)")
                .labelNames("service").classicUpperBounds(30, 60, 120, 180, 300, 450, 600, 900, 1800)
                .register(registry);
    }

    /** Pre-sets the passed and failed series of every service that may be drilled. */
    public DrillMeters preset(Catalogue catalogue) {
        for (ServiceConfig service : catalogue.services()) {
            if (service.drills().allowed()) {
                drills.labelValues(service.name(), "passed");
                drills.labelValues(service.name(), "failed");
            }
        }
        return this;
    }

    @Override
    public void ended(String service, DrillState state, Optional<Duration> took) {
        drills.labelValues(service, state.name().toLowerCase(Locale.ROOT)).inc();
        took.ifPresent(d -> recovery.labelValues(service).observe(d.toMillis() / 1000.0));
    }
}
