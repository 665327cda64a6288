package dev.rewind.assess;

import dev.rewind.adapter.Revision;
import dev.rewind.adapter.TargetState;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the card shows about a service at one moment: its targets' states, its signals now
 * and at baseline, and the tier with its reasons. Stored with the run so the card and the report
 * can be rebuilt exactly.
 */
public record Assessment(
        String service,
        String environment,
        List<TargetView> targets,
        List<SignalReading> signals,
        Verdict verdict,
        Set<String> flags,
        Instant at) {

    public Assessment {
        targets = List.copyOf(targets);
        signals = List.copyOf(signals);
        flags = Set.copyOf(flags);
    }

    /** The state of the first target, which decides the revisions offered. */
    public Optional<TargetState> primary() {
        return targets.isEmpty() ? Optional.empty() : targets.get(0).state();
    }

    public Optional<Revision> current() {
        return primary().map(TargetState::current);
    }

    public Optional<Revision> previous() {
        return primary().flatMap(TargetState::previous);
    }

    public Tier tier() {
        return verdict.tier();
    }

    /** The soonest any target asked to be read again (something on the card is still being worked out). */
    public Optional<java.time.Duration> refreshIn() {
        return targets.stream().flatMap(t -> t.state().stream()).flatMap(s -> s.refreshIn().stream())
                .min(java.util.Comparator.naturalOrder());
    }
}
