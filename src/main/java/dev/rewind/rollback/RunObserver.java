package dev.rewind.rollback;

/** Told when runs change, for the bot's own metrics. Must be quick and never throw. */
public interface RunObserver {

    void finished(RollbackRun run, String adapterType);

    RunObserver NONE = (run, adapterType) -> { };
}
