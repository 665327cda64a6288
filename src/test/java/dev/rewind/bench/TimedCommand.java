package dev.rewind.bench;

import com.slack.api.app_backend.SlackSignature;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SignedSlack;

import java.net.http.HttpResponse;

/** One signed {@code /rollback <text>} by Alice in the checkout channel, timed from send to the ack's arrival. */
final class TimedCommand {

    private TimedCommand() {
    }

    /** @return nanoseconds from handing the request to the client to the HTTP 200 having arrived */
    static long ack(SignedSlack slack, String text) {
        String body = slack.commandBody(RewindFixture.ALICE, RewindFixture.CHANNEL, text);
        long timestamp = SignedSlack.now();
        String signature = new SlackSignature.Generator(RewindFixture.SECRET).generate(Long.toString(timestamp), body);
        long start = System.nanoTime();
        HttpResponse<String> response = slack.post(body, timestamp, signature);
        long elapsed = System.nanoTime() - start;
        if (response.statusCode() != 200) {
            throw new IllegalStateException("/rollback " + text + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return elapsed;
    }
}
