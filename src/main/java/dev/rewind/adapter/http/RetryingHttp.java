package dev.rewind.adapter.http;

import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Sends HTTP requests for the adapters that talk to systems outside Kubernetes, retrying with
 * exponential backoff on connection failures and on the responses the caller calls transient
 * (by default 429, 5xx and a 403 that carries Retry-After). A {@code Retry-After} header
 * (seconds or an HTTP date) sets the wait instead, capped at {@link Backoff#max()}. After the last attempt the last response is returned,
 * so the caller can say what the remote answered; a connection failure on the last attempt is thrown.
 * Logs name the method, host and path only: never headers (tokens) or query strings.
 */
public final class RetryingHttp {

    private static final Logger LOG = LoggerFactory.getLogger(RetryingHttp.class);

    /**
     * How often and how patiently to retry.
     *
     * @param attempts tries in all, the first included (1 = no retry)
     * @param first    the wait before the first retry; it doubles each time
     * @param max      the longest wait, also the cap on a {@code Retry-After}
     */
    public record Backoff(int attempts, Duration first, Duration max) {
        public static final Backoff DEFAULT = new Backoff(4, Duration.ofMillis(500), Duration.ofSeconds(30));

        public Backoff {
            if (attempts < 1) {
                throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
            }
        }

        Duration after(int retry) {
            long millis = first.toMillis() << Math.min(retry - 1, 20);
            return Duration.ofMillis(Math.min(millis < 0 ? Long.MAX_VALUE : millis, max.toMillis()));
        }
    }

    private final HttpClient client;
    private final Backoff backoff;
    private final Clock clock;

    public RetryingHttp(HttpClient client, Backoff backoff) {
        this(client, backoff, Clock.systemUTC());
    }

    RetryingHttp(HttpClient client, Backoff backoff, Clock clock) {
        this.client = client;
        this.backoff = backoff;
        this.clock = clock;
    }

    /** 429 (rate limited), 5xx, and 403 with Retry-After (GitHub's secondary rate limit): worth another try. */
    public static boolean transientFailure(HttpResponse<?> response) {
        return response.statusCode() == 429 || response.statusCode() >= 500
                || (response.statusCode() == 403 && response.headers().firstValue("Retry-After").isPresent());
    }

    /** Anything but 2xx. */
    public static boolean notSuccessful(HttpResponse<?> response) {
        return response.statusCode() < 200 || response.statusCode() > 299;
    }

    /** Sends with the default rule: retries 429 and 5xx. */
    public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return send(request, RetryingHttp::transientFailure);
    }

    /**
     * Sends {@code request}, retrying connection failures and responses {@code retryable} selects.
     *
     * @return the first response that is not retryable, or the last one
     * @throws IOException when the last attempt could not connect or read
     */
    public HttpResponse<String> send(HttpRequest request, Predicate<HttpResponse<String>> retryable)
            throws IOException, InterruptedException {
        String where = request.method() + " " + safe(request.uri());
        RetryConfig config = RetryConfig.<HttpResponse<String>>custom()
                .maxAttempts(backoff.attempts())
                .retryOnResult(retryable)
                .retryOnException(e -> e instanceof IOException)
                .intervalBiFunction(interval(where))
                .failAfterMaxAttempts(false)
                .build();
        Retry retry = Retry.of(where, config);
        try {
            return Retry.decorateCheckedSupplier(retry,
                    () -> client.send(request, HttpResponse.BodyHandlers.ofString())).get();
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private IntervalBiFunction<HttpResponse<String>> interval(String where) {
        return (attempt, outcome) -> {
            Duration wait = outcome.isRight() ? retryAfter(outcome.get()).orElse(backoff.after(attempt))
                    : backoff.after(attempt);
            LOG.info("{} {}; retrying in {} ms (attempt {} of {})", where, what(outcome), wait.toMillis(),
                    attempt + 1, backoff.attempts());
            return wait.toMillis();
        };
    }

    private static String what(Either<Throwable, HttpResponse<String>> outcome) {
        return outcome.isRight() ? "answered HTTP " + outcome.get().statusCode()
                : "failed: " + outcome.getLeft().getClass().getSimpleName()
                + (outcome.getLeft().getMessage() == null ? "" : " " + outcome.getLeft().getMessage());
    }

    /** The wait a {@code Retry-After} header asks for, capped at the longest backoff. */
    Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(this::parseRetryAfter)
                .map(wait -> wait.compareTo(backoff.max()) > 0 ? backoff.max() : wait);
    }

    private Optional<Duration> parseRetryAfter(String value) {
        String text = value.trim();
        if (text.matches("\\d+")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(text)));
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration wait = Duration.between(clock.instant(), at.toInstant());
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Scheme, host, port and path: user info and query strings may carry credentials (webhook URLs often do). */
    public static String safe(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }
}
