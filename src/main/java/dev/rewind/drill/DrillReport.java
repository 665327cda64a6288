package dev.rewind.drill;

import dev.rewind.config.DurationText;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A drill's report, from when each thing happened: time to the card, to the approval, to traffic on the old
 * version, to verified and to restored (each from the drill's start), pass or fail against the recovery target
 * (start → verified) and the tier's decision deadline (card → approval), and the slowest phase.
 *
 * @param cardAt     when the rollback's card had its numbers
 * @param approvedAt when the rollback was approved (by people, or by the drill itself)
 * @param trafficAt  when the change was in effect (traffic on the old version)
 * @param verifiedAt when the rollback was verified
 * @param restoredAt when the restore was verified
 * @param deadline   the decision deadline of the card's tier, if the service has one
 */
public record DrillReport(Instant startedAt, Optional<Instant> cardAt, Optional<Instant> approvedAt, Optional<Instant> trafficAt,
                          Optional<Instant> verifiedAt, Optional<Instant> restoredAt, String tier, Optional<Duration> deadline,
                          Duration recoveryTarget) {

    /** Start → verified, the drill's time to recovery. */
    public Optional<Duration> recovery() {
        return verifiedAt.map(at -> Duration.between(startedAt, at));
    }

    /** Card → approval: how long people took to decide. */
    public Optional<Duration> decision() {
        return cardAt.flatMap(card -> approvedAt.map(approved -> Duration.between(card, approved)));
    }

    public boolean withinRecoveryTarget() {
        return recovery().filter(r -> r.compareTo(recoveryTarget) <= 0).isPresent();
    }

    public boolean withinDeadline() {
        return deadline.isEmpty() || decision().filter(d -> d.compareTo(deadline.get()) <= 0).isPresent();
    }

    /** Passed: restored, within the recovery target and the deadline. */
    public boolean passed() {
        return restoredAt.isPresent() && withinRecoveryTarget() && withinDeadline();
    }

    /** Each phase and how long it took, in order; phases not reached are left out. */
    public Map<String, Duration> phases() {
        Map<String, Duration> phases = new LinkedHashMap<>();
        Instant from = startedAt;
        List<Map.Entry<String, Optional<Instant>>> marks = List.of(Map.entry("assessing and posting the card", cardAt),
                Map.entry("deciding (card to approval)", approvedAt), Map.entry("changing the target", trafficAt),
                Map.entry("verifying recovery", verifiedAt), Map.entry("restoring", restoredAt));
        for (Map.Entry<String, Optional<Instant>> mark : marks) {
            if (mark.getValue().isEmpty()) {
                break;
            }
            phases.put(mark.getKey(), Duration.between(from, mark.getValue().get()));
            from = mark.getValue().get();
        }
        return phases;
    }

    /** The report as posted: one line of times, then the verdicts and the slowest phase. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        List<String> times = new ArrayList<>();
        cardAt.ifPresent(at -> times.add("card " + since(at)));
        approvedAt.ifPresent(at -> times.add("approval " + since(at)));
        trafficAt.ifPresent(at -> times.add("traffic on the old version " + since(at)));
        verifiedAt.ifPresent(at -> times.add("verified " + since(at)));
        restoredAt.ifPresent(at -> times.add("restored " + since(at)));
        lines.add("Times from the start: " + (times.isEmpty() ? "nothing reached" : String.join(" · ", times)));
        lines.add(recovery().map(r -> (withinRecoveryTarget() ? "✅" : "❌") + " Recovery " + text(r) + " (target "
                + text(recoveryTarget) + ")").orElse("❌ Recovery: not reached (target " + text(recoveryTarget) + ")"));
        deadline.ifPresent(d -> lines.add(decision().map(took -> (withinDeadline() ? "✅" : "❌") + " Decision " + text(took)
                + " (" + tier + " deadline " + text(d) + ")").orElse("❌ Decision: not made (" + tier + " deadline " + text(d) + ")")));
        phases().entrySet().stream().max(Map.Entry.comparingByValue())
                .ifPresent(slow -> lines.add("Slowest: " + slow.getKey() + ", " + text(slow.getValue())));
        return lines;
    }

    private String since(Instant at) {
        return text(Duration.between(startedAt, at));
    }

    private static String text(Duration duration) {
        return DurationText.format(duration.isNegative() ? Duration.ZERO : duration.withNanos(0));
    }
}
