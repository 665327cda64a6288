package dev.rewind.testing;

import dev.rewind.assess.Assessment;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunIds;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.Trigger;

import java.time.Instant;
import java.util.Optional;

/** Builds {@link RollbackRun}s for tests: a fresh ASSESSED command run by default, each field settable by name. */
public final class RunBuilder {

    private String id = RunIds.next();
    private String service = "checkout";
    private String environment = "production";
    private RunState state = RunState.ASSESSED;
    private Trigger trigger = Trigger.COMMAND;
    private String askedBy = "U0ALICE";
    private String reason = "";
    private boolean dryRun;
    private Optional<Assessment> assessment = Optional.empty();
    private Optional<String> requestedBy = Optional.empty();
    private Optional<String> toRevision = Optional.empty();
    private Optional<RollbackRun.CardRef> card = Optional.empty();
    private Optional<String> outcome = Optional.empty();
    private Instant createdAt = Instant.parse("2026-01-01T00:00:00Z");
    private Instant updatedAt = createdAt;
    private Optional<Instant> startedAt = Optional.empty();
    private Optional<Instant> finishedAt = Optional.empty();
    private Optional<Instant> autoAt = Optional.empty();
    private Optional<String> policyNote = Optional.empty();

    private RunBuilder() {
    }

    public static RunBuilder aRun() {
        return new RunBuilder();
    }

    /** A builder holding every field of {@code run}, to change a few. */
    public static RunBuilder from(RollbackRun run) {
        RunBuilder b = new RunBuilder();
        b.id = run.id();
        b.service = run.service();
        b.environment = run.environment();
        b.state = run.state();
        b.trigger = run.trigger();
        b.askedBy = run.askedBy();
        b.reason = run.reason();
        b.dryRun = run.dryRun();
        b.assessment = run.assessment();
        b.requestedBy = run.requestedBy();
        b.toRevision = run.toRevision();
        b.card = run.card();
        b.outcome = run.outcome();
        b.createdAt = run.createdAt();
        b.updatedAt = run.updatedAt();
        b.startedAt = run.startedAt();
        b.finishedAt = run.finishedAt();
        b.autoAt = run.autoAt();
        b.policyNote = run.policyNote();
        return b;
    }

    public RunBuilder id(String value) { id = value; return this; }
    public RunBuilder service(String value) { service = value; return this; }
    public RunBuilder environment(String value) { environment = value; return this; }
    public RunBuilder state(RunState value) { state = value; return this; }
    public RunBuilder trigger(Trigger value) { trigger = value; return this; }
    public RunBuilder askedBy(String value) { askedBy = value; return this; }
    public RunBuilder reason(String value) { reason = value; return this; }
    public RunBuilder dryRun(boolean value) { dryRun = value; return this; }
    public RunBuilder assessment(Assessment value) { assessment = Optional.of(value); return this; }
    public RunBuilder requestedBy(String value) { requestedBy = Optional.of(value); return this; }
    public RunBuilder toRevision(String value) { toRevision = Optional.of(value); return this; }
    public RunBuilder card(String channel, String ts) { card = Optional.of(new RollbackRun.CardRef(channel, ts)); return this; }
    public RunBuilder outcome(String value) { outcome = Optional.of(value); return this; }
    public RunBuilder startedAt(Instant value) { startedAt = Optional.of(value); return this; }
    public RunBuilder finishedAt(Instant value) { finishedAt = Optional.of(value); return this; }
    public RunBuilder autoAt(Instant value) { autoAt = Optional.of(value); return this; }
    public RunBuilder policyNote(String value) { policyNote = Optional.of(value); return this; }

    /** Created and last updated at {@code value}. */
    public RunBuilder at(Instant value) {
        createdAt = value;
        updatedAt = value;
        return this;
    }

    public RollbackRun build() {
        return new RollbackRun(id, service, environment, state, trigger, askedBy, reason, dryRun, assessment, requestedBy,
                toRevision, card, outcome, createdAt, updatedAt, startedAt, finishedAt, autoAt, policyNote);
    }
}
