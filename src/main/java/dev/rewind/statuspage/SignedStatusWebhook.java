package dev.rewind.statuspage;

import dev.rewind.adapter.webhook.WebhookSignature;
import dev.rewind.config.Secrets;
import dev.rewind.rollback.StatusWebhook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@link StatusWebhook} over HTTP, signed exactly as the webhook adapter's requests are ({@code X-Rewind-Signature:
 * v2=…} over {@code v2:<timestamp>:<run>:<body>}, with {@code X-Rewind-Timestamp} and {@code X-Rewind-Run}), so one
 * receiver can check both. Sent off the engine's threads, in order, retried three times on a 429, a 5xx or no
 * answer (1, 2, 4 s apart); the secret is read per call and never logged.
 */
public final class SignedStatusWebhook implements StatusWebhook {

    private static final Logger LOG = LoggerFactory.getLogger(SignedStatusWebhook.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int ATTEMPTS = 4;

    private final Secrets secrets;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "rewind-status-webhook");
        thread.setDaemon(true);
        return thread;
    });

    public SignedStatusWebhook(Secrets secrets, Clock clock) {
        this.secrets = secrets;
        this.clock = clock;
    }

    @Override
    public void send(String url, String secretEnv, String runId, Map<String, Object> event) {
        byte[] body = JSON.writeValueAsBytes(event);
        sender.execute(() -> deliver(url, secretEnv, runId, body, String.valueOf(event.get("event"))));
    }

    private void deliver(String url, String secretEnv, String runId, byte[] body, String what) {
        Optional<String> secret = secrets.get(secretEnv);
        if (secret.isEmpty()) {
            LOG.warn("status webhook ({} of {}) not sent: environment variable {} is not set", what, runId, secretEnv);
            return;
        }
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            long timestamp = clock.instant().getEpochSecond();
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .header(WebhookSignature.RUN_HEADER, runId)
                        .header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
                        .header(WebhookSignature.HEADER, WebhookSignature.sign(secret.get(), timestamp, runId, body))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return;
                }
                if (status != 429 && status < 500) {
                    LOG.warn("status webhook refused the {} of {}: {}", what, runId, status);
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.warn("status webhook ({} of {}) failed, attempt {}: {}", what, runId, attempt, e.getClass().getSimpleName());
            }
            try {
                Thread.sleep(1000L << (attempt - 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.warn("status webhook ({} of {}) not delivered after {} attempts", what, runId, ATTEMPTS);
    }
}
