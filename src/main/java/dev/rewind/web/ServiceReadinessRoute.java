package dev.rewind.web;

import dev.rewind.config.ServiceConfig;
import dev.rewind.readiness.ReadinessReport;
import dev.rewind.readiness.ServiceReadiness;
import dev.rewind.rollback.Catalogues;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /api/v1/services/{name}/readiness}: what {@code /rollback ready <name>} says, as JSON, for a
 * pipeline to check before a risky deploy. 404 names the closest services to an unknown one.
 */
public final class ServiceReadinessRoute {

    static final String PATH = "/api/v1/services/{name}/readiness";

    private final ServiceReadiness readiness;
    private final Catalogues catalogues;
    private final ApiToken token;

    public ServiceReadinessRoute(ServiceReadiness readiness, Catalogues catalogues, Optional<String> apiToken) {
        this.readiness = readiness;
        this.catalogues = catalogues;
        this.token = new ApiToken(apiToken);
    }

    void handle(Context ctx) {
        if (!token.admits(ctx)) {
            return;
        }
        ctx.contentType("application/json");
        String typed = ctx.pathParam("name");
        Optional<ServiceConfig> service = catalogues.service(typed);
        if (service.isEmpty()) {
            Json.unknownService(ctx, catalogues, typed);
            return;
        }
        ctx.result(Json.write(body(readiness.check(service.get()))));
    }

    static Map<String, Object> body(ReadinessReport report) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", report.service());
        body.put("ready", report.ready());
        body.put("checkedAt", report.checkedAt().toString());
        List<Map<String, Object>> checks = report.checks().stream().map(check -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", check.name());
            one.put("status", check.status().name().toLowerCase(Locale.ROOT));
            one.put("detail", check.detail());
            one.put("fix", check.fix().orElse(null));
            return one;
        }).toList();
        body.put("checks", checks);
        return body;
    }
}
