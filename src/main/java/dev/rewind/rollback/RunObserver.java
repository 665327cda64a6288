package dev.rewind.rollback;

import java.time.Instant;
import java.util.List;

/**
 * Told when runs are approved and when they end, so that what follows (the bot's metrics, the filed report) is
 * not the engine's business. Implementations must be quick; the engine calls them on its own threads.
 */
public interface RunObserver {

    /** The engine took a run to a final state (succeeded, failed, interrupted). */
    default void finished(RollbackRun run, String adapterType) {
    }

    /** A run got the approval it needed (from people or a policy) {@code at}, and will now be carried out. */
    default void approved(RollbackRun run, Instant at) {
    }

    /** A run is over, whatever ended it (the engine, a dry run, a dismissal): its view as stored now. */
    default void closed(RunView view) {
    }

    /** Something was added to a run that is over (a follow-up done): its view as stored now. */
    default void amended(RunView view) {
    }

    RunObserver NONE = new RunObserver() {
    };

    /** Tells whatever {@code observer} supplies at the time: for an observer built after the engine it watches. */
    static RunObserver later(java.util.function.Supplier<RunObserver> observer) {
        return new RunObserver() {
            @Override
            public void finished(RollbackRun run, String adapterType) {
                observer.get().finished(run, adapterType);
            }

            @Override
            public void approved(RollbackRun run, Instant at) {
                observer.get().approved(run, at);
            }

            @Override
            public void closed(RunView view) {
                observer.get().closed(view);
            }

            @Override
            public void amended(RunView view) {
                observer.get().amended(view);
            }
        };
    }

    /** Tells each of {@code observers}, in order. */
    static RunObserver all(RunObserver... observers) {
        List<RunObserver> each = List.of(observers);
        return new RunObserver() {
            @Override
            public void finished(RollbackRun run, String adapterType) {
                each.forEach(observer -> observer.finished(run, adapterType));
            }

            @Override
            public void approved(RollbackRun run, Instant at) {
                each.forEach(observer -> observer.approved(run, at));
            }

            @Override
            public void closed(RunView view) {
                each.forEach(observer -> observer.closed(view));
            }

            @Override
            public void amended(RunView view) {
                each.forEach(observer -> observer.amended(view));
            }
        };
    }
}
