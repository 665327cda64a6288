package dev.rewind.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.HttpHeaders;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

/**
 * A vendor API stand-in: WireMock serving every request through a Java {@link Handler} that keeps the
 * vendor's state (flags, applications, git objects). Requests are journaled for assertions;
 * {@link #failNext} injects failures (503, 429 with Retry-After) ahead of the handler. A request the
 * handler does not know gets 404 with a message naming it, so unexpected calls fail loudly.
 */
public final class FakeHttpService implements AutoCloseable {

    public static final JsonMapper JSON = JsonMapper.shared();

    /** One request as the handler sees it. */
    public record Call(String method, String path, Map<String, String> query, String body, LoggedRequest raw) {
        public JsonNode json() {
            return JSON.readTree(body);
        }

        public String header(String name) {
            return raw.getHeader(name);
        }
    }

    /** One answer. */
    public record Reply(int status, String body, Map<String, String> headers) {
        public static Reply json(int status, Object body) {
            return new Reply(status, body instanceof String text ? text : JSON.writeValueAsString(body),
                    Map.of("Content-Type", "application/json"));
        }

        public static Reply ok(Object body) {
            return json(200, body);
        }

        public static Reply error(int status, String message) {
            return json(status, Map.of("message", message));
        }

        public Reply withHeader(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Reply(status, body, more);
        }
    }

    /** The vendor's behaviour. */
    @FunctionalInterface
    public interface Handler {
        Reply handle(Call call);
    }

    private final WireMockServer server;
    private final Handler handler;
    private final Deque<Reply> injected = new ConcurrentLinkedDeque<>();

    public FakeHttpService(Handler handler) {
        this.handler = handler;
        this.server = new WireMockServer(WireMockConfiguration.options().dynamicPort().extensions(new Transformer()));
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withTransformers("fake-vendor")));
    }

    public String url() {
        return server.baseUrl();
    }

    public WireMockServer server() {
        return server;
    }

    /** The next {@code times} requests get {@code reply} instead of reaching the handler. */
    public void failNext(int times, Reply reply) {
        for (int i = 0; i < times; i++) {
            injected.add(reply);
        }
    }

    /** Every request so far, oldest first. */
    public List<LoggedRequest> requests() {
        List<LoggedRequest> requests = new ArrayList<>(server.getAllServeEvents().stream().map(ServeEvent::getRequest).toList());
        requests.sort((a, b) -> a.getLoggedDate().compareTo(b.getLoggedDate()));
        return requests;
    }

    /** Requests that change something (anything but GET). */
    public long changes() {
        return requests().stream().filter(r -> !r.getMethod().getName().equals("GET")).count();
    }

    public List<LoggedRequest> requests(String method, String pathPrefix) {
        return requests().stream().filter(r -> r.getMethod().getName().equals(method)
                && URI.create(r.getUrl()).getPath().startsWith(pathPrefix)).toList();
    }

    @Override
    public void close() {
        server.stop();
    }

    private final class Transformer implements ResponseTransformerV2 {
        @Override
        public Response transform(Response response, ServeEvent event) {
            LoggedRequest request = event.getRequest();
            Reply reply = injected.poll();
            if (reply == null) {
                URI uri = URI.create(request.getUrl());
                Map<String, String> query = new LinkedHashMap<>();
                request.getQueryParams().forEach((name, value) -> query.put(name, value.firstValue()));
                Call call = new Call(request.getMethod().getName(), uri.getPath(), query, request.getBodyAsString(), request);
                try {
                    reply = handler.handle(call);
                } catch (RuntimeException e) {
                    reply = Reply.error(500, "stand-in failed: " + e);
                }
                if (reply == null) {
                    reply = Reply.error(404, "the stand-in does not know " + call.method() + " " + call.path());
                }
            }
            List<HttpHeader> headers = new ArrayList<>();
            reply.headers().forEach((name, value) -> headers.add(new HttpHeader(name, value)));
            return Response.Builder.like(response).but().status(reply.status()).body(reply.body())
                    .headers(new HttpHeaders(headers)).build();
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return "fake-vendor";
        }
    }
}
