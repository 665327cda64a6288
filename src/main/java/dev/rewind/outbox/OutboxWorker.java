package dev.rewind.outbox;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Delivers the outbox: the head of each due stream, in order, through the {@link Delivery} for its
 * kind. A "later" answer (rate limit) or a failure delays only that stream, with Retry-After or an
 * exponential backoff; a rejection drops the message with its reason so the stream moves on.
 * Messages survive restarts; several replicas share the work through claims.
 */
public final class OutboxWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxWorker.class);
    static final Duration CLAIM = Duration.ofSeconds(30);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    static final Duration IDLE = Duration.ofMillis(100);
    /** With backoff capped at a minute, about 45 minutes of trying before a message is given up. */
    static final int MAX_ATTEMPTS = 50;

    private final OutboxStore store;
    private final Map<String, Delivery> byKind = new HashMap<>();
    private final Clock clock;
    private final String worker;
    private final BiConsumer<String, String> onError;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rewind-outbox");
        t.setDaemon(true);
        return t;
    });
    private final OutboxSignal signal;
    private volatile boolean running = true;
    /** Until when (System.nanoTime) a closing worker keeps sending what is due; 0 while running. */
    private volatile long drainUntil;
    private volatile boolean lastPassFailed;
    private final java.util.concurrent.atomic.AtomicInteger sentWhileDraining = new java.util.concurrent.atomic.AtomicInteger();
    /** On shutdown, what is due is still sent for up to this long; the rest (and retries) wait for the next process. */
    public static final Duration DRAIN = Duration.ofSeconds(10);

    /**
     * @param onError told (kind, reason) of every failed or rejected delivery, for metrics
     */
    public OutboxWorker(OutboxStore store, List<Delivery> deliveries, OutboxSignal signal, Clock clock, String worker,
                        BiConsumer<String, String> onError) {
        this.store = store;
        this.signal = signal;
        this.clock = clock;
        this.worker = worker;
        this.onError = onError;
        for (Delivery delivery : deliveries) {
            for (String kind : delivery.kinds()) {
                if (byKind.putIfAbsent(kind, delivery) != null) {
                    throw new IllegalArgumentException("two deliveries for outbox kind " + kind);
                }
            }
        }
    }

    public void start() {
        thread.submit(this::loop);
    }

    private void loop() {
        while (true) {
            int done = 0;
            try {
                done = drainOnce();
                lastPassFailed = false;
            } catch (RuntimeException e) {
                lastPassFailed = true;
                LOG.error("outbox pass failed", e);
            }
            if (!running) {
                sentWhileDraining.addAndGet(done);
                if (done == 0 || System.nanoTime() >= drainUntil) {
                    return;
                }
            }
            if (done == 0) {
                try {
                    signal.await(IDLE.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** One pass over the due streams. @return how many heads were handled */
    int drainOnce() {
        Instant now = clock.instant();
        // Few at a time: every head claimed must be sent well before its claim runs out.
        List<OutboxStore.Batch> batches = store.claim(worker, now, now.plus(CLAIM), 5);
        for (OutboxStore.Batch batch : batches) {
            handle(batch);
        }
        return batches.size();
    }

    private void handle(OutboxStore.Batch batch) {
        Message head = batch.head();
        Delivery delivery = byKind.get(head.kind());
        if (delivery == null) {
            store.markSent(List.of(head.seq()), clock.instant(), Optional.of("no delivery for kind " + head.kind()));
            return;
        }
        Delivery.Result result;
        try {
            result = delivery.deliver(head, batch.following());
        } catch (RuntimeException e) {
            result = new Delivery.Result.Failed(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        Instant now = clock.instant();
        if (result instanceof Delivery.Result.Sent sent) {
            List<Long> seqs = new java.util.ArrayList<>();
            seqs.add(head.seq());
            batch.following().stream().limit(Math.max(0, sent.consumed() - 1)).forEach(m -> seqs.add(m.seq()));
            store.markSent(seqs, now, Optional.empty());
        } else if (result instanceof Delivery.Result.Later later) {
            store.retryLater(head.seq(), now.plus(later.delay()), later.why(), false);
        } else if (result instanceof Delivery.Result.Failed failed && head.attempts() + 1 >= MAX_ATTEMPTS) {
            LOG.warn("outbox {} #{} given up after {} attempts: {}", head.kind(), head.seq(), head.attempts() + 1, failed.why());
            onError.accept(head.kind(), failed.why());
            store.markSent(List.of(head.seq()), now, Optional.of("gave up after " + (head.attempts() + 1) + " attempts: "
                    + failed.why()));
        } else if (result instanceof Delivery.Result.Failed failed) {
            Duration backoff = backoff(head.attempts());
            LOG.info("outbox {} #{} failed (attempt {}), retrying in {} ms: {}", head.kind(), head.seq(),
                    head.attempts() + 1, backoff.toMillis(), failed.why());
            onError.accept(head.kind(), failed.why());
            store.retryLater(head.seq(), now.plus(backoff), failed.why(), true);
        } else if (result instanceof Delivery.Result.Rejected rejected) {
            LOG.warn("outbox {} #{} dropped: {}", head.kind(), head.seq(), rejected.why());
            onError.accept(head.kind(), rejected.why());
            store.markSent(List.of(head.seq()), now, Optional.of("rejected: " + rejected.why()));
        }
    }

    static Duration backoff(int attempts) {
        long millis = 500L << Math.min(attempts, 7);
        return Duration.ofMillis(Math.min(millis, MAX_BACKOFF.toMillis()));
    }

    /**
     * Stops taking new work and sends what is due for up to {@link #DRAIN}, so a rolling restart does not hold back
     * the last progress lines; what is left (and retries not due yet) waits in the database for the next process.
     */
    @Override
    public void close() {
        drainUntil = System.nanoTime() + DRAIN.toNanos();
        running = false;
        signal.signal();
        thread.shutdown();
        try {
            if (!thread.awaitTermination(DRAIN.toSeconds() + 2, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean left;
        try {
            // After a failed pass the database is likely gone: asking it again would only wait out the pool's timeout.
            left = lastPassFailed || store.anyDue(clock.instant());
        } catch (RuntimeException e) {
            left = true;
        }
        LOG.info("shutdown: outbox drained ({} sent while stopping){}", sentWhileDraining.get(),
                left ? "; messages still waiting are sent by the next process" : "");
    }
}
