package dev.rewind.adapter.http;

import dev.rewind.testing.FakeHttpService;
import dev.rewind.testing.FakeHttpService.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryingHttpIT {

    private final FakeHttpService server = new FakeHttpService(call -> Reply.ok(Map.of("ok", true)));
    private final HttpClient client = HttpClient.newHttpClient();
    private final RetryingHttp http = new RetryingHttp(client, new RetryingHttp.Backoff(4, Duration.ofMillis(10),
            Duration.ofSeconds(2)));

    @AfterEach
    void close() {
        server.close();
    }

    private HttpRequest get() {
        return HttpRequest.newBuilder(URI.create(server.url() + "/thing")).build();
    }

    @Test
    void serverErrorsAreRetriedUntilOneSucceeds() throws Exception {
        server.failNext(2, Reply.error(502, "bad gateway"));
        assertThat(http.send(get()).statusCode()).isEqualTo(200);
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void afterTheLastAttemptTheLastAnswerIsReturned() throws Exception {
        server.failNext(4, Reply.error(503, "down"));
        HttpResponse<String> response = http.send(get());
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("down");
        assertThat(server.requests()).hasSize(4);
    }

    @Test
    void clientErrorsAreNotRetried() throws Exception {
        server.failNext(1, Reply.error(404, "nope"));
        assertThat(http.send(get()).statusCode()).isEqualTo(404);
        server.failNext(1, Reply.error(403, "forbidden"));
        assertThat(http.send(get()).statusCode()).isEqualTo(403);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void aSecondaryRateLimitIsWaitedOut() throws Exception {
        server.failNext(1, Reply.error(403, "You have exceeded a secondary rate limit").withHeader("Retry-After", "0"));
        assertThat(http.send(get()).statusCode()).isEqualTo(200);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void aRateLimitWaitsAsLongAsRetryAfterSays() throws Exception {
        server.failNext(1, Reply.error(429, "slow down").withHeader("Retry-After", "1"));
        long start = System.nanoTime();
        assertThat(http.send(get()).statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void retryAfterIsCappedAtTheLongestBackoffAndReadAsADateToo() {
        Instant now = Instant.parse("2024-05-01T10:00:00Z");
        RetryingHttp capped = new RetryingHttp(client, new RetryingHttp.Backoff(2, Duration.ofMillis(10),
                Duration.ofSeconds(30)), Clock.fixed(now, ZoneOffset.UTC));
        assertThat(capped.retryAfter(response("3600"))).contains(Duration.ofSeconds(30));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(now.plusSeconds(7), ZoneOffset.UTC));
        assertThat(capped.retryAfter(response(date))).contains(Duration.ofSeconds(7));
        assertThat(capped.retryAfter(response("soon"))).isEmpty();
    }

    @Test
    void theCallerChoosesWhatIsRetried() throws Exception {
        server.failNext(1, Reply.error(400, "not yet"));
        assertThat(http.send(get(), RetryingHttp::notSuccessful).statusCode()).isEqualTo(200);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void anUnreachableServerFailsAfterTheAttempts() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x")).build();
        assertThatThrownBy(() -> http.send(request)).isInstanceOf(IOException.class);
    }

    @Test
    void safeUrlsDropUserInfoAndQuery() {
        assertThat(RetryingHttp.safe(URI.create("https://user:pw@hooks.example.com:8443/a/b?token=secret")))
                .isEqualTo("https://hooks.example.com:8443/a/b");
    }

    private HttpResponse<String> response(String retryAfter) {
        try {
            server.failNext(1, Reply.error(429, "x").withHeader("Retry-After", retryAfter));
            return client.send(get(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
