package dev.rewind.adapter.webhook;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookCallbacksTest {

    private static final String SECRET = "s3cret";
    private final WebhookCallbacks callbacks = new WebhookCallbacks();

    private WebhookCallbacks.Result send(String runId, String body, String secret) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return callbacks.receive(runId, secret == null ? null : WebhookSignature.sign(secret, bytes), bytes);
    }

    @Test
    void aSignatureIsHmacSha256OfTheRawBodyInHex() {
        // echo -n '{"status":"succeeded"}' | openssl dgst -sha256 -hmac s3cret
        assertThat(WebhookSignature.sign(SECRET, "{\"status\":\"succeeded\"}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("sha256=e44c2a45585e471ea2f9057fee71905c0c2a6b0fb69d607c825f40836b040135");
        assertThat(WebhookSignature.matches(SECRET, "a".getBytes(), WebhookSignature.sign(SECRET, "a".getBytes()).toUpperCase()
                .replace("SHA256=", "sha256="))).isTrue();
        assertThat(WebhookSignature.matches(SECRET, "a".getBytes(), "sha256=00")).isFalse();
        assertThat(WebhookSignature.matches(SECRET, "a".getBytes(), null)).isFalse();
    }

    @Test
    void anUnknownRunIsNotFound() {
        assertThat(send("rb-unknown0001", "{\"status\":\"succeeded\"}", SECRET))
                .isInstanceOf(WebhookCallbacks.Result.UnknownRun.class);
    }

    @Test
    void theSignatureIsCheckedBeforeTheBody() {
        callbacks.expect("rb-run00000001", SECRET);
        assertThat(send("rb-run00000001", "not json", "wrong")).isInstanceOf(WebhookCallbacks.Result.BadSignature.class);
        assertThat(send("rb-run00000001", "not json", null)).isInstanceOf(WebhookCallbacks.Result.BadSignature.class);
        assertThat(send("rb-run00000001", "not json", SECRET)).isInstanceOf(WebhookCallbacks.Result.Malformed.class);
        assertThat(send("rb-run00000001", "{\"status\":\"succeeded\",\"message\":3}", SECRET).reason())
                .contains("'message' must be a string");
        assertThat(callbacks.completion("rb-run00000001")).isEmpty();
    }

    @Test
    void reportsForAConnectedRunAreKeptUntilSomeoneWaits() throws Exception {
        callbacks.connect(runId -> runId.equals("rb-run00000002") ? List.of("other", SECRET) : List.of());
        assertThat(send("rb-run00000002", "{\"status\":\"progress\",\"message\":\"half way\"}", SECRET).reason())
                .isEqualTo("recorded progress");
        assertThat(send("rb-run00000002", "{\"status\":\"succeeded\",\"message\":\"done\"}", SECRET).reason())
                .isEqualTo("recorded succeeded");
        assertThat(send("rb-run00000002", "{\"status\":\"failed\"}", SECRET).reason()).contains("already reported succeeded");

        WebhookCallbacks.Waiter waiter = callbacks.expect("rb-run00000002", SECRET);
        long deadline = System.nanoTime() + 1_000_000_000L;
        assertThat(waiter.next(deadline)).contains(new WebhookEvent(WebhookEvent.Status.PROGRESS, "half way"));
        assertThat(waiter.next(deadline)).contains(new WebhookEvent(WebhookEvent.Status.SUCCEEDED, "done"));
        assertThat(waiter.next(System.nanoTime())).isEqualTo(Optional.empty());
        assertThat(callbacks.completion("rb-run00000002")).map(WebhookEvent::message).contains("done");
    }
}
