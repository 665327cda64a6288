package dev.rewind.adapter.webhook;

import dev.rewind.testing.FakeHttpService;
import dev.rewind.testing.FakeHttpService.Call;
import dev.rewind.testing.FakeHttpService.Reply;
import dev.rewind.web.BotMetrics;
import dev.rewind.web.WebServer;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A webhook receiver (WireMock) and Rewind's real web server with the callback route. The receiver
 * checks the signature of every request it gets, answers 202, then reports back over HTTP, signed,
 * with the events the test scripted: the whole round trip of the wire format.
 */
final class WebhookWorld implements AutoCloseable {

    static final String SECRET = "webhook-shared-secret";

    /** A request the receiver got, and whether its signature was right. */
    record Delivery(String runId, JsonNode payload, boolean signatureValid, String signature) {
    }

    private final FakeHttpService receiver = new FakeHttpService(this::receive);
    private final WebhookCallbacks callbacks = new WebhookCallbacks();
    private final WebServer web;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ExecutorService remote = Executors.newSingleThreadExecutor();
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final List<Integer> callbackStatuses = new CopyOnWriteArrayList<>();
    private volatile List<Map<String, String>> script = List.of(Map.of("status", "succeeded", "message", "rolled back"));

    WebhookWorld() {
        web = new WebServer(new WebServer.Routes(Optional.empty(), "not configured in this test", null,
                new BotMetrics(() -> 0), Map::of, callbacks, null, Optional.empty())).start(0);
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

    List<Integer> callbackStatuses() {
        return callbackStatuses;
    }

    /** POSTs a report to Rewind as a receiver would; returns status and body. */
    HttpResponse<String> report(String runId, String body, String signature) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(publicUrl() + "/runs/" + runId + "/events"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (signature != null) {
            request.header(WebhookSignature.HEADER, signature);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> signedReport(String runId, String body) {
        return report(runId, body, WebhookSignature.sign(SECRET, body.getBytes(StandardCharsets.UTF_8)));
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
        boolean valid = WebhookSignature.sign(SECRET, body).equals(signature);
        JsonNode payload = call.json();
        String runId = call.header(WebhookSignature.RUN_HEADER);
        deliveries.add(new Delivery(runId, payload, valid, signature));
        if (!valid) {
            return Reply.error(401, "bad signature");
        }
        String callbackUrl = payload.path("callbackUrl").asString();
        List<Map<String, String>> events = script;
        remote.submit(() -> events.forEach(event -> {
            String json = FakeHttpService.JSON.writeValueAsString(event);
            HttpRequest request = HttpRequest.newBuilder(URI.create(callbackUrl))
                    .header(WebhookSignature.HEADER, WebhookSignature.sign(SECRET, json.getBytes(StandardCharsets.UTF_8)))
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build();
            try {
                callbackStatuses.add(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
            } catch (Exception e) {
                callbackStatuses.add(-1);
            }
        }));
        return Reply.json(202, Map.of("accepted", true));
    }
}
