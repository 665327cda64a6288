package dev.rewind.rollback;

import dev.rewind.adapter.Revision;
import dev.rewind.assess.Assessment;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One rollback, from the card to its end. Immutable: every change is a new value written through
 * {@link RunRepository}.
 *
 * @param askedBy      who opened it: a Slack user id, or {@code alertmanager} / {@code policy}
 * @param requestedBy  who asked for the rollback itself (clicked "Roll back"), once someone has
 * @param toRevision   the revision chosen for the primary target, once chosen
 * @param card         where its card is, once posted
 * @param outcome      the last word on it: why it failed, what it did, who dismissed it
 * @param autoAt       when an automatic-rollback policy will roll it back unless cancelled
 * @param policyNote   what an automatic-rollback policy said about it
 */
public record RollbackRun(
        String id,
        String service,
        String environment,
        RunState state,
        Trigger trigger,
        String askedBy,
        String reason,
        boolean dryRun,
        Optional<Assessment> assessment,
        Optional<String> requestedBy,
        Optional<String> toRevision,
        Optional<CardRef> card,
        Optional<String> outcome,
        Instant createdAt,
        Instant updatedAt,
        Optional<Instant> startedAt,
        Optional<Instant> finishedAt,
        Optional<Instant> autoAt,
        Optional<String> policyNote) {

    public Optional<Revision> from() {
        return assessment.flatMap(Assessment::current);
    }

    public Optional<Revision> to() {
        return assessment.flatMap(Assessment::primary)
                .flatMap(state -> toRevision.flatMap(state::candidate));
    }

    /** How people call the revision it goes back to ({@code r2}): the chosen candidate's label, else what was asked. */
    public Optional<String> toLabel() {
        return to().map(Revision::label).or(this::toRevision);
    }

    /** From when the rollback started executing to its end (or to {@code now} while it runs). */
    public Optional<Duration> elapsed(Instant now) {
        return startedAt.map(start -> Duration.between(start, finishedAt.orElse(now)));
    }

    public RollbackRun withAssessment(Assessment value) {
        return new RollbackRun(id, service, environment, state, trigger, askedBy, reason, dryRun, Optional.of(value),
                requestedBy, toRevision, card, outcome, createdAt, updatedAt, startedAt, finishedAt, autoAt, policyNote);
    }

    public RollbackRun withCard(CardRef value) {
        return new RollbackRun(id, service, environment, state, trigger, askedBy, reason, dryRun, assessment,
                requestedBy, toRevision, Optional.of(value), outcome, createdAt, updatedAt, startedAt, finishedAt, autoAt,
                policyNote);
    }

    /** Where a run's card lives in chat: a channel and a message id there. */
    public record CardRef(String channel, String messageId) {
    }
}
