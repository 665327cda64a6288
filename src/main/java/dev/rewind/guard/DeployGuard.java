package dev.rewind.guard;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One new revision of a service under watch, as stored, so a restart (or another replica) carries it on for the
 * rest of its window.
 *
 * @param revision    the revision's id as the target's adapter knows it (a ReplicaSet's name), or as a pipeline
 *                    posted it
 * @param label       how people call it ({@code r42})
 * @param source      what noticed the deploy: {@code kubernetes} (the informer), {@code api} (a pipeline)
 * @param by          who deployed, when a pipeline said
 * @param url         the pipeline run or change, when a pipeline said
 * @param checks      evaluations done so far
 * @param judgedChecks of those, the ones that had something to judge by (a rule's number or a probe's answer)
 * @param runId       the card a rule opened (or joined), once one held
 * @param trigger     the rule that held, and why, in words
 * @param rules       each rule's progress, by rule name
 */
public record DeployGuard(
        String id,
        String service,
        String revision,
        String label,
        Instant deployedAt,
        String source,
        Optional<String> by,
        Optional<String> url,
        Instant startedAt,
        Instant endsAt,
        Duration interval,
        Instant nextCheckAt,
        int checks,
        int judgedChecks,
        GuardStatus status,
        Optional<String> runId,
        Optional<String> trigger,
        Map<String, RuleProgress> rules,
        Optional<Instant> endedAt) {

    public DeployGuard {
        rules = Map.copyOf(rules);
    }
}
