package dev.rewind.outbox;

import java.time.Duration;
import java.util.List;

/**
 * Sends outbox messages of one or more kinds to the outside world (Slack, GitHub). Called by one
 * worker thread; may block on the network. Never throws for an answer from the other side: says
 * what happened as a {@link Result}.
 */
public interface Delivery {

    /** The kinds this delivery sends. */
    List<String> kinds();

    /**
     * Sends {@code head} and, when the kind batches (thread lines), any of the {@code following}
     * messages of the same stream it folds into the same call.
     */
    Result deliver(Message head, List<Message> following);

    /** What became of a delivery. */
    sealed interface Result {
        /** Sent; {@code consumed} messages from the start of the batch are done. */
        record Sent(int consumed) implements Result {
        }

        /** Not yet: the other side asked to wait ({@code 429} with Retry-After) or a dependency is not ready. */
        record Later(Duration delay, String why) implements Result {
        }

        /** A passing failure (5xx, network): retried with backoff. */
        record Failed(String why) implements Result {
        }

        /** It can never succeed (channel gone, missing scope): dropped with the reason, so the stream moves on. */
        record Rejected(String why) implements Result {
        }
    }
}
