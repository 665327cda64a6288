package dev.rewind.adapter.webhook;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The v2 signature, its ±5 minute window at the boundaries, and when a valid report counts (only while its attempt waits). */
class WebhookCallbacksTest {

    private static final String SECRET = "s3cret";
    private static final String RUN = "rb-run00000001";
    private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
    private static final String SUCCEEDED = "{\"status\":\"succeeded\"}";

    private final SetClock clock = new SetClock(NOW);
    private final WebhookCallbacks callbacks = new WebhookCallbacks(clock);

    private WebhookCallbacks.Result send(String runId, String body, String secret, long timestamp) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return callbacks.receive(runId, Long.toString(timestamp),
                secret == null ? null : WebhookSignature.sign(secret, timestamp, runId, bytes), bytes);
    }

    private WebhookCallbacks.Result send(String runId, String body, String secret) {
        return send(runId, body, secret, NOW.getEpochSecond());
    }

    @Test
    void aSignatureIsHmacSha256OfVersionTimestampRunIdAndRawBodyInHex() {
        // printf '%s' 'v2:1700000000:rb-run00000001:{"status":"succeeded"}' | openssl dgst -sha256 -hmac s3cret
        byte[] body = SUCCEEDED.getBytes(StandardCharsets.UTF_8);
        String expected = "v2=381d29568b3730613e8a82f0ba1b102dc2a3d20d1ea81b4671d77d415572cafe";
        assertThat(WebhookSignature.sign(SECRET, 1_700_000_000L, RUN, body)).isEqualTo(expected);
        assertThat(WebhookSignature.matches(SECRET, "1700000000", RUN, body, expected.toUpperCase().replace("V2=", "v2=")))
                .isTrue();
        assertThat(WebhookSignature.matches(SECRET, "1700000000", "rb-run00000002", body, expected)).as("another run").isFalse();
        assertThat(WebhookSignature.matches(SECRET, "1700000001", RUN, body, expected)).as("another time").isFalse();
        assertThat(WebhookSignature.matches(SECRET, "1700000000", RUN, "{}".getBytes(), expected)).as("another body").isFalse();
        assertThat(WebhookSignature.matches(SECRET, "1700000000", RUN, body, null)).isFalse();
    }

    @Test
    void anUnknownRunIsNotFound() {
        assertThat(send("rb-unknown0001", SUCCEEDED, SECRET)).isInstanceOf(WebhookCallbacks.Result.UnknownRun.class);
    }

    @ParameterizedTest(name = "signed {0} s from now: {1}")
    @CsvSource({
            "-301, 401", "-300, 200", "0, 200", "300, 200", "301, 401",
    })
    void theTimestampMayBeAtMostFiveMinutesAwayEitherWay(long offset, int expected) {
        clock.set(NOW.minusSeconds(600));
        callbacks.open(RUN, SECRET);
        clock.set(NOW);
        WebhookCallbacks.Result result = send(RUN, SUCCEEDED, SECRET, NOW.getEpochSecond() + offset);
        if (expected == 200) {
            assertThat(result).isInstanceOf(WebhookCallbacks.Result.Accepted.class);
        } else {
            assertThat(result).isInstanceOf(WebhookCallbacks.Result.BadSignature.class);
            assertThat(result.reason()).contains("5m1s in the " + (offset < 0 ? "past" : "future"));
        }
    }

    @Test
    void aReportSignedBeforeItsRequestDoesNotCountBeyondTheSkewAllowance() {
        // Sent at NOW + 60 s: a report signed at NOW is within ±5 min of the clock, but older than the request,
        // e.g. a report on the attempt before a restart, replayed onto the attempt after it.
        clock.set(NOW.plusSeconds(60));
        callbacks.open(RUN, SECRET);
        WebhookCallbacks.Result early = send(RUN, SUCCEEDED, SECRET, NOW.getEpochSecond());
        assertThat(early).isInstanceOf(WebhookCallbacks.Result.NotWaiting.class);
        assertThat(early.reason()).contains("1m before Rewind sent run " + RUN + "'s webhook request");
        long skewed = NOW.getEpochSecond() + 60 - WebhookCallbacks.EARLIER_ALLOWED.toSeconds();
        assertThat(send(RUN, SUCCEEDED, SECRET, skewed - 1)).isInstanceOf(WebhookCallbacks.Result.NotWaiting.class);
        assertThat(send(RUN, SUCCEEDED, SECRET, skewed)).as("a receiver's clock a few seconds behind")
                .isInstanceOf(WebhookCallbacks.Result.Accepted.class);
    }

    @Test
    void aReportAcceptedByOneAttemptDoesNotCountForTheNextUnlessSignedAfterItsRequest() throws Exception {
        WebhookCallbacks.Attempt first = callbacks.open(RUN, SECRET);
        assertThat(send(RUN, SUCCEEDED, SECRET)).isInstanceOf(WebhookCallbacks.Result.Accepted.class);
        first.close();

        clock.set(NOW.plusSeconds(3));
        WebhookCallbacks.Attempt second = callbacks.open(RUN, SECRET);
        WebhookCallbacks.Result replayed = send(RUN, SUCCEEDED, SECRET);
        assertThat(replayed).as("signed 3 s before the second request, within the skew allowance, but seen before")
                .isInstanceOf(WebhookCallbacks.Result.NotWaiting.class);
        assertThat(replayed.reason()).contains("already accepted");
        assertThat(second.next(System.nanoTime())).isEmpty();
        assertThat(send(RUN, SUCCEEDED, SECRET, NOW.getEpochSecond() + 3)).as("the receiver's fresh answer")
                .isInstanceOf(WebhookCallbacks.Result.Accepted.class);
    }

    @Test
    void malformedHeadersAreRefusedWithTheirReason() {
        callbacks.open(RUN, SECRET);
        byte[] body = SUCCEEDED.getBytes(StandardCharsets.UTF_8);
        String v2 = WebhookSignature.sign(SECRET, NOW.getEpochSecond(), RUN, body);
        assertThat(callbacks.receive(RUN, "1700000000", null, body).reason()).isEqualTo("missing X-Rewind-Signature header");
        assertThat(callbacks.receive(RUN, "1700000000",
                "sha256=e44c2a45585e471ea2f9057fee71905c0c2a6b0fb69d607c825f40836b040135", body).reason())
                .contains("v1 signature");
        assertThat(callbacks.receive(RUN, "1700000000", "v2=zz", body).reason()).contains("64 hex digits");
        assertThat(callbacks.receive(RUN, null, v2, body).reason()).contains("missing X-Rewind-Timestamp");
        assertThat(callbacks.receive(RUN, "2023-11-14T22:13:20Z", v2, body).reason()).contains("is not unix seconds");
        assertThat(callbacks.receive(RUN, "1700000000", v2, body)).isInstanceOf(WebhookCallbacks.Result.Accepted.class);
    }

    @Test
    void theSignatureIsCheckedBeforeTheBody() {
        callbacks.open(RUN, SECRET);
        assertThat(send(RUN, "not json", "wrong")).isInstanceOf(WebhookCallbacks.Result.BadSignature.class);
        assertThat(send(RUN, "not json", null)).isInstanceOf(WebhookCallbacks.Result.BadSignature.class);
        assertThat(send(RUN, "not json", SECRET)).isInstanceOf(WebhookCallbacks.Result.Malformed.class);
        assertThat(send(RUN, "{\"status\":\"succeeded\",\"message\":3}", SECRET).reason())
                .contains("'message' must be a string");
    }

    @Test
    void aValidReportCountsOnlyWhileItsAttemptWaits() throws Exception {
        callbacks.connect(runId -> runId.equals(RUN) ? List.of("other", SECRET) : List.of());
        WebhookCallbacks.Result before = send(RUN, SUCCEEDED, SECRET);
        assertThat(before).as("no request sent yet").isInstanceOf(WebhookCallbacks.Result.NotWaiting.class);
        assertThat(before.reason()).contains("has not sent run " + RUN + "'s webhook request");
        assertThat(send(RUN, SUCCEEDED, "forged")).as("still 401 when forged").isInstanceOf(WebhookCallbacks.Result.BadSignature.class);

        WebhookCallbacks.Attempt attempt = callbacks.open(RUN, SECRET);
        long deadline = System.nanoTime() + 1_000_000_000L;
        assertThat(attempt.next(System.nanoTime())).as("what came before the request is not there").isEmpty();
        assertThat(send(RUN, "{\"status\":\"progress\",\"message\":\"half way\"}", SECRET).reason()).isEqualTo("recorded progress");
        assertThat(send(RUN, SUCCEEDED, "other")).as("the secret of another step of the run")
                .isInstanceOf(WebhookCallbacks.Result.NotWaiting.class);
        assertThat(send(RUN, "{\"status\":\"succeeded\",\"message\":\"done\"}", SECRET).reason()).isEqualTo("recorded succeeded");
        assertThat(send(RUN, "{\"status\":\"failed\"}", SECRET).reason()).contains("already reported succeeded");
        assertThat(attempt.next(deadline)).contains(new WebhookEvent(WebhookEvent.Status.PROGRESS, "half way"));
        assertThat(attempt.next(deadline)).contains(new WebhookEvent(WebhookEvent.Status.SUCCEEDED, "done"));
        assertThat(attempt.next(System.nanoTime())).isEqualTo(Optional.empty());

        attempt.close();
        WebhookCallbacks.Result after = send(RUN, "{\"status\":\"failed\",\"message\":\"late\"}", SECRET);
        assertThat(after).isInstanceOf(WebhookCallbacks.Result.NotWaiting.class);
        assertThat(after.reason()).contains("no longer waiting");

        WebhookCallbacks.Attempt again = callbacks.open(RUN, SECRET);
        assertThat(again.next(System.nanoTime())).as("a new attempt starts with no reports").isEmpty();
    }

    /** A clock that stands still where the test puts it. */
    private static final class SetClock extends Clock {
        private volatile Instant now;

        SetClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
