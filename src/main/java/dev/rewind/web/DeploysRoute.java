package dev.rewind.web;

import dev.rewind.config.ServiceConfig;
import dev.rewind.guard.DeployGuard;
import dev.rewind.guard.DeployGuards;
import dev.rewind.guard.GuardStatus;
import dev.rewind.rollback.Catalogues;
import dev.rewind.rollback.RollbackRun;
import io.javalin.http.Context;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The deploy guard's API for CI/CD: {@code POST /api/v1/deploys {"service","revision","by","url"}} starts (or
 * joins) the guard of a deploy and answers 202 with its id; {@code GET /api/v1/deploys/{id}} says where it stands
 * ({@code watching|healthy|degraded|rolled-back|failed|superseded}), which rule held and the card's link. Bearer
 * token {@code REWIND_API_TOKEN}, as every {@code /api/v1} route.
 */
public final class DeploysRoute {

    static final String PATH = "/api/v1/deploys";
    static final String ONE = "/api/v1/deploys/{id}";
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private final DeployGuards guards;
    private final Catalogues catalogues;
    private final ApiToken token;
    private final Function<RollbackRun.CardRef, Optional<String>> permalinks;
    private final Clock clock;

    /** @param permalinks a card's link in Slack, where Slack gives one */
    public DeploysRoute(DeployGuards guards, Catalogues catalogues, Optional<String> apiToken,
                        Function<RollbackRun.CardRef, Optional<String>> permalinks, Clock clock) {
        this.guards = guards;
        this.catalogues = catalogues;
        this.token = new ApiToken(apiToken);
        this.permalinks = permalinks;
        this.clock = clock;
    }

    void post(Context ctx) {
        if (!token.admits(ctx)) {
            return;
        }
        ctx.contentType("application/json");
        JsonNode body;
        try {
            body = MAPPER.readTree(ctx.body());
        } catch (JacksonException e) {
            ctx.status(400).result(Json.error("the body is not JSON: send {\"service\", \"revision\", \"by\", \"url\"}"));
            return;
        }
        if (body == null || !body.isObject()) {
            ctx.status(400).result(Json.error("the body must be a JSON object: {\"service\", \"revision\", \"by\", \"url\"}"));
            return;
        }
        Optional<String> service = text(body, "service");
        Optional<String> revision = text(body, "revision");
        if (service.isEmpty() || revision.isEmpty()) {
            ctx.status(400).result(Json.error("'" + (service.isEmpty() ? "service" : "revision") + "' is required: send "
                    + "{\"service\": \"checkout\", \"revision\": \"r42\", \"by\": \"ci\", \"url\": \"https://…\"}"));
            return;
        }
        Optional<String> url = text(body, "url");
        if (url.isPresent() && !url.get().startsWith("https://") && !url.get().startsWith("http://")) {
            ctx.status(400).result(Json.error("'url' must start with https:// or http://, got '" + url.get() + "'"));
            return;
        }
        Optional<ServiceConfig> config = catalogues.service(service.get());
        if (config.isEmpty()) {
            Json.unknownService(ctx, catalogues, service.get());
            return;
        }
        Optional<DeployGuards.Watching> watching = guards.deployed(config.get(), new DeployGuards.Deploy(revision.get(),
                revision.get(), clock.instant(), "api", text(body, "by"), url));
        if (watching.isEmpty()) {
            ctx.status(409).result(Json.error("the deploy could not be guarded"));
            return;
        }
        ctx.status(202).header("Location", PATH + "/" + watching.get().guard().id())
                .result(Json.write(describe(watching.get().guard().id())));
    }

    /** {@code GET /api/v1/deploys?service=checkout}: the service's latest guards, newest first. */
    void list(Context ctx) {
        if (!token.admits(ctx)) {
            return;
        }
        ctx.contentType("application/json");
        String typed = ctx.queryParam("service");
        if (typed == null || typed.isBlank()) {
            ctx.status(400).result(Json.error("say which service: GET " + PATH + "?service=checkout"));
            return;
        }
        Optional<ServiceConfig> service = catalogues.service(typed);
        if (service.isEmpty()) {
            Json.unknownService(ctx, catalogues, typed);
            return;
        }
        ctx.result(Json.write(Map.of("deploys", guards.latest(service.get().name(), 20).stream().map(this::describe).toList())));
    }

    void get(Context ctx) {
        if (!token.admits(ctx)) {
            return;
        }
        ctx.contentType("application/json");
        String id = ctx.pathParam("id");
        if (guards.status(id).isEmpty()) {
            ctx.status(404).result(Json.error("no deploy with id '" + id + "': use the id POST " + PATH + " answered"));
            return;
        }
        ctx.result(Json.write(describe(id)));
    }

    private Map<String, Object> describe(String id) {
        DeployGuards.DeployStatus status = guards.status(id).orElseThrow();
        DeployGuard guard = status.guard();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", guard.id());
        body.put("service", guard.service());
        body.put("revision", guard.label());
        body.put("status", status.status());
        body.put("source", guard.source());
        body.put("by", guard.by().orElse(null));
        body.put("url", guard.url().orElse(null));
        body.put("startedAt", guard.startedAt().toString());
        body.put("endsAt", guard.endsAt().toString());
        body.put("checks", guard.checks());
        body.put("judgedChecks", guard.judgedChecks());
        boolean triggered = guard.status() == GuardStatus.TRIGGERED;
        body.put("triggers", guard.trigger().filter(t -> triggered).map(t -> List.of(Map.of("detail", t,
                "at", guard.endedAt().map(Object::toString).orElse("")))).orElse(List.of()));
        // why a guard ended without a rule holding, when there is more to say than its status
        body.put("note", guard.trigger().filter(t -> !triggered).orElse(null));
        body.put("run", guard.runId().orElse(null));
        body.put("runState", status.run().map(r -> r.state().name()).orElse(null));
        body.put("card", status.run().flatMap(RollbackRun::card).flatMap(permalinks).orElse(null));
        return body;
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        return node == null || !node.isValueNode() || node.asString().isBlank() ? Optional.empty()
                : Optional.of(node.asString().trim());
    }
}
