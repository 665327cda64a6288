package dev.rewind.adapter;

import dev.rewind.config.Target;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Undoes one kind of release. One implementation per {@code type:} of {@code rewind.yml}, registered
 * in {@link AdapterRegistry}. Every method may block on the network; failures are
 * {@link AdapterException}s whose message is shown to people as is.
 */
public interface RollbackAdapter {

    /** The {@code type:} this adapter answers to. */
    String type();

    /**
     * Whether this adapter's change may lose data if it goes wrong (a schema migration run backwards):
     * a service with such a step needs two approvals unless its catalogue entry says otherwise.
     */
    default boolean destructive() {
        return false;
    }

    /**
     * The record this adapter's {@code target:} block binds into: one component per key, {@code @Required}
     * on those that must be given (see {@link Target#as}). The registry binds every block into it at
     * start-up and warns about keys it does not declare. Empty for an adapter that reads its block
     * through {@link Target}'s getters instead.
     */
    default Optional<Class<? extends Record>> specType() {
        return Optional.empty();
    }

    /**
     * Checks a target block at start-up, without I/O. By default: that it binds into {@link #specType()};
     * an adapter with rules across fields adds them.
     *
     * @throws Target.InvalidTargetException naming the field that is missing or wrong
     */
    default void validate(Target target) {
        specType().ifPresent(type -> target.as(type));
    }

    /**
     * The live revision, the candidates to go back to, facts and warnings. Reads only, and quickly: it
     * runs whenever a card is drawn and again at approval. The one allowed exception is starting work
     * that changes nothing and is not waited for, such as database-migration's listing Job; an adapter
     * that does so says why in its class Javadoc.
     */
    TargetState describe(Target target);

    /**
     * Rolls the target back to {@code change.revisionId()} and waits until the change has taken
     * effect or {@code timeout} passes. Idempotent: run again for the same change (after a crash, a
     * retry) it finishes the job without undoing anything twice.
     *
     * @throws AdapterException with the reason when the revision is unknown, the change is refused or
     *                          the target does not become ready in time
     */
    Outcome execute(Target target, Change change, Progress progress, Duration timeout);

    /** Is the target healthy now? A quick read, no waiting. */
    Health verify(Target target);

    /**
     * Why a drill cannot rehearse a rollback of this target, if it cannot. A drill rolls back through
     * {@link #execute}, then restores through {@link #execute} again, to the revision that ran before; by default
     * every adapter can do both (a destructive adapter only where its service allows {@code drills.destructive}
     * outside production).
     */
    default Optional<String> notDrillable(Target target) {
        return Optional.empty();
    }

    /**
     * What {@link #execute} left to be undone after the incident, given what it recorded in its
     * {@link Outcome}; empty when nothing. No I/O.
     */
    default Optional<FollowUp> followUp(Target target, Map<String, String> recorded) {
        return Optional.empty();
    }

    /**
     * Carries out the follow-up {@link #followUp} offered. Idempotent: done already, it says so.
     *
     * @return a sentence saying what was done
     * @throws AdapterException with the reason when it must not be done now (it stays offered)
     */
    default String completeFollowUp(Target target, Map<String, String> recorded) {
        throw new AdapterException(type() + " has nothing left to do after a rollback");
    }

    /**
     * Every Kubernetes API permission {@link #describe}, {@link #execute} and {@link #verify} use on this
     * target, so readiness can ask the cluster about each one before an outage. Empty for an adapter
     * that does not talk to Kubernetes. No I/O.
     */
    default List<ApiPermission> permissions(Target target) {
        return List.of();
    }

    /**
     * Traps particular to this kind of target that would make a rollback fail or do nothing, found by
     * reading it ({@code revisionHistoryLimit: 0}); empty when none. The generic checks (a previous
     * revision exists and differs from the live one) are made by the caller from {@link #describe}.
     *
     * @throws AdapterException when the target cannot be read
     */
    default List<ReadinessFinding> readiness(Target target) {
        return List.of();
    }
}
