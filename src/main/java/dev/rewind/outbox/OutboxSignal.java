package dev.rewind.outbox;

/** Wakes the outbox worker when something was queued, so messages go out at once rather than at the next tick. */
public final class OutboxSignal {

    private final Object lock = new Object();
    private boolean pending;

    public void signal() {
        synchronized (lock) {
            pending = true;
            lock.notifyAll();
        }
    }

    /** Waits until signalled or {@code millis} pass. */
    void await(long millis) throws InterruptedException {
        synchronized (lock) {
            if (!pending) {
                lock.wait(millis);
            }
            pending = false;
        }
    }
}
