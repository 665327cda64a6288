package dev.rewind.rollback;

import dev.rewind.adapter.Revision;
import dev.rewind.assess.Assessment;
import dev.rewind.config.DurationText;
import dev.rewind.config.PolicyRule;
import dev.rewind.config.ServiceConfig;
import dev.rewind.signals.Reading;
import dev.rewind.signals.SignalSource;
import dev.rewind.signals.ProbeAnswer;
import dev.rewind.signals.Probes;
import dev.rewind.assess.SignalReading;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Automatic-rollback policies: when an alert opens a card, the service's first rule whose conditions
 * hold decides whether the card only informs, proposes the rollback, or counts down to one. A
 * countdown obeys every rule of the engine: the environment may forbid it (it then proposes), the
 * cooldown and attempt limits are never overridden, and a policy never rolls back the same deploy
 * twice. Everything it does is audited as done by the policy.
 */
public final class AutoRollback {

    public static final String ACTOR = "policy";

    private final RunRepository runs;
    private final PolicyLedger ledger;
    private final RunTimeline timeline;
    private final AuditLog audit;
    private final SignalSource signals;
    private final Probes probes;
    private final RollbackService rollbacks;
    private final RunAccess access;
    private final RunViews views;
    private final Catalogues catalogues;
    private final Clock clock;

    public AutoRollback(RunRepository runs, PolicyLedger ledger, RunTimeline timeline, AuditLog audit, SignalSource signals, Probes probes,
                        RollbackService rollbacks, RunAccess access, RunViews views, Catalogues catalogues, Clock clock) {
        this.probes = probes;
        this.runs = runs;
        this.ledger = ledger;
        this.timeline = timeline;
        this.audit = audit;
        this.signals = signals;
        this.rollbacks = rollbacks;
        this.access = access;
        this.views = views;
        this.catalogues = catalogues;
        this.clock = clock;
    }

    /**
     * Applies the service's policy to a card an alert just opened.
     *
     * @param untrusted why the alert cannot be trusted to start a rollback by itself (an unauthenticated
     *                  sender), in which case an {@code auto} rule only proposes
     */
    public void consider(ServiceConfig service, RollbackRun run, Map<String, String> alertLabels,
                         Optional<String> untrusted) {
        if (service.policy().isEmpty() || run.assessment().isEmpty()) {
            return;
        }
        Assessment assessment = run.assessment().get();
        for (PolicyRule rule : service.policy()) {
            Optional<String> why = holds(rule, service, assessment, alertLabels);
            if (why.isPresent()) {
                act(service, run, rule, "policy '" + rule.name() + "': " + why.get(), untrusted);
                return;
            }
        }
    }

    /**
     * Applies {@code rule}'s action to the card {@code run}, which the rule was found to hold for (by an alert's
     * card or by the deploy guard): a note, a proposal, or a countdown — each within the engine's rules.
     *
     * @param reason    why it holds, for the card and the audit ("policy 'x': errorRate 7.2% …")
     * @param untrusted why whoever reported it cannot be trusted to start a rollback by itself, if so
     */
    public void act(ServiceConfig service, RollbackRun run, PolicyRule rule, String reason, Optional<String> untrusted) {
        Optional<Revision> current = run.assessment().flatMap(Assessment::current);
        Optional<Revision> target = run.assessment().flatMap(Assessment::previous);
        switch (rule.action()) {
            case NOTIFY -> note(run, service, "Matched " + reason + " (notify only)");
            case PROPOSE -> note(run, service, "Proposes rolling back" + target.map(t -> " to " + t.label()).orElse("")
                    + " (" + reason + ")");
            case AUTO -> {
                if (untrusted.isPresent()) {
                    note(run, service, "Proposes rolling back" + target.map(t -> " to " + t.label()).orElse("")
                            + " (" + reason + "); " + untrusted.get() + ", so a person decides");
                } else {
                    countdown(run, service, rule, reason, current, target);
                }
            }
        }
    }

    private void countdown(RollbackRun run, ServiceConfig service, PolicyRule rule, String reason,
                           Optional<Revision> current, Optional<Revision> target) {
        if (target.isEmpty()) {
            note(run, service, "Would roll back automatically (" + reason + "), but there is no earlier revision");
            return;
        }
        if (!service.approval().autoAllowed()) {
            note(run, service, "Proposes rolling back to " + target.get().label() + " (" + reason + "); automatic "
                    + "rollback is not allowed in " + service.environment() + ", so a person decides");
            return;
        }
        if (current.isPresent() && ledger.policyApplied(service.name(), current.get().id())) {
            note(run, service, "Proposes rolling back to " + target.get().label() + " (" + reason + "); the policy "
                    + "already rolled back this deploy once, so it does not do it again by itself");
            return;
        }
        Instant at = clock.instant().plus(rule.countdown());
        String note = "Automatic rollback to " + target.get().label() + " in " + DurationText.format(rule.countdown())
                + " unless cancelled (" + reason + ")";
        runs.setPolicy(run.id(), Optional.of(at), note);
        audit.record(ACTOR, "automatic rollback scheduled", Optional.of(run.id()), service.name(), note);
        timeline.append(new RunEvent(run.id(), clock.instant(), RunEvent.Kind.NOTE, note));
        views.refresh(run.id());
    }

    private void note(RollbackRun run, ServiceConfig service, String note) {
        runs.setPolicy(run.id(), Optional.empty(), note);
        audit.record(ACTOR, "policy", Optional.of(run.id()), service.name(), note);
        timeline.append(new RunEvent(run.id(), clock.instant(), RunEvent.Kind.NOTE, note));
        views.refresh(run.id());
    }

    /** "Cancel" on a countdown, by someone who may steer the card; the countdown is taken conditionally. */
    public Decision cancel(String runId, String userId) {
        Optional<RollbackRun> run = runs.find(runId);
        if (run.isEmpty() || run.get().autoAt().isEmpty()) {
            return new Decision.AlreadyHandled("there is no automatic rollback counting down on this card");
        }
        Optional<ServiceConfig> service = catalogues.service(run.get().service());
        if (service.isPresent() && !access.allows(Permissions.Action.CANCEL_AUTO, userId, run.get(), service.get())) {
            return access.refuseRole(Permissions.Action.CANCEL_AUTO, run.get(), userId, service.get());
        }
        String note = "Automatic rollback cancelled by " + Mentions.token(userId);
        if (!runs.takeAuto(runId, run.get().autoAt().get(), note)) {
            return new Decision.AlreadyHandled("the automatic rollback already started or was cancelled");
        }
        audit.record(userId, "automatic rollback cancelled", Optional.of(runId), run.get().service(), "");
        timeline.append(new RunEvent(runId, clock.instant(), RunEvent.Kind.NOTE, note));
        views.refresh(runId);
        return new Decision.Accepted("Cancelled.");
    }

    /** Starts every countdown that ran out; called periodically. @return how many started */
    public int runDue() {
        int started = 0;
        for (RollbackRun run : runs.dueAutos(clock.instant())) {
            String note = run.policyNote().orElse("automatic rollback");
            if (!runs.takeAuto(run.id(), run.autoAt().orElseThrow(), note.replace(" unless cancelled", ""))) {
                continue;
            }
            Optional<ServiceConfig> service = catalogues.service(run.service());
            Optional<Revision> current = run.assessment().flatMap(Assessment::current);
            if (service.isEmpty() || current.isEmpty() || ledger.policyApplied(run.service(), current.get().id())) {
                runs.setPolicy(run.id(), Optional.empty(), "Automatic rollback not started: the policy already rolled "
                        + "back this deploy once");
                views.refresh(run.id());
                continue;
            }
            Decision decision;
            try {
                decision = rollbacks.rollBackByPolicy(run.id(), service.get());
            } catch (RuntimeException e) {
                decision = new Decision.Refused("Rewind hit an internal error: " + e.getClass().getSimpleName());
            }
            if (decision instanceof Decision.Accepted) {
                ledger.recordPolicyApplication(run.service(), current.get().id(), run.id(), clock.instant());
                started++;
            } else {
                String why = decision instanceof Decision.Refused refused ? refused.reason()
                        : decision instanceof Decision.AlreadyHandled handled ? handled.message() : decision.toString();
                runs.setPolicy(run.id(), Optional.empty(), "Automatic rollback not started: " + why);
                views.refresh(run.id());
            }
        }
        return started;
    }

    /** Why the rule holds, or empty when one of its conditions does not. */
    private Optional<String> holds(PolicyRule rule, ServiceConfig service, Assessment assessment,
                                   Map<String, String> alertLabels) {
        List<String> reasons = new ArrayList<>();
        for (Map.Entry<String, String> label : rule.labels().entrySet()) {
            if (!label.getValue().equals(alertLabels.get(label.getKey()))) {
                return Optional.empty();
            }
            reasons.add(label.getKey() + "=" + label.getValue());
        }
        Optional<Instant> deployed = assessment.current().flatMap(Revision::createdAt);
        if (rule.minSinceDeploy().isPresent() || rule.maxSinceDeploy().isPresent()) {
            if (deployed.isEmpty()) {
                return Optional.empty();
            }
            Duration age = Duration.between(deployed.get(), clock.instant());
            if (rule.minSinceDeploy().isPresent() && age.compareTo(rule.minSinceDeploy().get()) < 0) {
                return Optional.empty();
            }
            if (rule.maxSinceDeploy().isPresent() && age.compareTo(rule.maxSinceDeploy().get()) > 0) {
                return Optional.empty();
            }
            reasons.add(DurationText.format(age.withNanos(0)) + " after the deploy");
        }
        if (rule.signal().isPresent()) {
            String name = rule.signal().get();
            String query = service.signals().get(name);
            // A floor must have held at its highest over the window, a ceiling at its lowest.
            String over = rule.limits().floor() ? "max_over_time" : "min_over_time";
            Reading reading = rule.sustained()
                    .map(d -> signals.query(over + "((" + query + ")[" + d.toSeconds() + "s:15s])", clock.instant()))
                    .orElseGet(() -> signals.query(query, clock.instant()));
            if (!(reading instanceof Reading.Value value)) {
                return Optional.empty();
            }
            Optional<SignalReading> before = assessment.signals().stream().filter(r -> r.name().equals(name)).findFirst();
            Optional<String> why = RuleConditions.signal(rule.limits(), name, value.value(),
                    before.flatMap(SignalReading::baselineValue), before.map(SignalReading::baselineBasis).orElse(""));
            if (why.isEmpty()) {
                return Optional.empty();
            }
            reasons.add(why.get() + rule.sustained().map(d -> " for " + DurationText.format(d)).orElse(""));
        }
        if (rule.probe().isPresent()) {
            ServiceConfig.Probe probe = service.probes().get(rule.probe().get());
            ProbeAnswer answer = probes.probe(probe.name(), probe.url(), probe.expect(), probe.timeout(), probe.bodyContains());
            if (answer.ok()) {
                return Optional.empty();
            }
            reasons.add("probe " + answer.detail());
        }
        return Optional.of(reasons.isEmpty() ? "no conditions" : String.join(", ", reasons));
    }
}
