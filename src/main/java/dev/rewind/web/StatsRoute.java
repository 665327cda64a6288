package dev.rewind.web;

import dev.rewind.config.ServiceConfig;
import dev.rewind.rollback.Catalogues;
import dev.rewind.stats.StatsReport;
import dev.rewind.stats.StatsService;
import dev.rewind.stats.StatsWindow;
import io.javalin.http.Context;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /api/v1/stats?service=&window=}: the playbook's figures as JSON, for a service or (without
 * {@code service}) all of them, over 7d, 30d or 90d [30d]. 404 names the closest services to an unknown one;
 * 400 says what a window may be.
 */
public final class StatsRoute {

    static final String PATH = "/api/v1/stats";

    private final StatsService stats;
    private final Catalogues catalogues;
    private final ApiToken token;

    public StatsRoute(StatsService stats, Catalogues catalogues, Optional<String> apiToken) {
        this.stats = stats;
        this.catalogues = catalogues;
        this.token = new ApiToken(apiToken);
    }

    void handle(Context ctx) {
        if (!token.admits(ctx)) {
            return;
        }
        ctx.contentType("application/json");
        String typedWindow = ctx.queryParam("window");
        Optional<StatsWindow> window = typedWindow == null || typedWindow.isBlank() ? Optional.of(StatsWindow.DEFAULT)
                : StatsWindow.parse(typedWindow);
        if (window.isEmpty()) {
            ctx.status(400).result(Json.error("window must be " + StatsWindow.choices() + ", not '" + typedWindow + "'"));
            return;
        }
        String typedService = ctx.queryParam("service");
        Optional<String> service = Optional.empty();
        if (typedService != null && !typedService.isBlank()) {
            Optional<ServiceConfig> found = catalogues.service(typedService.trim());
            if (found.isEmpty()) {
                Json.unknownService(ctx, catalogues, typedService.trim());
                return;
            }
            service = Optional.of(found.get().name());
        }
        ctx.result(Json.write(body(stats.report(service, window.get()))));
    }

    /** The report as JSON fields; durations in seconds, rates from 0 to 1, null where there is nothing to compute. */
    static Map<String, Object> body(StatsReport report) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", report.service().orElse(null));
        body.put("window", report.window().text());
        body.put("from", report.from().toString());
        body.put("to", report.to().toString());
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        report.outcomes().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> outcomes.put(e.getKey().name().toLowerCase(Locale.ROOT), e.getValue()));
        body.put("outcomes", outcomes);
        body.put("dryRuns", report.dryRuns());
        body.put("open", report.open());
        Map<String, Object> success = new LinkedHashMap<>();
        success.put("succeeded", report.success().succeeded());
        success.put("finished", report.success().finished());
        success.put("rate", report.success().rate().orElse(null));
        success.put("target", report.success().target());
        success.put("met", report.success().met().orElse(null));
        body.put("success", success);
        Map<String, Object> recovery = new LinkedHashMap<>();
        recovery.put("recovered", report.recovery().recovered());
        recovery.put("p50Seconds", seconds(report.recovery().p50()));
        recovery.put("p90Seconds", seconds(report.recovery().p90()));
        recovery.put("targetSeconds", report.recovery().target().toSeconds());
        recovery.put("met", report.recovery().met().orElse(null));
        body.put("recovery", recovery);
        Map<String, Object> automation = new LinkedHashMap<>();
        automation.put("automatic", report.automation().automatic());
        automation.put("total", report.automation().total());
        automation.put("share", report.automation().share().orElse(null));
        body.put("automation", automation);
        Map<String, Object> decisions = new LinkedHashMap<>();
        report.decisions().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            Map<String, Object> tier = new LinkedHashMap<>();
            tier.put("decided", e.getValue().decided());
            tier.put("p50Seconds", seconds(e.getValue().p50()));
            tier.put("p90Seconds", seconds(e.getValue().p90()));
            tier.put("deadlineSeconds", e.getValue().deadline().toSeconds());
            tier.put("late", e.getValue().late());
            decisions.put(e.getKey().name(), tier);
        });
        body.put("decisions", decisions);
        body.put("slowestStep", report.slowestStep().map(step -> {
            Map<String, Object> slowest = new LinkedHashMap<>();
            slowest.put("step", step.step());
            slowest.put("p50Seconds", step.p50().toSeconds());
            slowest.put("runs", step.runs());
            return slowest;
        }).orElse(null));
        return body;
    }

    private static Long seconds(Optional<Duration> value) {
        return value.map(Duration::toSeconds).orElse(null);
    }
}
