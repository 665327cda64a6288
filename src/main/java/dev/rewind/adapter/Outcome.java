package dev.rewind.adapter;

import java.util.Map;

/**
 * What {@link RollbackAdapter#execute} did: a sentence for people, and facts to keep with the run
 * (e.g. the selector before a blue-green switch) so the change itself can be undone.
 *
 * @param live whether the change is in effect now; false when it waits for people (a pull request to
 *             merge) and only verification will see it take effect
 */
public record Outcome(String summary, Map<String, String> recorded, boolean live) {

    public Outcome {
        recorded = Map.copyOf(recorded);
    }

    public Outcome(String summary, Map<String, String> recorded) {
        this(summary, recorded, true);
    }

    public static Outcome of(String summary) {
        return new Outcome(summary, Map.of());
    }
}
