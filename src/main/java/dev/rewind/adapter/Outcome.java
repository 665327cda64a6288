package dev.rewind.adapter;

import java.util.Map;

/**
 * What {@link RollbackAdapter#execute} did: a sentence for people, and facts to keep with the run
 * (e.g. the selector before a blue-green switch) so the change itself can be undone.
 */
public record Outcome(String summary, Map<String, String> recorded) {

    public Outcome {
        recorded = Map.copyOf(recorded);
    }

    public static Outcome of(String summary) {
        return new Outcome(summary, Map.of());
    }
}
