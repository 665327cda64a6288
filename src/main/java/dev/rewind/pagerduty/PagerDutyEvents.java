package dev.rewind.pagerduty;

import dev.rewind.config.Secrets;
import dev.rewind.rollback.Pager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@link Pager} on PagerDuty's Events API v2 ({@code POST /v2/enqueue}). A 429 or 5xx is retried up to three
 * times, after the {@code Retry-After} PagerDuty asks for (at most 30 s) or 1, 2, 4 s; anything else is logged
 * with PagerDuty's own words. The routing key is read per call and never logged.
 */
public final class PagerDutyEvents implements Pager {

    private static final Logger LOG = LoggerFactory.getLogger(PagerDutyEvents.class);
    public static final String DEFAULT_URL = "https://events.pagerduty.com/v2/enqueue";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int ATTEMPTS = 4;

    private final String url;
    private final Secrets secrets;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public PagerDutyEvents(String url, Secrets secrets) {
        this.url = url;
        this.secrets = secrets;
    }

    @Override
    public Optional<String> trigger(String routingKeyEnv, String dedupKey, String summary, String severity,
                                    Map<String, Object> details) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("summary", summary);
        payload.put("source", "rewind");
        payload.put("severity", severity);
        payload.put("custom_details", details);
        return send(routingKeyEnv, "trigger", dedupKey, Optional.of(payload));
    }

    @Override
    public Optional<String> resolve(String routingKeyEnv, String dedupKey) {
        return send(routingKeyEnv, "resolve", dedupKey, Optional.empty());
    }

    /** @return empty when PagerDuty accepted the event; else why not */
    private Optional<String> send(String routingKeyEnv, String action, String dedupKey, Optional<Map<String, Object>> payload) {
        Optional<String> key = secrets.get(routingKeyEnv);
        if (key.isEmpty()) {
            LOG.warn("PagerDuty {} for {} not sent: environment variable {} is not set", action, dedupKey, routingKeyEnv);
            return Optional.of("environment variable " + routingKeyEnv + " is not set");
        }
        String problem = "no answer";
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("routing_key", key.get());
        event.put("event_action", action);
        event.put("dedup_key", dedupKey);
        payload.ifPresent(p -> event.put("payload", p));
        String body = JSON.writeValueAsString(event);
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    LOG.info("PagerDuty {} sent for {}", action, dedupKey);
                    return Optional.empty();
                }
                problem = "PagerDuty answered " + status;
                if (status != 429 && status < 500) {
                    LOG.warn("PagerDuty refused the {} for {}: {} {}", action, dedupKey, status, clip(response.body()));
                    return Optional.of(problem + ": " + clip(response.body()));
                }
                if (attempt < ATTEMPTS) {
                    Thread.sleep(wait(response, attempt).toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of("interrupted");
            } catch (Exception e) {
                problem = "PagerDuty could not be reached (" + e.getClass().getSimpleName() + ")";
                LOG.warn("PagerDuty {} for {} failed (attempt {}): {}", action, dedupKey, attempt, e.getClass().getSimpleName());
            }
        }
        LOG.warn("PagerDuty {} for {} not sent after {} attempts", action, dedupKey, ATTEMPTS);
        return Optional.of(problem + " after " + ATTEMPTS + " attempts");
    }

    private static Duration wait(HttpResponse<String> response, int attempt) {
        Optional<Duration> asked = response.headers().firstValue("Retry-After").flatMap(value -> {
            try {
                return Optional.of(Duration.ofSeconds(Math.min(30, Long.parseLong(value.trim()))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
        return asked.orElse(Duration.ofSeconds(1L << (attempt - 1)));
    }

    private static String clip(String text) {
        return text == null ? "" : text.length() > 300 ? text.substring(0, 300) : text;
    }
}
