package dev.rewind.adapter;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What an adapter sees of its target now: the live revision, the revisions it could go back to
 * (newest first; the first is the default), facts for the card and warnings people must see.
 */
public record TargetState(
        String target,
        Revision current,
        List<Revision> candidates,
        List<Fact> facts,
        List<String> warnings,
        Optional<Duration> refreshIn) {

    public TargetState {
        candidates = List.copyOf(candidates);
        facts = List.copyOf(facts);
        warnings = List.copyOf(warnings);
    }

    public TargetState(String target, Revision current, List<Revision> candidates, List<Fact> facts, List<String> warnings) {
        this(target, current, candidates, facts, warnings, Optional.empty());
    }

    /** The same state, saying that part of it is still being worked out and is worth reading again in {@code delay}. */
    public TargetState refreshIn(Duration delay) {
        return new TargetState(target, current, candidates, facts, warnings, Optional.of(delay));
    }

    public Optional<Revision> previous() {
        return candidates.stream().findFirst();
    }

    /**
     * The candidate with this id, or whose label is {@code id} or {@code "r" + id} (people type "41" or "r41"),
     * or whose label starts with the word {@code id} ("v3" for "v3 (2026-11-24 14:02 UTC)").
     */
    public Optional<Revision> candidate(String id) {
        return candidates.stream().filter(r -> r.id().equals(id)).findFirst()
                .or(() -> candidates.stream().filter(r -> r.label().equals(id) || r.label().equals("r" + id)
                        || r.label().startsWith(id + " ")).findFirst());
    }

    /** A neutral name/value pair ("Replicas" → "3/3 ready"); chat formatting is the front end's job. */
    public record Fact(String name, String value) {
    }
}
