package dev.rewind.alerts;

import dev.rewind.config.Catalogue;
import dev.rewind.rollback.Catalogues;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Chat alert messages wait in a bounded queue: a flood drops the oldest waiting ones, and the caller never blocks. */
class AlertReadingPoolTest {

    // Messages that are not alerts never reach the store, the rollback service or the channel.
    private final AlertIntake intake = new AlertIntake(new Catalogues(Catalogue::empty), null, null, null, null, null,
            Clock.systemUTC(), source -> { });

    @AfterEach
    void close() {
        intake.close();
    }

    @Test
    void aFloodBeyondTheQueueDropsTheOldestWaitingMessagesWithoutBlockingTheSender() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        Set<Integer> read = ConcurrentHashMap.newKeySet();
        int sent = AlertIntake.READERS + AlertIntake.READ_QUEUE + 10;

        long start = System.nanoTime();
        for (int n = 0; n < sent; n++) {
            int message = n;
            intake.readMessage("C0ALERTS", new AlertMessageParser.Message("slack:alertmanager", "not an alert", List.of()),
                    () -> {
                        read.add(message);
                        try {
                            release.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return false; // "seen before": nothing more to do for it
                    });
            if (n == AlertIntake.READERS - 1) {
                // Both readers busy (held by the latch): everything after waits in the queue.
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(read).hasSize(AlertIntake.READERS));
                start = System.nanoTime();
            }
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the sender never waits").isLessThan(Duration.ofSeconds(2));
        release.countDown();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(read)
                .hasSize(AlertIntake.READERS + AlertIntake.READ_QUEUE));
        Thread.sleep(200);
        assertThat(read).hasSize(AlertIntake.READERS + AlertIntake.READ_QUEUE)
                .as("the newest are kept").containsAll(IntStream.range(sent - AlertIntake.READ_QUEUE, sent).boxed().toList())
                .as("the oldest waiting are dropped")
                .doesNotContainAnyElementsOf(IntStream.range(AlertIntake.READERS, AlertIntake.READERS + 10).boxed().toList());
    }
}
