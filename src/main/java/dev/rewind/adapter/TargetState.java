package dev.rewind.adapter;

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
        List<String> warnings) {

    public TargetState {
        candidates = List.copyOf(candidates);
        facts = List.copyOf(facts);
        warnings = List.copyOf(warnings);
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
