package dev.rewind.adapter.webhook;

import dev.rewind.testing.FakeHttpService;
import dev.rewind.testing.FakeHttpService.Call;
import dev.rewind.testing.FakeHttpService.Reply;
import dev.rewind.web.BotMetrics;
import dev.rewind.web.Readiness;
import dev.rewind.web.ServiceReadinessRoute;
import dev.rewind.web.DeploysRoute;
import dev.rewind.web.StatsRoute;
import dev.rewind.web.WebServer;
import tools.jackson.databind.JsonNode;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A webhook receiver (WireMock) and Rewind's real web server with the callback route. The receiver
 * checks the v2 signature of every request it gets (run id, timestamp and body, computed here with
 * javax.crypto as a receiver would, not with Rewind's code), answers 202, then reports back over HTTP,
 * signed v2 with its own timestamp, with the events the test scripted: the whole round trip of the wire format.
 */
final class WebhookWorld implements AutoCloseable {

    static final String SECRET = "webhook-shared-secret";

    /** A request the receiver got, and whether its signature was right. */
    record Delivery(String runId, String timestamp, JsonNode payload, boolean signatureValid, String signature) {
    }

    /** A report the receiver sent back, exactly as it went over the wire, and Rewind's answer. */
    record Report(String url, String timestamp, String signature, String body, int status) {
    }

    private final FakeHttpService receiver = new FakeHttpService(this::receive);
    private final WebhookCallbacks callbacks = new WebhookCallbacks(Clock.systemUTC());
    private final WebServer web;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ExecutorService remote = Executors.newSingleThreadExecutor();
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final List<Report> reports = new CopyOnWriteArrayList<>();
    private volatile List<Map<String, String>> script = List.of(Map.of("status", "succeeded", "message", "rolled back"));

    WebhookWorld() {
        web = new WebServer(new WebServer.Routes(Optional.empty(), "not configured in this test", null,
                new BotMetrics(() -> 0), Readiness.none(), callbacks, null, Optional.empty(),
                new StatsRoute(null, null, Optional.empty()), new ServiceReadinessRoute(null, null, Optional.empty()),
                new DeploysRoute(null, null, Optional.empty(), card -> Optional.empty(), java.time.Clock.systemUTC())))
                .start(0);
    }

    /** What the receiver reports after each request: {status, message} in order. */
    void script(List<Map<String, String>> events) {
        this.script = List.copyOf(events);
    }

    WebhookCallbacks callbacks() {
        return callbacks;
    }

    String publicUrl() {
        return "http://localhost:" + web.port();
    }

    String receiverUrl() {
        return receiver.url() + "/hooks/rollback?token=in-the-query";
    }

    FakeHttpService receiver() {
        return receiver;
    }

    List<Delivery> deliveries() {
        return deliveries;
    }

    /** The reports the scripted receiver sent back, in order. */
    List<Report> reports() {
        return reports;
    }

    /** POSTs a report to Rewind as a receiver would, with the headers given (null: left out); returns status and body. */
    HttpResponse<String> report(String runId, String body, String timestamp, String signature) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(publicUrl() + "/runs/" + runId + "/events"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (timestamp != null) {
            request.header(WebhookSignature.TIMESTAMP_HEADER, timestamp);
        }
        if (signature != null) {
            request.header(WebhookSignature.HEADER, signature);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A report signed v2 with the shared secret, for {@code runId}, at {@code timestamp} (unix seconds). */
    HttpResponse<String> signedReport(String runId, String body, long timestamp) {
        return report(runId, body, Long.toString(timestamp), v2(SECRET, Long.toString(timestamp), runId,
                body.getBytes(StandardCharsets.UTF_8)));
    }

    /** A report signed v2 with the shared secret, now. */
    HttpResponse<String> signedReport(String runId, String body) {
        return signedReport(runId, body, Instant.now().getEpochSecond());
    }

    /** The v2 signature as a receiver computes it: hex HMAC-SHA256(secret, "v2:" + timestamp + ":" + runId + ":" + body). */
    static String v2(String secret, String timestamp, String runId, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(("v2:" + timestamp + ":" + runId + ":").getBytes(StandardCharsets.UTF_8));
            return "v2=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The v1 signature Rewind no longer accepts: sha256= HMAC over the body alone. */
    static String v1(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        remote.shutdownNow();
        receiver.close();
        web.close();
    }

    private Reply receive(Call call) {
        if (!call.method().equals("POST") || !call.path().equals("/hooks/rollback")) {
            return null;
        }
        byte[] body = call.raw().getBody();
        String signature = call.header(WebhookSignature.HEADER);
        String timestamp = call.header(WebhookSignature.TIMESTAMP_HEADER);
        String runId = call.header(WebhookSignature.RUN_HEADER);
        boolean valid = timestamp != null && runId != null && v2(SECRET, timestamp, runId, body).equals(signature)
                && Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) <= 300;
        JsonNode payload = call.json();
        deliveries.add(new Delivery(runId, timestamp, payload, valid, signature));
        if (!valid) {
            return Reply.error(401, "bad signature");
        }
        String callbackUrl = payload.path("callbackUrl").asString();
        List<Map<String, String>> events = script;
        remote.submit(() -> events.forEach(event -> {
            String json = FakeHttpService.JSON.writeValueAsString(event);
            String now = Long.toString(Instant.now().getEpochSecond());
            String signed = v2(SECRET, now, runId, json.getBytes(StandardCharsets.UTF_8));
            HttpRequest request = HttpRequest.newBuilder(URI.create(callbackUrl))
                    .header(WebhookSignature.TIMESTAMP_HEADER, now)
                    .header(WebhookSignature.HEADER, signed)
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build();
            int status;
            try {
                status = http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
            } catch (Exception e) {
                status = -1;
            }
            reports.add(new Report(callbackUrl, now, signed, json, status));
        }));
        return Reply.json(202, Map.of("accepted", true));
    }
}
