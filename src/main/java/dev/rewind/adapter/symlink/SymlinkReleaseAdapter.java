package dev.rewind.adapter.symlink;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.config.OneOrMore;
import dev.rewind.config.Required;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * {@code symlink-release}: Capistrano-style releases ({@code deployTo/releases/<timestamp>/}, with
 * {@code deployTo/current} pointing at the live one) on one or more hosts over SSH. A rollback points
 * {@code current} at an earlier release on every host with an atomic rename and runs the configured
 * restart command in the new {@code current/}. The database is not touched.
 *
 * <p>Longer than most classes on purpose: an adapter is one file (its helpers stay private to its
 * package), and this one walks every host twice (check all, then switch all) with the SSH-specific
 * failure messages people need at 3 a.m.
 */
public final class SymlinkReleaseAdapter implements RollbackAdapter {

    public static final String TYPE = "symlink-release";

    private final Fleet fleet;
    private final Duration readTimeout;

    /** @param readTimeout how long describe and verify wait for each host (connect, log in, read) */
    public SymlinkReleaseAdapter(Duration readTimeout) {
        if (readTimeout.isNegative() || readTimeout.isZero()) {
            throw new IllegalArgumentException("readTimeout must be positive, got " + readTimeout);
        }
        this.readTimeout = readTimeout;
        this.fleet = new Fleet(Executors.newCachedThreadPool(daemonThreads()));
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * The {@code target:} block: {@code {type: symlink-release, hosts: ["app1:22"], user: deploy, deployTo: /srv/app,
     * keyFile: /etc/rewind/deploy_key, knownHosts: /etc/rewind/known_hosts, restart: "touch tmp/restart.txt"}}.
     */
    public record Spec(@OneOrMore List<String> hosts, @Required String user, @Required String deployTo,
                       @Required String keyFile, @Required String knownHosts, String restart) {
    }

    @Override
    public Optional<Class<? extends Record>> specType() {
        return Optional.of(Spec.class);
    }

    @Override
    public void validate(Target target) {
        ReleaseTarget.of(target);
    }

    @Override
    public TargetState describe(Target target) {
        ReleaseTarget releases = ReleaseTarget.of(target);
        long deadline = System.nanoTime() + readTimeout.toNanos();
        List<HostState> hosts = readAll(releases, readTimeout, "");
        String current = agreedCurrent(releases, hosts, Optional.empty(), "");
        List<String> everywhere = onEveryHost(hosts);
        List<String> earlier = everywhere.stream().filter(name -> name.compareTo(current) < 0)
                .sorted(Comparator.reverseOrder()).toList();
        List<String> partial = hosts.stream().flatMap(h -> h.releases().stream())
                .filter(name -> name.compareTo(current) < 0 && !everywhere.contains(name))
                .distinct().sorted(Comparator.reverseOrder()).toList();
        if (earlier.isEmpty()) {
            throw new AdapterException(partial.isEmpty()
                    ? "no earlier release to roll back to: " + releases.layout().releasesDir() + " on "
                    + hostList(hosts) + " holds nothing older than the current release " + current
                    : "no earlier release is present on every host: " + missingText(partial, hosts));
        }
        String previous = earlier.get(0);
        List<String> warnings = new ArrayList<>();
        warnings.add("The database is not reverted by this adapter: release " + previous
                + " will run against the database as it is now");
        migrationsAdded(releases, hosts.get(0).host(), current, previous, left(deadline)).ifPresent(warnings::add);
        if (!partial.isEmpty()) {
            warnings.add("Not offered because not on every host: " + missingText(partial, hosts));
        }
        warnings.addAll(hostWarnings(releases, hosts));
        List<String> newer = everywhere.stream().filter(name -> name.compareTo(current) > 0).toList();
        List<TargetState.Fact> facts = new ArrayList<>();
        facts.add(new TargetState.Fact("Hosts", hostList(hosts) + " (" + hosts.size() + ", all on " + current + ")"));
        facts.add(new TargetState.Fact("Releases", releases.layout().releasesDir() + ": " + everywhere.size()
                + " on every host"));
        facts.add(new TargetState.Fact("Restart", releases.restart().map(cmd -> cmd + " (in current/)")
                .orElse("none configured")));
        if (!newer.isEmpty()) {
            facts.add(new TargetState.Fact("Newer releases (not live)", String.join(", ", newer)));
        }
        return new TargetState(releases.describe(), revision(releases, current),
                earlier.stream().map(name -> revision(releases, name)).toList(), facts, warnings);
    }

    @Override
    public Outcome execute(Target target, Change change, Progress progress, Duration timeout) {
        ReleaseTarget releases = ReleaseTarget.of(target);
        String release = change.revisionId();
        if (!ReleaseLayout.isSafe(release)) {
            throw new AdapterException("revision '" + release + "' is not a release directory name Rewind will use "
                    + "(letters, digits, '.', '_' and '-', not starting with '.' or '-')");
        }
        if (!ReleaseLayout.isSafe(change.runId())) {
            throw new AdapterException("run id '" + change.runId() + "' cannot name a file on the hosts");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<HostState> hosts = readAll(releases, shorter(timeout, readTimeout), "; nothing was switched");
        List<HostState> missing = hosts.stream().filter(h -> !h.has(release)).toList();
        if (missing.size() == hosts.size()) {
            throw new AdapterException("release " + release + " not found in " + releases.layout().releasesDir()
                    + " on any host (" + hosts.get(0).host().label() + " has: " + String.join(", ",
                    hosts.get(0).releases()) + ")");
        }
        if (!missing.isEmpty()) {
            throw new AdapterException("release " + release + " is missing on " + hostList(missing) + " (present on "
                    + hostList(hosts.stream().filter(h -> h.has(release)).toList()) + "); nothing was switched");
        }
        String from = agreedCurrent(releases, hosts, Optional.of(release), "; nothing was switched");
        progress.step("Switching current to release " + release + " on " + hostList(hosts) + " (from " + from + ")");

        List<Fleet.Answer<HostSwitch>> answers = fleet.onEveryHost(releases, left(deadline),
                (host, remote) -> switchHost(host, remote, releases, release, change.runId(), progress));
        List<HostSwitch> results = answers.stream().map(a -> a.value().orElseGet(() ->
                HostSwitch.notSwitched(a.host(), a.failure().orElse("no answer")))).toList();
        if (results.stream().anyMatch(r -> r.problem().isPresent())) {
            throw new AdapterException(incomplete(release, results));
        }
        List<String> switched = labels(results, HostSwitch::switchedNow);
        List<String> restartedLate = labels(results, r -> r.state() == HostSwitch.State.SWITCHED && !r.switchedNow());
        List<String> already = labels(results, r -> r.state() == HostSwitch.State.ALREADY);
        List<String> parts = new ArrayList<>();
        if (!switched.isEmpty()) {
            parts.add("current → " + release + " on " + String.join(", ", switched) + " (was " + from + ")"
                    + releases.restart().map(cmd -> ", restart ok").orElse(", no restart configured"));
        }
        if (!restartedLate.isEmpty()) {
            parts.add("restart owed by this run done on " + String.join(", ", restartedLate));
        }
        if (!already.isEmpty()) {
            parts.add("already on " + release + ": " + String.join(", ", already));
        }
        String summary = String.join("; ", parts);
        Map<String, String> recorded = new LinkedHashMap<>();
        recorded.put("fromRelease", from);
        recorded.put("toRelease", release);
        recorded.put("switchedHosts", String.join(",", switched));
        return new Outcome(summary, recorded);
    }

    @Override
    public Health verify(Target target) {
        ReleaseTarget releases = ReleaseTarget.of(target);
        List<Fleet.Answer<HostState>> answers = fleet.onEveryHost(releases, readTimeout, (host, remote) -> remote.read());
        List<String> problems = new ArrayList<>();
        answers.stream().filter(a -> !a.ok()).forEach(a -> problems.add(a.failureText()));
        List<HostState> hosts = answers.stream().flatMap(a -> a.value().stream()).toList();
        for (HostState host : hosts) {
            Optional<String> problem = host.currentProblem(releases.layout());
            if (problem.isPresent()) {
                problems.add(host.host().label() + ": " + problem.get());
            } else if (host.currentIsDangling()) {
                problems.add(host.host().label() + ": current points to release " + host.current().get()
                        + ", whose directory does not exist");
            }
            for (String run : host.pendingRestarts()) {
                problems.add(host.host().label() + ": the restart after run " + run + " switched current has not "
                        + "succeeded");
            }
        }
        Set<String> currents = hosts.stream().flatMap(h -> h.current().stream()).collect(Collectors.toCollection(TreeSet::new));
        if (currents.size() > 1) {
            problems.add(disagreement(hosts));
        }
        if (!problems.isEmpty()) {
            return Health.unhealthy(String.join("; ", problems));
        }
        return Health.healthy("current → " + currents.iterator().next() + " on " + hostList(hosts));
    }

    /** Switches one host (unless already there) and runs the restart this run owes it. Never throws after switching. */
    private static HostSwitch switchHost(SshHost host, RemoteReleases remote, ReleaseTarget releases, String release,
                                         String runId, Progress progress) {
        HostState state = remote.read();
        if (!state.has(release)) {
            return HostSwitch.notSwitched(host, "release " + release + " is no longer in " + releases.layout().releasesDir());
        }
        boolean restartOwed = state.pendingRestarts().contains(runId);
        boolean switchedNow = false;
        if (!state.current().filter(release::equals).isPresent()) {
            SshSession.Result result;
            try {
                result = remote.switchTo(release, runId, releases.restart().isPresent());
            } catch (AdapterException e) {
                return HostSwitch.unknown(host, "switching current did not finish (" + e.getMessage()
                        + "); check where " + releases.layout().currentLink() + " points");
            }
            if (!result.ok()) {
                return HostSwitch.notSwitched(host, "switching current failed (" + result.failure() + "); still on "
                        + state.current().orElse("?"));
            }
            switchedNow = true;
            restartOwed = releases.restart().isPresent();
        }
        String head = host.label() + ": current → " + release;
        if (!switchedNow && !restartOwed) {
            // someone (or an earlier attempt of this run, which also restarted) already put it there
            progress.step(head + " already; not switched again, no restart");
            return HostSwitch.alreadyThere(host);
        }
        String how = switchedNow ? "" : " (switched earlier by this run)";
        if (releases.restart().isEmpty()) {
            progress.step(head + how + "; no restart configured");
            return HostSwitch.switched(host, switchedNow);
        }
        SshSession.Result restart;
        try {
            restart = remote.restart(releases.restart().get());
        } catch (AdapterException e) {
            progress.step(head + how + "; restart did not finish: " + e.getMessage());
            return HostSwitch.restartFailed(host, switchedNow, "restart did not finish: " + e.getMessage());
        }
        if (!restart.ok()) {
            progress.step(head + how + "; restart FAILED (" + restart.failure() + ")");
            return HostSwitch.restartFailed(host, switchedNow, "restart failed (" + restart.failure() + ")");
        }
        SshSession.Result cleared = remote.clearMarker(runId);
        progress.step(head + how + "; restart ok" + (cleared.ok() ? ""
                : " (could not remove " + releases.layout().marker(runId) + ": " + cleared.failure() + ")"));
        return HostSwitch.switched(host, switchedNow);
    }

    private static List<String> labels(List<HostSwitch> results, Predicate<HostSwitch> which) {
        return results.stream().filter(which).map(r -> r.host().label()).toList();
    }

    private static String incomplete(String release, List<HostSwitch> results) {
        StringBuilder text = new StringBuilder("rollback to release " + release + " is incomplete.");
        appendGroup(text, " Switched:", results.stream().filter(r -> r.state() == HostSwitch.State.SWITCHED
                && r.problem().isEmpty()).toList());
        appendGroup(text, " Switched but restart failed:", results.stream().filter(r -> r.state() == HostSwitch.State.SWITCHED
                && r.problem().isPresent()).toList());
        appendGroup(text, " Already on " + release + ":", results.stream().filter(r -> r.state() == HostSwitch.State.ALREADY)
                .toList());
        appendGroup(text, " NOT switched:", results.stream().filter(r -> r.state() == HostSwitch.State.NOT_SWITCHED).toList());
        appendGroup(text, " Unknown, check by hand:", results.stream().filter(r -> r.state() == HostSwitch.State.UNKNOWN)
                .toList());
        text.append(" Running the same rollback again finishes the job: hosts already on ").append(release)
                .append(" are not switched again, and a restart this run still owes is retried.");
        return text.toString();
    }

    private static void appendGroup(StringBuilder text, String title, List<HostSwitch> group) {
        if (group.isEmpty()) {
            return;
        }
        text.append(title).append(' ').append(group.stream()
                .map(r -> r.host().label() + r.problem().map(p -> " (" + p + ")").orElse(""))
                .collect(Collectors.joining(", "))).append('.');
    }

    /** Reads every host; any host that cannot be read makes the whole read fail, naming each such host. */
    private List<HostState> readAll(ReleaseTarget releases, Duration budget, String consequence) {
        List<Fleet.Answer<HostState>> answers = fleet.onEveryHost(releases, budget, (host, remote) -> remote.read());
        List<String> failures = answers.stream().filter(a -> !a.ok()).map(Fleet.Answer::failureText).toList();
        if (!failures.isEmpty()) {
            throw new AdapterException("cannot read the releases of " + releases.describe() + ": "
                    + String.join("; ", failures) + consequence);
        }
        return answers.stream().map(a -> a.value().orElseThrow()).toList();
    }

    /**
     * The release {@code current} points at on every host. With {@code goingTo}, hosts already on it are
     * left out (a run that stopped half-way may be finished), so the others must still agree.
     */
    private static String agreedCurrent(ReleaseTarget releases, List<HostState> hosts, Optional<String> goingTo,
                                        String consequence) {
        List<String> problems = hosts.stream().flatMap(h -> h.currentProblem(releases.layout())
                .map(p -> h.host().label() + ": " + p).stream()).toList();
        if (!problems.isEmpty()) {
            throw new AdapterException(String.join("; ", problems) + consequence);
        }
        List<HostState> elsewhere = hosts.stream()
                .filter(h -> goingTo.isEmpty() || !h.current().orElseThrow().equals(goingTo.get())).toList();
        if (elsewhere.isEmpty()) {
            return goingTo.orElseThrow();
        }
        Set<String> currents = elsewhere.stream().map(h -> h.current().orElseThrow())
                .collect(Collectors.toCollection(LinkedHashSet::new));
        if (currents.size() > 1) {
            throw new AdapterException(disagreement(hosts) + "; make them agree before rolling back" + consequence);
        }
        return currents.iterator().next();
    }

    private static String disagreement(List<HostState> hosts) {
        return "hosts disagree about the current release: " + hosts.stream()
                .map(h -> h.host().label() + " → " + h.current().orElse("?")).collect(Collectors.joining(", "));
    }

    /** Release names present on every host, oldest first. */
    private static List<String> onEveryHost(List<HostState> hosts) {
        return hosts.get(0).releases().stream().filter(name -> hosts.stream().allMatch(h -> h.has(name))).toList();
    }

    private static String missingText(List<String> names, List<HostState> hosts) {
        return names.stream().map(name -> name + " (missing on " + hostList(hosts.stream().filter(h -> !h.has(name))
                .toList()) + ")").collect(Collectors.joining(", "));
    }

    /** Migrations in the current release's db/migrate that the chosen release does not have. */
    private Optional<String> migrationsAdded(ReleaseTarget releases, SshHost host, String current, String previous,
                                             Duration budget) {
        Fleet.Answer<List<List<String>>> answer = fleet.onHost(host, releases, budget,
                (h, remote) -> List.of(remote.migrations(current), remote.migrations(previous)));
        if (!answer.ok()) {
            return Optional.of("Could not compare db/migrate of " + current + " and " + previous + ": "
                    + answer.failureText());
        }
        List<String> added = new ArrayList<>(answer.value().orElseThrow().get(0));
        added.removeAll(answer.value().orElseThrow().get(1));
        if (added.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("Migrations added since " + previous + " stay applied (" + added.size() + "): "
                + String.join(", ", added));
    }

    private static List<String> hostWarnings(ReleaseTarget releases, List<HostState> hosts) {
        List<String> warnings = new ArrayList<>();
        for (HostState host : hosts) {
            if (host.currentIsDangling()) {
                warnings.add(host.host().label() + ": current points to release " + host.current().orElseThrow()
                        + ", whose directory does not exist");
            }
            for (String run : host.pendingRestarts()) {
                warnings.add(host.host().label() + ": run " + run + " switched current but its restart has not "
                        + "succeeded (marker " + releases.layout().marker(run) + ")");
            }
            if (!host.skipped().isEmpty()) {
                warnings.add(host.host().label() + ": ignored " + host.skipped().size() + " directory name(s) in "
                        + releases.layout().releasesDir() + " that are not safe to use in a command");
            }
        }
        return warnings;
    }

    private static Revision revision(ReleaseTarget releases, String name) {
        String directory = releases.layout().releaseDir(name);
        return new Revision(name, name, List.of(directory), ReleaseLayout.createdAt(name), Optional.empty(),
                Map.of("release", name));
    }

    private static String hostList(List<HostState> hosts) {
        return hosts.stream().map(h -> h.host().label()).collect(Collectors.joining(", "));
    }

    /** What is left until {@code deadline} (a {@link System#nanoTime()}), at least a millisecond. */
    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
    }

    private static Duration shorter(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "rewind-ssh-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
