package dev.rewind.slack;

import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import dev.rewind.outbox.Delivery;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * One Slack Web API call turned into a {@link Delivery.Result}: 429 waits for Retry-After, 5xx and
 * network errors are retried, errors that can never succeed are rejected with Slack's own words.
 */
final class SlackCall<T extends SlackApiTextResponse> {

    /** Slack errors that mean "try again later" rather than "never". */
    private static final Set<String> PASSING = Set.of("ratelimited", "internal_error", "fatal_error", "service_unavailable",
            "request_timeout");

    /** The call itself, as the SDK makes it. */
    interface Call<T> {
        T run() throws IOException, SlackApiException;
    }

    private final String method;
    private final Call<T> call;
    private T response;

    private SlackCall(String method, Call<T> call) {
        this.method = method;
        this.call = call;
    }

    static <T extends SlackApiTextResponse> SlackCall<T> of(String method, Call<T> call) {
        return new SlackCall<>(method, call);
    }

    /** Runs the call; empty when it succeeded (read {@link #response()}), else what to tell the worker. */
    Optional<Delivery.Result> run() {
        try {
            response = call.run();
        } catch (SlackApiException e) {
            int code = e.getResponse().code();
            if (code == 429) {
                return Optional.of(new Delivery.Result.Later(retryAfter(e.getResponse().header("Retry-After")),
                        method + " rate-limited (429)"));
            }
            if (code >= 500) {
                return Optional.of(new Delivery.Result.Failed(method + " answered HTTP " + code));
            }
            // 400/403/404 from the Web API are not passing: the call itself is wrong for this workspace.
            return Optional.of(new Delivery.Result.Rejected(method + " answered HTTP " + code));
        } catch (IOException e) {
            return Optional.of(new Delivery.Result.Failed(method + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage())));
        }
        if (response.isOk()) {
            return Optional.empty();
        }
        String error = response.getError();
        if (PASSING.contains(error)) {
            return Optional.of(new Delivery.Result.Failed(method + ": " + error));
        }
        return Optional.of(new Delivery.Result.Rejected(method + ": " + error
                + (response.getNeeded() != null ? " (needs scope " + response.getNeeded() + ")" : "")));
    }

    T response() {
        return response;
    }

    /** Slack's error code when it answered {@code ok: false}, else empty text. */
    String error() {
        return response == null || response.isOk() || response.getError() == null ? "" : response.getError();
    }

    static Duration retryAfter(String header) {
        try {
            return Duration.ofSeconds(Math.max(1, Long.parseLong(header == null ? "1" : header.trim())));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(1);
        }
    }
}
