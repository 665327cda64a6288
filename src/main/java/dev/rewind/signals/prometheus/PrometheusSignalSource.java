package dev.rewind.signals.prometheus;

import dev.rewind.signals.Reading;
import dev.rewind.signals.SignalSource;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/** Instant queries against Prometheus' HTTP API ({@code /api/v1/query}). */
public final class PrometheusSignalSource implements SignalSource {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    public PrometheusSignalSource(String baseUrl, Duration timeout) {
        URI parsed = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        if (parsed.getScheme() == null || parsed.getHost() == null) {
            throw new IllegalArgumentException("Prometheus URL '" + baseUrl + "' is not an http(s) URL");
        }
        this.base = parsed;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public Reading query(String query, Instant at) {
        String form = "query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)
                + "&time=" + at.getEpochSecond() + "." + String.format("%03d", at.getNano() / 1_000_000);
        HttpRequest request = HttpRequest.newBuilder(base.resolve("api/v1/query"))
                .timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return interpret(response.statusCode(), response.body());
        } catch (HttpTimeoutException e) {
            return new Reading.Unavailable("Prometheus unreachable: no answer within " + timeout.toMillis() + " ms");
        } catch (ConnectException e) {
            return new Reading.Unavailable("Prometheus unreachable: connection refused at " + base.getHost()
                    + (base.getPort() > 0 ? ":" + base.getPort() : ""));
        } catch (IOException e) {
            return new Reading.Unavailable("Prometheus unreachable: " + e.getClass().getSimpleName()
                    + (e.getMessage() != null ? " " + e.getMessage() : ""));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reading.Unavailable("Prometheus query interrupted");
        }
    }

    static Reading interpret(int status, String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            return new Reading.Unavailable("Prometheus answered HTTP " + status + " with a body that is not JSON");
        }
        if (!"success".equals(root.path("status").asString())) {
            String error = root.path("error").asString();
            return new Reading.Unavailable("query error: " + (error.isEmpty() ? "HTTP " + status : error));
        }
        JsonNode data = root.path("data");
        String type = data.path("resultType").asString();
        JsonNode value;
        if (type.equals("scalar")) {
            value = data.path("result");
        } else if (type.equals("vector")) {
            JsonNode result = data.path("result");
            if (result.isEmpty()) {
                return new Reading.NoData();
            }
            if (result.size() > 1) {
                return new Reading.Unavailable("query error: returned " + result.size()
                        + " series; a signal must return one number (aggregate it, e.g. with sum())");
            }
            value = result.get(0).path("value");
        } else {
            return new Reading.Unavailable("query error: returned a " + type + "; a signal must return one number");
        }
        try {
            double number = Double.parseDouble(value.path(1).asString());
            return Double.isNaN(number) ? new Reading.NoData() : new Reading.Value(number);
        } catch (NumberFormatException e) {
            return new Reading.Unavailable("query error: value '" + value.path(1).asString() + "' is not a number");
        }
    }
}
