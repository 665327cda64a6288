package dev.rewind.readiness;

import dev.rewind.adapter.AccessReviewer;
import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.adapter.ApiPermission;
import dev.rewind.adapter.ReadinessFinding;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.adapter.TargetState;
import dev.rewind.assess.NumberText;
import dev.rewind.assess.SignalKind;
import dev.rewind.config.IncidentPolicy;
import dev.rewind.config.Principal;
import dev.rewind.config.ServiceConfig;
import dev.rewind.config.Target;
import dev.rewind.rollback.UserDirectory;
import dev.rewind.signals.ProbeAnswer;
import dev.rewind.signals.Probes;
import dev.rewind.signals.Reading;
import dev.rewind.signals.SignalSource;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code /rollback ready <service>}: every check a rollback of the service would need, made now, before
 * an outage makes them matter. Per target: a previous revision exists and differs from the live one,
 * the adapter's own traps, and a {@code SelfSubjectAccessReview} for every Kubernetes verb the adapter
 * uses. Per service: the approvers can be found, an incident channel can be opened, its probes answer, and Prometheus
 * answers the service's signals. Reads only; changes nothing.
 */
public final class ServiceReadiness {

    static final String ROOM = "Incident channel";

    private final AdapterRegistry adapters;
    private final AccessReviewer access;
    private final SignalSource signals;
    private final UserDirectory directory;
    private final IncidentRoomCheck rooms;
    private final Probes probes;
    private final Clock clock;

    public ServiceReadiness(AdapterRegistry adapters, AccessReviewer access, SignalSource signals, UserDirectory directory,
                            IncidentRoomCheck rooms, Probes probes, Clock clock) {
        this.probes = probes;
        this.adapters = adapters;
        this.access = access;
        this.signals = signals;
        this.directory = directory;
        this.rooms = rooms;
        this.clock = clock;
    }

    public ReadinessReport check(ServiceConfig service) {
        List<ReadinessCheck> checks = new ArrayList<>();
        for (Target target : service.targets()) {
            checks.addAll(target(target, service.isPlan()));
        }
        checks.add(approvers(service));
        if (service.incidentChannel() != IncidentPolicy.NEVER) {
            checks.add(rooms.check());
        }
        checks.addAll(signals(service));
        for (ServiceConfig.Probe probe : service.verification().probes()) {
            ProbeAnswer answer = probes.probe(probe.name(), probe.url(), probe.expect(), probe.timeout(), probe.bodyContains());
            checks.add(answer.ok() ? ReadinessCheck.ok("Probe " + probe.name(), answer.detail())
                    : ReadinessCheck.failed("Probe " + probe.name(), answer.detail(), "verification waits for this probe: "
                    + "fix " + probe.url() + " or its expect/bodyContains in rewind.yml"));
        }
        return new ReadinessReport(service.name(), clock.instant(), checks);
    }

    private List<ReadinessCheck> target(Target target, boolean plan) {
        String prefix = plan ? target.describe() + ": " : "";
        RollbackAdapter adapter = adapters.forTarget(target);
        List<ReadinessCheck> checks = new ArrayList<>();
        try {
            checks.add(previousRevision(prefix, adapter.describe(target)));
            for (ReadinessFinding finding : adapter.readiness(target)) {
                String name = prefix + finding.check();
                String fix = finding.fix().orElse("");
                checks.add(finding.blocking() ? ReadinessCheck.failed(name, finding.detail(), fix)
                        : ReadinessCheck.warning(name, finding.detail(), fix));
            }
        } catch (RuntimeException e) {
            checks.add(ReadinessCheck.failed(prefix + "Target", target.describe() + " cannot be read: " + e.getMessage(),
                    "a rollback would fail the same way: fix access to the target first"));
        }
        checks.addAll(permissions(prefix, adapter.permissions(target)));
        return checks;
    }

    static ReadinessCheck previousRevision(String prefix, TargetState state) {
        String name = prefix + "Previous revision";
        Revision live = state.current();
        if (state.previous().isEmpty()) {
            return ReadinessCheck.failed(name, state.target() + " has no revision before " + live.label() + " to go back to",
                    "keep the history of earlier releases (deploy through the target's history, not by replacing it)");
        }
        Revision previous = state.previous().get();
        boolean sameImages = !live.images().isEmpty() && live.images().equals(previous.images());
        if (sameImages && live.attributes().equals(previous.attributes())) {
            return ReadinessCheck.failed(name, previous.label() + " is the same as the live " + live.label() + " ("
                    + live.imagesText() + ", same settings): rolling back would change nothing",
                    "look for the release that really changed something; it may have been pruned from the history");
        }
        if (sameImages) {
            return ReadinessCheck.warning(name, previous.label() + " runs the same image as the live " + live.label() + " ("
                    + live.imagesText() + "): only its settings differ, so a rollback changes configuration, not code",
                    "if the code is what broke, the release to go back to is older than " + previous.label());
        }
        return ReadinessCheck.ok(name, previous.label() + " (" + previous.imagesText() + ") differs from the live "
                + live.label() + " (" + live.imagesText() + ")");
    }

    private List<ReadinessCheck> permissions(String prefix, List<ApiPermission> needed) {
        if (needed.isEmpty()) {
            return List.of();
        }
        String name = prefix + "Kubernetes permissions";
        List<ReadinessCheck> problems = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (ApiPermission permission : needed) {
            AccessReviewer.Access answer = access.review(permission);
            if (answer instanceof AccessReviewer.Access.Denied denied) {
                problems.add(ReadinessCheck.failed(name,
                        "Rewind may not " + permission.describe() + (denied.reason().isBlank() ? "" : " (" + denied.reason() + ")"),
                        "the ServiceAccount may not " + permission.verb() + " " + permission.resource() + " in "
                                + permission.namespace() + ": add it to the Role"));
            } else if (answer instanceof AccessReviewer.Access.Unknown why) {
                unknown.add(permission.describe() + ": " + why.reason());
            }
        }
        if (!unknown.isEmpty()) {
            problems.add(ReadinessCheck.unknown(name, "could not check " + String.join("; ", unknown)));
        }
        if (problems.isEmpty()) {
            problems.add(ReadinessCheck.ok(name, "may " + needed.stream().map(ApiPermission::describe)
                    .collect(Collectors.joining(", "))));
        }
        return problems;
    }

    private ReadinessCheck approvers(ServiceConfig service) {
        String name = "Approvers";
        Set<String> people = new LinkedHashSet<>();
        List<String> empty = new ArrayList<>();
        for (Principal approver : service.approval().approvers()) {
            if (approver instanceof Principal.Group group) {
                Set<String> members = directory.members(group.id());
                if (members.isEmpty()) {
                    empty.add(group.id());
                }
                people.addAll(members);
            } else {
                people.add(approver.id());
            }
        }
        int needed = service.approval().approvals();
        if (!empty.isEmpty() && people.size() < needed) {
            return ReadinessCheck.failed(name, "user group" + (empty.size() > 1 ? "s " : " ") + String.join(", ", empty)
                            + " has no members Rewind can see, and " + needed + " approval" + (needed > 1 ? "s are" : " is")
                            + " needed",
                    "check the group id in rewind.yml and that the Slack app has the usergroups:read scope");
        }
        if (people.size() < needed) {
            return ReadinessCheck.failed(name, needed + " approvals are needed but only " + people.size()
                    + " approver" + (people.size() == 1 ? "" : "s") + " can give one", "add approvers to " + service.name()
                    + " in rewind.yml, or lower approvals");
        }
        String who = people.size() + " approver" + (people.size() == 1 ? "" : "s") + " for " + needed + " approval"
                + (needed == 1 ? "" : "s");
        if (!empty.isEmpty()) {
            return ReadinessCheck.warning(name, who + "; user group " + String.join(", ", empty) + " has no members Rewind can see",
                    "check the group id in rewind.yml and that the Slack app has the usergroups:read scope");
        }
        return ReadinessCheck.ok(name, who);
    }

    private List<ReadinessCheck> signals(ServiceConfig service) {
        if (service.signals().isEmpty()) {
            return List.of(ReadinessCheck.warning("Signals", "no signals: cards show no numbers and recovery is judged by "
                    + "target health only", "add signals (errorRate, latency) to " + service.name() + " in rewind.yml"));
        }
        if (!signals.configured()) {
            return List.of(ReadinessCheck.failed("Signals", "PROMETHEUS_URL is not set: no signal of " + service.name()
                    + " can be read", "set PROMETHEUS_URL"));
        }
        List<ReadinessCheck> checks = new ArrayList<>();
        Instant now = clock.instant();
        for (Map.Entry<String, String> signal : service.signals().entrySet()) {
            String name = "Signal " + signal.getKey();
            Reading reading = signals.query(signal.getValue(), now);
            if (reading instanceof Reading.Value value) {
                checks.add(ReadinessCheck.ok(name, "Prometheus answers: "
                        + NumberText.of(SignalKind.of(signal.getKey()), value.value()) + " now"));
            } else if (reading instanceof Reading.Unavailable unavailable) {
                checks.add(ReadinessCheck.failed(name, "could not be read: " + unavailable.reason(),
                        "check that Prometheus is reachable and the query is valid"));
            } else {
                checks.add(ReadinessCheck.warning(name, "Prometheus answers, but the query matches no series",
                        "check the query's metric and labels: `" + signal.getValue() + "`"));
            }
        }
        return checks;
    }
}
