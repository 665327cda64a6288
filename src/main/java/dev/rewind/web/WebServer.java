package dev.rewind.web;

import com.slack.api.bolt.response.Response;
import dev.rewind.adapter.webhook.WebhookCallbacks;
import dev.rewind.alerts.AlertIntake;
import dev.rewind.incident.Report;
import dev.rewind.incident.ReportRenderer;
import dev.rewind.rollback.Mentions;
import dev.rewind.rollback.RollbackService;
import dev.rewind.rollback.RunIds;
import dev.rewind.slack.SlackFront;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every HTTP route, in one place. Handlers translate HTTP to a call and back; errors become a status
 * with a reason and never a stack trace.
 */
public final class WebServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);

    private final Javalin javalin;

    /**
     * What the routes call. {@code slack} is empty when Slack is not configured; {@code readiness} says
     * what /readyz checks; {@code webhooks} takes webhook receivers' reports; {@code stats} answers
     * {@code GET /api/v1/stats}.
     */
    public record Routes(Optional<SlackFront> slack, String slackMissing, RollbackService rollbacks, BotMetrics metrics,
                         Readiness readiness, WebhookCallbacks webhooks, AlertIntake alerts,
                         Optional<String> alertmanagerToken, StatsRoute stats, ServiceReadinessRoute serviceReadiness,
                         DeploysRoute deploys) {
    }

    public WebServer(Routes routes) {
        GaugeWithCallback.builder().name("rewind_dependency_up")
                .help("1 while a dependency answers (database, slack, prometheus), 0 while it does not; /readyz?verbose says why")
                .labelNames("dependency")
                .callback(callback -> routes.readiness().all().forEach(r -> callback.call(r.ok() ? 1 : 0, r.name())))
                .register(routes.metrics().registry());
        this.javalin = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.routes.post("/slack/events", ctx -> slackEvents(ctx, routes));
            config.routes.get("/healthz", ctx -> ctx.contentType("text/plain").result("ok\n"));
            config.routes.get("/readyz", ctx -> ready(ctx, routes.readiness()));
            config.routes.get("/metrics", ctx -> metrics(ctx, routes.metrics()));
            config.routes.get("/reports/{id}", ctx -> report(ctx, routes.rollbacks()));
            config.routes.post(WebhookCallbackRoute.PATH, new WebhookCallbackRoute(routes.webhooks()));
            AlertmanagerRoute alertmanager = new AlertmanagerRoute(routes.alerts(), routes.alertmanagerToken());
            config.routes.post("/alerts/alertmanager", alertmanager::handle);
            config.routes.get(StatsRoute.PATH, routes.stats()::handle);
            config.routes.get(ServiceReadinessRoute.PATH, routes.serviceReadiness()::handle);
            config.routes.post(DeploysRoute.PATH, routes.deploys()::post);
            config.routes.get(DeploysRoute.PATH, routes.deploys()::list);
            config.routes.get(DeploysRoute.ONE, routes.deploys()::get);
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                ctx.status(500).contentType("text/plain").result("internal error; see Rewind's log\n");
            });
        });
    }

    public WebServer start(int port) {
        javalin.start(port);
        return this;
    }

    public int port() {
        return javalin.port();
    }

    private static void slackEvents(Context ctx, Routes routes) throws Exception {
        if (routes.slack().isEmpty()) {
            ctx.status(503).contentType("text/plain").result("Slack is not configured: " + routes.slackMissing() + "\n");
            return;
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        ctx.headerMap().forEach((name, value) -> headers.put(name, List.of(value)));
        Response response = routes.slack().get().handle(ctx.path(), ctx.queryParamMap(), headers, ctx.body(), ctx.ip());
        ctx.status(response.getStatusCode());
        if (response.getHeaders() != null) {
            response.getHeaders().forEach((name, values) -> values.forEach(value -> ctx.header(name, value)));
        }
        if (response.getContentType() != null) {
            ctx.contentType(response.getContentType());
        }
        ctx.result(response.getBody() == null ? "" : response.getBody());
    }

    /**
     * 200 while every deciding check passes, else 503 with the failing ones. {@code ?verbose} lists every
     * check, deciding or not, as {@code - name: ok} or {@code - name: failing: why}.
     */
    private static void ready(Context ctx, Readiness readiness) {
        boolean verbose = ctx.queryParamMap().containsKey("verbose");
        List<Readiness.Result> results = verbose ? readiness.all() : readiness.deciding();
        boolean ready = results.stream().filter(Readiness.Result::decides).allMatch(Readiness.Result::ok);
        StringBuilder text = new StringBuilder(ready ? "ready\n" : "not ready\n");
        for (Readiness.Result result : results) {
            if (verbose || !result.ok()) {
                text.append("- ").append(result.name()).append(": ")
                        .append(result.problem().map(why -> "failing: " + why).orElse("ok"))
                        .append(result.decides() || result.ok() ? "" : " (does not affect readiness)").append('\n');
            }
        }
        ctx.status(ready ? 200 : 503).contentType("text/plain").result(text.toString());
    }

    private static void metrics(Context ctx, BotMetrics metrics) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        writer.write(out, metrics.registry().scrape());
        ctx.contentType(writer.getContentType()).result(out.toByteArray());
    }

    private static void report(Context ctx, RollbackService rollbacks) {
        String id = ctx.pathParam("id");
        if (!RunIds.looksLikeId(id)) {
            ctx.status(400).contentType("text/plain").result("'" + id + "' is not a run id (they look like rb-7k2m9qx4tz)\n");
            return;
        }
        var view = rollbacks.view(id);
        if (view.isEmpty()) {
            ctx.status(404).contentType("text/plain").result("no run " + id + "\n");
            return;
        }
        Report report = Report.of(view.get(), Mentions.PLAIN);
        String format = Optional.ofNullable(ctx.queryParam("format")).orElse("html");
        if (format.equals("md") || format.equals("markdown")) {
            ctx.contentType("text/markdown; charset=utf-8").result(ReportRenderer.markdown(report));
        } else if (format.equals("html")) {
            ctx.contentType("text/html; charset=utf-8").result(ReportRenderer.html(report));
        } else {
            ctx.status(400).contentType("text/plain").result("format must be html or md, not '" + format + "'\n");
        }
    }

    @Override
    public void close() {
        javalin.stop();
    }
}
