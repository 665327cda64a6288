package dev.rewind.outbox;

import dev.rewind.testing.RewindFixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A stopping bot (SIGTERM) sends what is due in its outbox before it lets go, even when Slack is slow. */
class ShutdownDrainIT {

    @Test
    void messagesDueWhenTheBotStopsAreSentBeforeItStops() throws Exception {
        try (RewindFixture rewind = RewindFixture.start()) {
            // Slack refuses the cards at first, so they wait in the outbox; then it answers, slowly.
            rewind.slack().beFlaky("chat.postMessage");
            for (int i = 0; i < 5; i++) {
                rewind.signed().command(ALICE, CHANNEL, "checkout --dry-run drill " + i);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> rewind.slack().failuresServed() >= 5);
            rewind.slack().recover();
            rewind.slack().server().setGlobalFixedDelay(1_000);
            Thread.sleep(1_500);

            rewind.stopRewind();

            assertThat(rewind.cards()).as("every card due when the bot stopped went out before it returned").hasSize(5);
            rewind.slack().server().setGlobalFixedDelay(0);
        }
    }
}
