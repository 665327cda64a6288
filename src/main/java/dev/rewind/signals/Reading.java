package dev.rewind.signals;

/**
 * The answer to one query at one time: a number, no samples, or why there is no answer. The card
 * shows every case; none of them blocks a rollback.
 */
public sealed interface Reading {

    /** Words for the card when there is no number. */
    String describe();

    record Value(double value) implements Reading {
        @Override
        public String describe() {
            return Double.toString(value);
        }
    }

    /** The query ran and matched no series (or returned NaN). */
    record NoData() implements Reading {
        @Override
        public String describe() {
            return "no samples";
        }
    }

    /** No answer: not configured, unreachable, timed out or a query error, said in {@code reason}. */
    record Unavailable(String reason) implements Reading {
        @Override
        public String describe() {
            return reason;
        }
    }

    default boolean hasValue() {
        return this instanceof Value;
    }
}
