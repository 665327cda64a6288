package dev.rewind.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/**
 * Prometheus' query API as WireMock. Each query answers what the test set for it, separately for
 * "now" and for the baseline (any evaluation time more than a minute in the past), like
 * {@code prometheus().returns("errors", 0.22).before(0.004)}.
 */
public final class PrometheusStub implements AutoCloseable {

    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final WireMockServer server;
    private volatile Duration delay = Duration.ZERO;

    /** What one query returns now and before; {@code null} means no samples. */
    public static final class Answer {
        volatile Double now;
        volatile Double before;
        volatile String error;

        public Answer before(Double value) {
            this.before = value;
            return this;
        }
    }

    public PrometheusStub() {
        server = new WireMockServer(WireMockConfiguration.options().dynamicPort().extensions(new Transformer()));
        server.start();
        server.stubFor(post(urlPathEqualTo("/api/v1/query")).willReturn(aResponse().withStatus(200)
                .withTransformers("prometheus")));
    }

    public String url() {
        return server.baseUrl();
    }

    public Answer returns(String query, Double now) {
        Answer answer = answers.computeIfAbsent(query, q -> new Answer());
        answer.now = now;
        answer.error = null;
        return answer;
    }

    public void fails(String query, String error) {
        answers.computeIfAbsent(query, q -> new Answer()).error = error;
    }

    public void delay(Duration delay) {
        this.delay = delay;
    }

    public int queries() {
        return server.getAllServeEvents().size();
    }

    @Override
    /**
     * Stops the stand-in; a request it had no stub for fails the test here, since the bot then got
     * a 404 no real Prometheus would give and the test may have passed for the wrong reason.
     */
    public void close() {
        List<String> unmatched = server.findAllUnmatchedRequests().stream()
                .map(request -> request.getMethod() + " " + request.getUrl()).toList();
        server.stop();
        if (!unmatched.isEmpty()) {
            throw new AssertionError("the Prometheus stand-in got requests it has no stub for: " + unmatched);
        }
    }

    private final class Transformer implements ResponseTransformerV2 {
        @Override
        public Response transform(Response response, ServeEvent event) {
            Map<String, String> form = SlackStub.form(event.getRequest());
            String query = form.getOrDefault("query", "");
            double time = Double.parseDouble(form.getOrDefault("time", "0"));
            boolean baseline = Instant.ofEpochMilli((long) (time * 1000)).isBefore(Instant.now().minusSeconds(60));
            Answer answer = answers.get(query);
            String body;
            int status = 200;
            if (answer != null && answer.error != null) {
                status = 400;
                body = "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"" + answer.error + "\"}";
            } else {
                Double value = answer == null ? null : baseline ? answer.before : answer.now;
                body = value == null
                        ? "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}"
                        : "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
                        + "\"value\":[" + time + ",\"" + String.format(Locale.ROOT, "%s", value) + "\"]}]}}";
            }
            if (!delay.isZero()) {
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Response.Builder.like(response).but().status(status).body(body)
                    .headers(new com.github.tomakehurst.wiremock.http.HttpHeaders(
                            new com.github.tomakehurst.wiremock.http.HttpHeader("Content-Type", "application/json")))
                    .build();
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return "prometheus";
        }
    }

}
