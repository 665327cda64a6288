package dev.rewind.rollback;

import dev.rewind.assess.Assessment;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where runs live. Every state change is one conditional write: it happens only if the run is still
 * in the state the caller saw, and it reports whether it happened. The store, not the caller,
 * guarantees that at most one run holds a target at a time.
 */
public interface RunRepository {

    void insert(RollbackRun run);

    Optional<RollbackRun> find(String id);

    /** Where a run's card is, read on its own (cheaper than the whole run). */
    Optional<RollbackRun.CardRef> card(String id);

    /** The run a card belongs to now: the newest run on it (Retry hands a card to a new run). */
    Optional<String> cardOwner(RollbackRun.CardRef card);

    void saveAssessment(String id, Assessment assessment, Instant now);

    /** Saves a re-assessment only while nobody has decided on the card; @return whether it was saved. */
    boolean saveAssessmentIfUndecided(String id, Assessment assessment, Instant now);

    void attachCard(String id, RollbackRun.CardRef card, Instant now);

    /** Records the revision a card offers, while nobody has decided on it; @return whether it was recorded. */
    boolean preselect(String id, String revisionId, Instant now);

    /**
     * Moves an {@link RunState#ASSESSED} run to {@link RunState#AWAITING_APPROVAL}, recording who asked
     * and for which revision, and takes its targets.
     */
    Claim claim(String id, String requestedBy, String toRevision, Collection<String> targetKeys, Instant now);

    /**
     * Moves a run from {@code from} to {@code to} if it is still in {@code from}. Entering a final state
     * releases its targets and records {@code outcome}; entering EXECUTING records the start.
     *
     * @return whether this call made the change
     */
    boolean transition(String id, RunState from, RunState to, Optional<String> outcome, Instant now);

    /**
     * As {@link #transition}, only if the run was asked for by {@code requestedBy}: the person's right
     * to act is part of the same conditional update, so a request made meanwhile by someone else is
     * never withdrawn on the strength of this one's.
     */
    boolean transitionIfRequestedBy(String id, RunState from, RunState to, String requestedBy, Optional<String> outcome,
                                    Instant now);

    /**
     * Takes or renews the right to execute a run until {@code until}: granted when nobody holds it, the
     * holder's lease has run out, {@code owner} already holds it, or the holder's name starts with
     * {@code reclaimPrefix} (an earlier process on this same host, which is therefore gone). Keeps two
     * replicas from executing the same run at once.
     */
    boolean lease(String id, String owner, String reclaimPrefix, Instant until, Instant now);

    /** Who holds a run's lease now, if anyone. */
    Optional<String> leaseHolder(String id);

    /** Sets or clears an automatic-rollback countdown and the policy's note on the card. */
    void setPolicy(String id, Optional<Instant> autoAt, String note);

    /**
     * Takes a due countdown: clears it if it is still the one set for {@code at} (not cancelled or
     * taken by another replica meanwhile), leaving {@code note}. @return whether this call took it
     */
    boolean takeAuto(String id, Instant at, String note);

    List<RollbackRun> dueAutos(Instant now);

    /** Sets (or, with {@code null}, clears) when a monitored card is re-assessed. */
    void scheduleReassessment(String id, Instant at);

    /** "Monitor": schedules a re-assessment only while nobody has decided on the card; @return whether it did. */
    boolean scheduleReassessmentIfUndecided(String id, Instant at);

    List<RollbackRun> dueForReassessment(Instant now);

    List<RollbackRun> inStates(Set<RunState> states);

    Optional<RollbackRun> latestForService(String service);

    /** The service's runs not over yet (undecided, waiting for approvals or running), newest first. */
    List<RollbackRun> openForService(String service);

    /** Runs of a service that got past approval since {@code since}, newest first. */
    List<RollbackRun> startedSince(String service, Instant since);

    /** The outcome of {@link #claim}. */
    sealed interface Claim {
        record Claimed() implements Claim {
        }

        /** The run was no longer ASSESSED: someone else moved it first. */
        record StateChanged(RunState now) implements Claim {
        }

        /** Another run holds one of the targets. */
        record TargetBusy(String runId) implements Claim {
        }
    }
}
