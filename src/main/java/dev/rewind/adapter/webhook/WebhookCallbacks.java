package dev.rewind.adapter.webhook;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.rewind.adapter.http.JsonApi;
import dev.rewind.config.DurationText;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Where webhook receivers' reports ({@code POST /runs/{runId}/events}) meet the {@code execute} that
 * waits for them, matched by run id. A report counts only while an execute attempt of that run is
 * {@linkplain #open open}: its request has been sent and it is still waiting. Reports that arrive
 * before (a resumed run that has not re-sent its request yet) or after (the step or the run ended) are
 * refused with 409 and kept nowhere, so a report can never complete an attempt whose request it did
 * not answer. A report must carry a valid v2 {@link WebhookSignature} for the run of its path, signed
 * within {@link WebhookSignature#TOLERANCE} of the clock, not more than {@link #EARLIER_ALLOWED}
 * before the request it answers, and is accepted once. Nothing here survives a restart; a run picked
 * up after one sends its request again.
 */
public final class WebhookCallbacks {

    /** How much earlier than its request a report may be signed: clock skew between Rewind and a receiver. */
    static final Duration EARLIER_ALLOWED = Duration.ofSeconds(5);
    private static final int MAX_EVENTS_PER_ATTEMPT = 500;
    private static final int MAX_MESSAGE = 1000;

    /** What became of one callback; the web route maps it to a status code. */
    public sealed interface Result {
        String reason();

        /** 200: recorded and handed to the waiting execute. */
        record Accepted(String reason) implements Result {
        }

        /** 404: no such run, or it has no webhook step. */
        record UnknownRun(String reason) implements Result {
        }

        /** 401: the signature or its timestamp is missing, wrong, v1 or too far from now; nothing changed. */
        record BadSignature(String reason) implements Result {
        }

        /** 409: a valid report, but the run is not waiting for one (request not sent yet, or the step ended); nothing changed. */
        record NotWaiting(String reason) implements Result {
        }

        /** 400: the body is not a report. */
        record Malformed(String reason) implements Result {
        }
    }

    private final Clock clock;
    /** The latest attempt per run, open or ended, so a late report is told which. */
    private final Cache<String, Attempt> attempts = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofDays(1)).maximumSize(10_000).build();
    /** Signatures of accepted reports (run id and signature), for as long as their timestamp could still pass. */
    private final Cache<String, Boolean> accepted = Caffeine.newBuilder()
            .expireAfterWrite(WebhookSignature.TOLERANCE.multipliedBy(2).plus(EARLIER_ALLOWED)).maximumSize(100_000).build();
    private volatile Function<String, List<String>> secretsOfRun = runId -> List.of();

    public WebhookCallbacks(Clock clock) {
        this.clock = clock;
    }

    /**
     * Connects the lookup of a run's webhook secrets (empty when the run is unknown or has no webhook
     * step), built by the composition root from the runs and the catalogue; see {@link WebhookAdapter#secretsOf}.
     * It tells a valid report for a run that is not waiting (409) from a forged one (401) and an unknown run (404).
     */
    public void connect(Function<String, List<String>> secretsOfRun) {
        this.secretsOfRun = secretsOfRun;
    }

    /** Checks one callback and hands it to the waiting attempt. Never throws for bad input: the result says what was wrong. */
    public Result receive(String runId, String timestamp, String signature, byte[] body) {
        Attempt attempt = attempts.getIfPresent(runId);
        Set<String> secrets = new LinkedHashSet<>();
        if (attempt != null) {
            secrets.add(attempt.secret);
        }
        secrets.addAll(secretsOfRun.apply(runId));
        if (secrets.isEmpty()) {
            return new Result.UnknownRun("no run " + runId + " with a webhook step is known to Rewind");
        }
        Optional<String> malformed = WebhookSignature.malformed(timestamp, signature);
        if (malformed.isPresent()) {
            return new Result.BadSignature(malformed.get());
        }
        Optional<String> signer = secrets.stream()
                .filter(secret -> WebhookSignature.matches(secret, timestamp, runId, body, signature)).findFirst();
        if (signer.isEmpty()) {
            return new Result.BadSignature(WebhookSignature.HEADER + " does not match the run id " + runId + ", "
                    + WebhookSignature.TIMESTAMP_HEADER + " and body under this run's webhook secret");
        }
        Optional<String> stale = WebhookSignature.stale(timestamp, clock.instant());
        if (stale.isPresent()) {
            return new Result.BadSignature(stale.get());
        }
        if (attempt == null) {
            return new Result.NotWaiting("Rewind has not sent run " + runId + "'s webhook request (or not since it"
                    + " restarted), so there is nothing to report on yet; reports are accepted only while the step waits"
                    + " for them");
        }
        if (!attempt.secret.equals(signer.get())) {
            return new Result.NotWaiting("signed with the secret of another webhook step of run " + runId
                    + " than the one waiting for a report");
        }
        long signedAt = WebhookSignature.seconds(timestamp);
        if (signedAt < attempt.sentAt.minus(EARLIER_ALLOWED).getEpochSecond()) {
            return new Result.NotWaiting("signed at " + Instant.ofEpochSecond(signedAt) + ", "
                    + DurationText.format(Duration.ofSeconds(attempt.sentAt.getEpochSecond() - signedAt))
                    + " before Rewind sent run " + runId + "'s webhook request at " + Instant.ofEpochSecond(attempt.sentAt.getEpochSecond())
                    + ": it cannot be a report on that request");
        }
        WebhookEvent event;
        try {
            event = parse(body);
        } catch (IllegalArgumentException e) {
            return new Result.Malformed(e.getMessage());
        }
        return attempt.record(event, signature.strip().toLowerCase(Locale.ROOT), signedAt, accepted);
    }

    /**
     * Starts an execute attempt of {@code runId}, whose request is about to be sent: its reports, signed
     * with {@code secret}, are accepted from now until {@link Attempt#close}. Replaces any earlier attempt
     * of the run, whose reports are refused from then on.
     */
    Attempt open(String runId, String secret) {
        Attempt attempt = new Attempt(runId, secret, clock.instant());
        Attempt previous = attempts.asMap().put(runId, attempt);
        if (previous != null) {
            previous.close("another attempt of the step started");
        }
        return attempt;
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

    /**
     * One execute attempt of a run's webhook step: the request was sent at {@code sentAt} (its
     * {@code X-Rewind-Timestamp}); its reports in arrival order, read by the waiting execute with {@link #next}.
     */
    static final class Attempt implements AutoCloseable {
        private final String runId;
        private final String secret;
        private final Instant sentAt;
        private final List<WebhookEvent> events = new ArrayList<>();
        private final Set<String> signatures = new HashSet<>();
        private String ended;
        private int next;

        private Attempt(String runId, String secret, Instant sentAt) {
            this.runId = runId;
            this.secret = secret;
            this.sentAt = sentAt;
        }

        /** The unix seconds the request is signed with. */
        long timestamp() {
            return sentAt.getEpochSecond();
        }

        /**
         * Hands {@code event} to the waiting execute unless the attempt ended or already has its
         * completion, or the same signed report was accepted before: by this attempt, or (when signed
         * before this attempt's request) by an earlier one. A report repeated in the second its request
         * was sent is let through: a receiver answering a re-sent request at once looks just like that.
         */
        private synchronized Result record(WebhookEvent event, String signature, long signedAt, Cache<String, Boolean> accepted) {
            if (ended != null) {
                return new Result.NotWaiting("run " + runId + " is no longer waiting for a webhook report: " + ended);
            }
            Optional<WebhookEvent> done = events.stream().filter(e -> e.status().ends()).findFirst();
            if (done.isPresent()) {
                return new Result.NotWaiting("run " + runId + "'s webhook step already reported " + done.get().status().wire());
            }
            if (events.size() >= MAX_EVENTS_PER_ATTEMPT && !event.status().ends()) {
                return new Result.Accepted("ignored: too many progress reports for this run");
            }
            String key = runId + " " + signature;
            if (signatures.contains(signature) || (signedAt < timestamp() && accepted.getIfPresent(key) != null)) {
                return new Result.NotWaiting("this report (the same " + WebhookSignature.HEADER + ") was already accepted for run "
                        + runId + "; each report counts once");
            }
            signatures.add(signature);
            accepted.put(key, Boolean.TRUE);
            events.add(event);
            notifyAll();
            return new Result.Accepted("recorded " + event.status().wire());
        }

        /** The next report, or empty when none came before {@code deadline} (System.nanoTime). */
        synchronized Optional<WebhookEvent> next(long deadline) throws InterruptedException {
            while (events.size() <= next) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return Optional.of(events.get(next++));
        }

        /** Ends the attempt; reports that arrive from now on are refused, saying {@code why}. */
        synchronized void close(String why) {
            if (ended == null) {
                ended = why;
            }
        }

        @Override
        public void close() {
            close("its webhook step ended");
        }
    }
}
