package dev.rewind.adapter;

/**
 * Where an adapter reports what it is doing while it executes. Calls may come from any thread;
 * implementations must be quick (they record and hand off, never block on chat).
 */
@FunctionalInterface
public interface Progress {
    void step(String message);

    Progress NONE = message -> { };
}
