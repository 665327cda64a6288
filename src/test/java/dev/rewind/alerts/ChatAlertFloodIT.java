package dev.rewind.alerts;

import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SignedSlack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Messages written to stall the alert parser, posted by a bot in a watched channel, do not hold up commands. */
class ChatAlertFloodIT {

    private static final String CATALOGUE = RewindFixture.CATALOGUE.replace("services:",
            "alerts:\n  watchedChannels: [C0ALERTS]\nservices:");

    private RewindFixture rewind;

    @AfterEach
    void stop() {
        if (rewind != null) {
            rewind.close();
        }
    }

    private static String botMessage(int n, String text) {
        ObjectNode event = JsonMapper.builder().build().createObjectNode();
        event.put("token", "t").put("team_id", "T0TEAM").put("api_app_id", "A0REWIND").put("type", "event_callback")
                .put("event_id", "Ev0FLOOD" + n).put("event_time", Instant.now().getEpochSecond());
        event.putObject("event").put("type", "message").put("subtype", "bot_message").put("bot_id", "B0NOISY")
                .put("channel", "C0ALERTS").put("ts", "1700000300.0001" + n).put("event_ts", "1700000300.0001" + n)
                .put("text", text);
        return event.toString();
    }

    @Test
    void sixteen78KbBotMessagesInAWatchedChannelDoNotDelayARollbackCard() throws Exception {
        rewind = RewindFixture.builder().catalogue(CATALOGUE).build();
        rewind.prometheus().returns("errors", 0.2).before(0.001);
        String hostile = AlertMessageParserTest.hostile();

        for (int n = 0; n < 16; n++) {
            assertThat(rewind.signed().post(botMessage(n, hostile), SignedSlack.now()).statusCode()).isEqualTo(200);
        }
        long start = System.nanoTime();
        rewind.signed().command(ALICE, CHANNEL, "checkout");

        // Before, the 16 messages were parsed on the pool commands run on, for minutes each.
        await().atMost(Duration.ofSeconds(8)).untilAsserted(() -> assertThat(rewind.cards()).as("cards posted").hasSize(1));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        assertThat(rewind.cards().get(0).form().get("channel")).isEqualTo(CHANNEL);
    }
}
