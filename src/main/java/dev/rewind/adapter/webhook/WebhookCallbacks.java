package dev.rewind.adapter.webhook;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.rewind.adapter.http.JsonApi;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Where webhook receivers' reports ({@code POST /runs/{runId}/events}) meet the {@code execute} that
 * waits for them, matched by run id. Every accepted event is kept in memory per run (for a day), so an
 * execute that starts after its completion arrived (a resumed run) finds it. A report is accepted only
 * when signed with the secret of the run's webhook step: the secret of a waiting execute, or one the
 * connected lookup finds for the run. Nothing here survives a restart.
 */
public final class WebhookCallbacks {

    private static final int MAX_EVENTS_PER_RUN = 500;
    private static final int MAX_MESSAGE = 1000;

    /** What became of one callback; the web route maps it to a status code. */
    public sealed interface Result {
        String reason();

        /** 200: recorded (and handed to the waiting execute, if any). */
        record Accepted(String reason) implements Result {
        }

        /** 404: no such run, or it has no webhook step. */
        record UnknownRun(String reason) implements Result {
        }

        /** 401: the signature is missing or wrong; nothing changed. */
        record BadSignature(String reason) implements Result {
        }

        /** 400: the body is not a report. */
        record Malformed(String reason) implements Result {
        }
    }

    private final Cache<String, RunEvents> runs = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofDays(1)).maximumSize(10_000).build();
    private volatile Function<String, List<String>> secretsOfRun = runId -> List.of();

    /**
     * Connects the lookup of a run's webhook secrets (empty when the run is unknown or has no webhook
     * step), built by the composition root from the runs and the catalogue; see {@link WebhookAdapter#secretsOf}.
     */
    public void connect(Function<String, List<String>> secretsOfRun) {
        this.secretsOfRun = secretsOfRun;
    }

    /** Checks and records one callback. Never throws for bad input: the result says what was wrong. */
    public Result receive(String runId, String signature, byte[] body) {
        Set<String> secrets = new LinkedHashSet<>(secretsOfRun.apply(runId));
        RunEvents known = runs.getIfPresent(runId);
        if (known != null) {
            secrets.addAll(known.secrets());
        }
        if (secrets.isEmpty()) {
            return new Result.UnknownRun("no run " + runId + " with a webhook step is known to Rewind");
        }
        if (signature == null || signature.isBlank()) {
            return new Result.BadSignature("missing " + WebhookSignature.HEADER + " header");
        }
        if (secrets.stream().noneMatch(secret -> WebhookSignature.matches(secret, body, signature))) {
            return new Result.BadSignature(WebhookSignature.HEADER + " does not match the body");
        }
        WebhookEvent event;
        try {
            event = parse(body);
        } catch (IllegalArgumentException e) {
            return new Result.Malformed(e.getMessage());
        }
        return new Result.Accepted(events(runId).add(event));
    }

    /** The completion that already arrived for a run, if any. */
    Optional<WebhookEvent> completion(String runId) {
        return Optional.ofNullable(runs.getIfPresent(runId)).flatMap(RunEvents::completion);
    }

    /** Starts waiting for a run's reports; its secret is accepted from now on. */
    Waiter expect(String runId, String secret) {
        RunEvents events = events(runId);
        events.accept(secret);
        return new Waiter(events);
    }

    private RunEvents events(String runId) {
        return runs.get(runId, id -> new RunEvents());
    }

    private static WebhookEvent parse(byte[] body) {
        String usage = "the body must be JSON {\"status\": \"progress\" | \"succeeded\" | \"failed\", \"message\": \"…\"}";
        JsonNode json;
        try {
            json = JsonApi.JSON.readTree(body);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(usage + "; it is not JSON");
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException(usage + "; it is not a JSON object");
        }
        JsonNode status = json.path("status");
        if (!status.isString()) {
            throw new IllegalArgumentException(usage + "; 'status' is missing");
        }
        WebhookEvent.Status parsed;
        try {
            parsed = WebhookEvent.Status.valueOf(status.asString().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(usage + "; 'status' is '" + status.asString() + "'");
        }
        JsonNode message = json.path("message");
        if (!message.isMissingNode() && !message.isNull() && !message.isString()) {
            throw new IllegalArgumentException(usage + "; 'message' must be a string");
        }
        String text = message.isString() ? message.asString().replaceAll("\\p{Cntrl}", " ").strip() : "";
        return new WebhookEvent(parsed, text.length() > MAX_MESSAGE ? text.substring(0, MAX_MESSAGE) + "…" : text);
    }

    /** One run's reports, in arrival order, and the secrets accepted for it. */
    static final class RunEvents {
        private final List<WebhookEvent> events = new ArrayList<>();
        private final Set<String> secrets = new LinkedHashSet<>();

        synchronized String add(WebhookEvent event) {
            Optional<WebhookEvent> done = completion();
            if (done.isPresent()) {
                return "ignored: this run already reported " + done.get().status().wire();
            }
            if (events.size() >= MAX_EVENTS_PER_RUN && !event.status().ends()) {
                return "ignored: too many progress reports for this run";
            }
            events.add(event);
            notifyAll();
            return "recorded " + event.status().wire();
        }

        synchronized Optional<WebhookEvent> completion() {
            return events.stream().filter(e -> e.status().ends()).findFirst();
        }

        synchronized void accept(String secret) {
            secrets.add(secret);
        }

        synchronized Set<String> secrets() {
            return Set.copyOf(secrets);
        }

        /** The event at {@code index}, waiting for it until {@code deadline} (System.nanoTime). */
        synchronized Optional<WebhookEvent> await(int index, long deadline) throws InterruptedException {
            while (events.size() <= index) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return Optional.of(events.get(index));
        }
    }

    /** Reads one run's reports in order, from the first. */
    static final class Waiter {
        private final RunEvents events;
        private int next;

        Waiter(RunEvents events) {
            this.events = events;
        }

        /** The next report, or empty when none came before {@code deadline} (System.nanoTime). */
        Optional<WebhookEvent> next(long deadline) throws InterruptedException {
            Optional<WebhookEvent> event = events.await(next, deadline);
            event.ifPresent(e -> next++);
            return event;
        }
    }
}
