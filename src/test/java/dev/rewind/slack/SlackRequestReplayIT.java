package dev.rewind.slack;

import com.slack.api.app_backend.SlackSignature;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SignedSlack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.BOB;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Signed requests are accepted only near now, in both directions, and a captured slash command sent
 * again within that window is not run a second time.
 */
class SlackRequestReplayIT {

    private RewindFixture rewind;

    @BeforeEach
    void start() throws Exception {
        rewind = RewindFixture.start();
        rewind.prometheus().returns("errors", 0.182).before(0.004);
        rewind.prometheus().returns("latency", 0.9).before(0.3);
    }

    @AfterEach
    void stop() {
        rewind.close();
    }

    @Test
    void aRequestSignedForTheFutureIsRefusedWith401() {
        String body = rewind.signed().commandBody(ALICE, CHANNEL, "help");
        long now = SignedSlack.now();

        HttpResponse<String> farFuture = rewind.signed().post(body, now + 10 * 60);
        assertThat(farFuture.statusCode()).isEqualTo(401);
        assertThat(farFuture.body()).contains("more than 5 minutes in the future");
        // A clock a minute ahead of ours is ordinary skew.
        assertThat(rewind.signed().post(rewind.signed().commandBody(ALICE, CHANNEL, "help"), now + 60).statusCode())
                .isEqualTo(200);
    }

    @Test
    void aCapturedSlashCommandSentAgainIsAcknowledgedAndNotRun() {
        String body = rewind.signed().commandBody(ALICE, CHANNEL, "checkout");
        long now = SignedSlack.now();
        String signature = new SlackSignature.Generator(RewindFixture.SECRET).generate(Long.toString(now), body);

        assertThat(rewind.signed().post(body, now, signature).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(rewind.cards()).as("cards posted").hasSize(1));

        HttpResponse<String> replay = rewind.signed().post(body, now, signature);
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(replay.body()).isEmpty();
        // The same words typed again are a new command (a new trigger id) and do get an answer.
        HttpResponse<String> again = rewind.signed().command(BOB, CHANNEL, "help");
        assertThat(again.body()).contains("roll back a bad deployment");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(rewind.cards())
                .hasSize(1));
    }

    @Test
    void aForgedCopyOfACommandDoesNotBlockTheRealOne() {
        String body = rewind.signed().commandBody(ALICE, CHANNEL, "help");
        long now = SignedSlack.now();
        assertThat(rewind.signed().post(body, now, "v0=" + "0".repeat(64)).statusCode()).isEqualTo(401);
        HttpResponse<String> real = rewind.signed().post(body, now);
        assertThat(real.statusCode()).isEqualTo(200);
        assertThat(real.body()).contains("roll back a bad deployment");
    }
}
