package dev.rewind.outbox;

import dev.rewind.store.Database;
import dev.rewind.store.JdbiOutbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The outbox survives a restart, keeps each stream in order through failures, and never sends twice. */
class OutboxIT {

    private Database database;
    private JdbiOutbox outbox;
    private final Clock clock = Clock.systemUTC();

    @BeforeEach
    void open() {
        database = Database.open("jdbc:h2:mem:outbox-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", Optional.empty(),
                Optional.empty());
        outbox = new JdbiOutbox(database);
    }

    @AfterEach
    void close() {
        database.close();
    }

    /** Records what it sends; fails the first {@code failures} attempts. */
    private static final class Recorder implements Delivery {
        final List<String> sent = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger failures;

        Recorder(int failures) {
            this.failures = new AtomicInteger(failures);
        }

        @Override
        public List<String> kinds() {
            return List.of("test");
        }

        @Override
        public Result deliver(Message head, List<Message> following) {
            int left = failures.getAndDecrement();
            if (left > 0) {
                return left % 2 == 0 ? new Result.Later(Duration.ofMillis(50), "429") : new Result.Failed("500");
            }
            sent.add(head.stream() + ":" + head.payload());
            return new Result.Sent(1);
        }
    }

    @Test
    void messagesWrittenBeforeARestartAreSentByTheNextWorkerInOrder() {
        for (int i = 0; i < 5; i++) {
            outbox.append("s1", "test", Optional.empty(), Optional.empty(), "a" + i, clock.instant());
            outbox.append("s2", "test", Optional.empty(), Optional.empty(), "b" + i, clock.instant());
        }
        Recorder recorder = new Recorder(0);
        try (OutboxWorker worker = new OutboxWorker(outbox, List.of(recorder), new OutboxSignal(), clock, "after-restart",
                (kind, why) -> { })) {
            worker.start();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(recorder.sent).as("messages sent").hasSize(10));
        }
        assertThat(recorder.sent.stream().filter(s -> s.startsWith("s1:")).toList())
                .containsExactly("s1:a0", "s1:a1", "s1:a2", "s1:a3", "s1:a4");
        assertThat(recorder.sent.stream().filter(s -> s.startsWith("s2:")).toList())
                .containsExactly("s2:b0", "s2:b1", "s2:b2", "s2:b3", "s2:b4");
        assertThat(outbox.waiting()).isZero();
    }

    @Test
    void failuresDelayAStreamWithoutReorderingIt() {
        for (int i = 0; i < 4; i++) {
            outbox.append("s", "test", Optional.empty(), Optional.empty(), "m" + i, clock.instant());
        }
        Recorder recorder = new Recorder(4);
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        try (OutboxWorker worker = new OutboxWorker(outbox, List.of(recorder), new OutboxSignal(), clock, "w",
                (kind, why) -> errors.add(why))) {
            worker.start();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(recorder.sent).as("messages sent").hasSize(4));
        }
        assertThat(recorder.sent).as("messages sent").containsExactly("s:m0", "s:m1", "s:m2", "s:m3");
        assertThat(errors).contains("500");
    }

    @Test
    void twoWorkersOnOneDatabaseNeverSendAMessageTwice() {
        for (int i = 0; i < 200; i++) {
            outbox.append("s" + (i % 10), "test", Optional.empty(), Optional.empty(), "m" + i, clock.instant());
        }
        Recorder one = new Recorder(0);
        Recorder two = new Recorder(0);
        try (OutboxWorker first = new OutboxWorker(outbox, List.of(one), new OutboxSignal(), clock, "replica-1", (k, w) -> { });
             OutboxWorker second = new OutboxWorker(outbox, List.of(two), new OutboxSignal(), clock, "replica-2", (k, w) -> { })) {
            first.start();
            second.start();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(one.sent.size() + two.sent.size()).as("messages sent by both workers").isGreaterThanOrEqualTo(200);
                assertThat(outbox.waiting()).as("messages still waiting in the outbox").isZero();
            });
        }
        List<String> all = new ArrayList<>(one.sent);
        all.addAll(two.sent);
        assertThat(all).hasSize(200).doesNotHaveDuplicates();
    }
}
