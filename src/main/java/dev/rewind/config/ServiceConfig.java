package dev.rewind.config;


import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One service of the catalogue: what people type, where its cards go, what is rolled back (one
 * target, or an ordered plan of several), how it is measured and who decides.
 */
public record ServiceConfig(
        String name,
        String channel,
        String environment,
        List<Target> targets,
        Map<String, String> signals,
        ApprovalRules approval,
        Optional<String> oncall,
        TierThresholds thresholds,
        Guardrails guardrails,
        Verification verification,
        Map<String, String> alertMatch,
        Report report,
        IncidentPolicy incidentChannel,
        List<PolicyRule> policy,
        Map<String, Duration> deadlines,
        Optional<String> pagerDutyKeyEnv,
        Optional<String> announce,
        Optional<StatusWebhook> statusWebhook,
        Optional<Guard> guard,
        Map<String, Probe> probes,
        Drills drills) {

    /**
     * {@code drills:}: whether rehearsals may run ({@code allowed}, off by default in production), an optional Unix
     * cron {@code schedule} (UTC), whether a person must approve ({@code approvals: 0} only outside production: the
     * drill approves itself), the recovery target a drill is judged against, and whether a destructive step
     * (database-migration) may be drilled at all.
     */
    public record Drills(boolean allowed, Optional<String> schedule, boolean needsApproval, Duration recoveryTarget,
                         boolean destructive) {
        public static final Duration RECOVERY_TARGET = Duration.ofSeconds(300);
    }

    /**
     * {@code guard:}: each new revision is watched for {@code window}, its policy rules evaluated every
     * {@code interval}; with {@code announce}, a window that ends clean is said in the service's channel. Without it a
     * service is still guarded when a pipeline posts a deploy, with {@link #DEFAULT}.
     */
    public record Guard(Duration window, Duration interval, boolean announce) {
        public static final Guard DEFAULT = new Guard(Duration.ofMinutes(30), Duration.ofSeconds(30), false);
    }

    /** Where rollback starts and ends are posted as signed JSON; the signing secret is in {@code secretEnv}. */
    public record StatusWebhook(String url, String secretEnv) {
    }

    /** The playbooks' decision deadlines by tier name: IMMEDIATE 5m, FAST 30m, PLANNED 2h. */
    public static final Map<String, Duration> DEFAULT_DEADLINES = Map.of("IMMEDIATE", Duration.ofMinutes(5),
            "FAST", Duration.ofMinutes(30), "PLANNED", Duration.ofHours(2));

    public ServiceConfig {
        deadlines = Map.copyOf(deadlines);
        targets = List.copyOf(targets);
        signals = Collections.unmodifiableMap(new LinkedHashMap<>(signals));
        alertMatch = Map.copyOf(alertMatch);
        policy = List.copyOf(policy);
        probes = Collections.unmodifiableMap(new LinkedHashMap<>(probes));
    }

    public Target primaryTarget() {
        return targets.get(0);
    }

    public boolean isPlan() {
        return targets.size() > 1;
    }

    /**
     * Where reports go besides Rewind's own store: optionally a GitHub issue in {@code github}
     * ({@code owner/repo}) through {@code apiUrl}, with the token in the environment variable {@code tokenEnv}.
     */
    public record Report(Optional<String> github, String apiUrl, String tokenEnv) {
        public static final Report NONE = new Report(Optional.empty(), "https://api.github.com", "GITHUB_TOKEN");
    }

    /**
     * Limits on how often a target may be rolled back.
     *
     * @param cooldown        no new rollback of the same service within this time after the last one finished
     * @param maxAttempts     at most this many rollbacks per {@code attemptsWindow}
     * @param attemptsWindow  the window for {@code maxAttempts}
     * @param executeTimeout  how long one adapter step may take before the run fails
     * @param requestExpiry   a request still short of approvals after this long is withdrawn, freeing the target
     */
    public record Guardrails(Duration cooldown, int maxAttempts, Duration attemptsWindow, Duration executeTimeout,
                             Duration requestExpiry) {
        public static final Guardrails DEFAULT = new Guardrails(Duration.ofMinutes(5), 3, Duration.ofHours(1),
                Duration.ofMinutes(10), Duration.ofMinutes(30));
    }

    /**
     * How recovery is confirmed after the adapter is done: {@code checks} consecutive good checks, one every
     * {@code interval} (the first one interval after the change: 3 × 30 s covers 90 s). A check is good when the
     * error rate is at most {@code maxErrorRate} or within {@code baselineRatio} of its pre-deploy baseline, latency
     * within {@code baselineRatio} of its baseline, and every probe answers as expected. The defaults are the
     * playbooks' numbers: 1%, 3 checks, 30 s.
     */
    public record Verification(int checks, Duration interval, double baselineRatio, double maxErrorRate, List<Probe> probes,
                               Duration watch, Optional<SmokeJob> job) {
        public static final Verification DEFAULT = new Verification(3, Duration.ofSeconds(30), 1.5, 0.01, List.of(),
                Duration.ofHours(1), Optional.empty());

        public Verification {
            probes = List.copyOf(probes);
        }
    }

    /**
     * An HTTP check of a critical path: {@code GET url} must answer {@code expect} within {@code timeout}, and
     * contain {@code bodyContains} when given.
     */
    /** {@code verification.job}: a smoke-test Job run once the checks pass; recovered only if it succeeds. */
    public record SmokeJob(String image, List<String> command, List<String> args, String namespace, Duration timeout) {
        public SmokeJob {
            command = List.copyOf(command);
            args = List.copyOf(args);
        }
    }

    public record Probe(String name, String url, int expect, Duration timeout, Optional<String> bodyContains) {
    }
}
