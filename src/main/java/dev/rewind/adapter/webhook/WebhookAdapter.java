package dev.rewind.adapter.webhook;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.config.Required;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.http.JsonApi;
import dev.rewind.adapter.http.RetryingHttp;
import dev.rewind.config.DurationText;
import dev.rewind.config.Secrets;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code webhook}: hands the rollback to a system Rewind cannot drive itself. Rewind POSTs the signed
 * request (the wire format in the README) and waits for the receiver's signed reports on
 * {@code POST /runs/{runId}/events}: each {@code progress} is passed on, {@code succeeded} ends the
 * step, {@code failed} fails it with the receiver's words, and silence past the target's
 * {@code timeout} fails it too. Only reports that arrive after this attempt's request was sent count:
 * a re-run (a resumed run) sends the request again and waits for fresh reports.
 */
public final class WebhookAdapter implements RollbackAdapter {

    public static final String TYPE = "webhook";
    static final String PREVIOUS = "previous";
    static final String AS_DEPLOYED = "as-deployed";
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final Secrets secrets;
    private final RetryingHttp http;
    private final WebhookCallbacks callbacks;
    private final String publicUrl;
    /** The last completion per target, for verify: a webhook has no state Rewind could read. */
    private final Map<String, WebhookEvent> lastCompletion = new ConcurrentHashMap<>();

    /** @param publicUrl Rewind's public base URL (REWIND_PUBLIC_URL), where receivers send their reports */
    public WebhookAdapter(Secrets secrets, RetryingHttp http, WebhookCallbacks callbacks, String publicUrl) {
        this.secrets = secrets;
        this.http = http;
        this.callbacks = callbacks;
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    }

    /** The secrets of the webhook steps among {@code targets} that are set, for {@link WebhookCallbacks#connect}. */
    public static List<String> secretsOf(List<Target> targets, Secrets secrets) {
        List<String> found = new ArrayList<>();
        for (Target target : targets) {
            if (target.type().equals(TYPE)) {
                secrets.get(target.as(Spec.class).secretEnv()).ifPresent(found::add);
            }
        }
        return found;
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * The {@code target:} block: {@code {type: webhook, url: URL, secretEnv: WEBHOOK_SECRET, timeout: 10m}};
     * the timeout (how long to wait for the receiver's report) defaults to {@link #DEFAULT_TIMEOUT}.
     */
    public record Spec(@Required String url, @Required String secretEnv, Duration timeout) {
    }

    @Override
    public Optional<Class<? extends Record>> specType() {
        return Optional.of(Spec.class);
    }

    @Override
    public void validate(Target target) {
        JsonApi.httpUrl(TYPE, "url", target.as(Spec.class).url());
        timeout(target);
    }

    @Override
    public TargetState describe(Target target) {
        secret(target);
        String receiver = receiver(target);
        List<TargetState.Fact> facts = List.of(
                new TargetState.Fact("Receiver", receiver),
                new TargetState.Fact("Reports back to", publicUrl + "/runs/{runId}/events"),
                new TargetState.Fact("Waits up to", DurationText.format(timeout(target))));
        Revision current = new Revision(AS_DEPLOYED, "as deployed", List.of(), Optional.empty(),
                Optional.of("the state the receiver has now"), Map.of("webhook " + receiver, "as deployed"));
        Revision previous = new Revision(PREVIOUS, PREVIOUS, List.of(), Optional.empty(),
                Optional.of("whatever the receiver restores as its previous release"), Map.of("webhook " + receiver, PREVIOUS));
        return new TargetState("webhook " + receiver, current, List.of(previous), facts,
                List.of("Rewind cannot see behind the webhook: the receiver decides what 'previous' is and reports the result"));
    }

    @Override
    public Outcome execute(Target target, Change change, Progress progress, Duration timeout) {
        if (!change.revisionId().equals(PREVIOUS)) {
            throw new AdapterException("revision " + change.revisionId() + " is not known to the webhook at "
                    + receiver(target) + ": it only rolls back to '" + PREVIOUS + "'");
        }
        String secret = secret(target);
        String receiver = receiver(target);
        Duration wait = timeout.compareTo(timeout(target)) < 0 ? timeout : timeout(target);
        long deadline = System.nanoTime() + wait.toNanos();
        try (WebhookCallbacks.Attempt attempt = callbacks.open(change.runId(), secret)) {
            int status = deliver(target, change, secret, attempt.timestamp());
            progress.step("Webhook receiver at " + receiver + " accepted the rollback request (HTTP " + status
                    + "); waiting up to " + DurationText.format(wait) + " for its report");
            while (true) {
                Optional<WebhookEvent> event = attempt.next(deadline);
                if (event.isEmpty()) {
                    attempt.close("its webhook step gave up waiting after " + DurationText.format(wait));
                    throw new AdapterException("the webhook receiver at " + receiver + " reported no completion within "
                            + DurationText.format(wait) + " (it must POST {\"status\": \"succeeded\"} to "
                            + callbackUrl(change.runId()) + ", signed v2)");
                }
                if (event.get().status() == WebhookEvent.Status.PROGRESS) {
                    progress.step("Webhook receiver: " + event.get().message());
                } else {
                    attempt.close("its webhook step already ended with " + event.get().status().wire());
                    return finish(target, change, event.get(), receiver);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdapterException("interrupted while waiting for the webhook receiver at " + receiver);
        }
    }

    @Override
    public Optional<String> notDrillable(Target target) {
        return Optional.of("the receiving system is only ever asked to roll back; Rewind cannot ask it to restore the revision that ran before");
    }

    @Override
    public Health verify(Target target) {
        WebhookEvent last = lastCompletion.get(target.key());
        String receiver = receiver(target);
        if (last == null) {
            return Health.healthy("the webhook receiver at " + receiver + " has no state Rewind can read;"
                    + " recovery is judged by the service's signals");
        }
        return last.status() == WebhookEvent.Status.SUCCEEDED
                ? Health.healthy("the webhook receiver at " + receiver + " reported success: " + last.message())
                : Health.unhealthy("the webhook receiver at " + receiver + " reported failure: " + last.message());
    }

    private Outcome finish(Target target, Change change, WebhookEvent completion, String receiver) {
        lastCompletion.put(target.key(), completion);
        if (completion.status() == WebhookEvent.Status.FAILED) {
            throw new AdapterException("the webhook receiver at " + receiver + " reported failure: "
                    + (completion.message().isBlank() ? "no reason given" : completion.message()));
        }
        Map<String, String> recorded = new LinkedHashMap<>();
        recorded.put("receiver", receiver);
        recorded.put("callbackUrl", callbackUrl(change.runId()));
        recorded.put("report", completion.message());
        return new Outcome("Webhook receiver at " + receiver + " reported success"
                + (completion.message().isBlank() ? "" : ": " + completion.message()), recorded);
    }

    /** POSTs the signed request; non-2xx answers are retried with backoff. @return the accepting status */
    private int deliver(Target target, Change change, String secret, long timestamp) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("runId", change.runId());
        payload.put("service", change.service());
        payload.put("environment", change.environment());
        payload.put("from", change.from().map(Revision::label).orElse("as deployed"));
        payload.put("to", change.to().map(Revision::label).orElse(PREVIOUS));
        payload.put("reason", change.reason());
        payload.put("callbackUrl", callbackUrl(change.runId()));
        byte[] body = JsonApi.JSON.writeValueAsBytes(payload);
        HttpRequest request = HttpRequest.newBuilder(URI.create(target.as(Spec.class).url())).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header(WebhookSignature.RUN_HEADER, change.runId())
                .header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
                .header(WebhookSignature.HEADER, WebhookSignature.sign(secret, timestamp, change.runId(), body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, RetryingHttp::notSuccessful);
        } catch (IOException e) {
            throw new AdapterException("the webhook receiver at " + receiver(target) + " could not be reached: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdapterException("interrupted while calling the webhook receiver at " + receiver(target));
        }
        if (RetryingHttp.notSuccessful(response)) {
            String answer = response.body() == null ? "" : response.body().strip();
            throw new AdapterException("the webhook receiver at " + receiver(target) + " answered HTTP " + response.statusCode()
                    + (answer.isEmpty() ? "" : ": " + (answer.length() > 200 ? answer.substring(0, 200) + "…" : answer)));
        }
        return response.statusCode();
    }

    private String callbackUrl(String runId) {
        return publicUrl + "/runs/" + runId + "/events";
    }

    private String secret(Target target) {
        String variable = target.as(Spec.class).secretEnv();
        return secrets.get(variable).orElseThrow(() -> new AdapterException("the webhook secret was not found: environment"
                + " variable " + variable + " (secretEnv) is not set"));
    }

    /** The receiver's URL without query or user info, which may carry credentials. */
    private static String receiver(Target target) {
        return RetryingHttp.safe(URI.create(target.as(Spec.class).url()));
    }

    private static Duration timeout(Target target) {
        Duration timeout = target.as(Spec.class).timeout();
        if (timeout == null) {
            return DEFAULT_TIMEOUT;
        }
        if (timeout.isZero()) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": 'timeout' must be longer than zero");
        }
        return timeout;
    }
}
