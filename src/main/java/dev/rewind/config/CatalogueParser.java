package dev.rewind.config;

import dev.rewind.config.CatalogueSpec.AlertRoutingSpec;
import dev.rewind.config.CatalogueSpec.EnvironmentSpec;
import dev.rewind.config.CatalogueSpec.PolicyRuleSpec;
import dev.rewind.config.CatalogueSpec.ReportSpec;
import dev.rewind.config.CatalogueSpec.ServiceSpec;
import dev.rewind.config.CatalogueSpec.ThresholdsSpec;
import dev.rewind.config.CatalogueSpec.VerificationSpec;
import dev.rewind.config.CatalogueSpec.WhenSpec;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Reads {@code rewind.yml} into a {@link Catalogue}: {@link ConfigBinder} binds the file into
 * {@link CatalogueSpec}, then this applies defaults and the rules that span keys. Every problem is
 * reported with its place ({@code services[1] (payments).approvals}) so the file can be fixed without
 * guessing. Keys it does not know are reported as warnings, not errors, so newer files still load.
 *
 * <p>Longer than most classes on purpose: the rules that span keys of {@code rewind.yml} (defaults from
 * environments, exactly one of target/targets, approvals against approvers) and their messages are read
 * in one place; binding itself is {@link ConfigBinder}'s.
 */
public final class CatalogueParser {

    private static final EnvironmentSpec NO_ENVIRONMENT_RULES = ConfigBinder.empty(EnvironmentSpec.class);
    private static final WhenSpec ALWAYS = ConfigBinder.empty(WhenSpec.class);
    private final Consumer<String> warnings;
    private final Predicate<String> destructiveType;

    /**
     * @param warnings        told about keys it does not know and other things worth a look
     * @param destructiveType which target types need two approvals by default (the adapters say)
     */
    public CatalogueParser(Consumer<String> warnings, Predicate<String> destructiveType) {
        this.warnings = warnings;
        this.destructiveType = destructiveType;
    }

    /** The catalogue at {@code path}; an empty one, with a warning, when the file does not exist. */
    public Catalogue load(Path path) {
        try {
            return parse(Files.readString(path), path.toString());
        } catch (NoSuchFileException e) {
            warnings.accept(path + " not found: no services are configured, so /rollback can only say so. "
                    + "Copy rewind.example.yml to " + path + " or set REWIND_CONFIG.");
            return Catalogue.empty();
        } catch (IOException e) {
            throw new ConfigException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    public Catalogue parse(String yaml, String source) {
        JsonNode root = ConfigBinder.read(yaml, source);
        if (root == null || root.isMissingNode() || root.isNull()) {
            warnings.accept(source + " is empty: no services are configured");
            return Catalogue.empty();
        }
        CatalogueSpec spec = ConfigBinder.bind(root, CatalogueSpec.class, places(source, root), warnings);
        Map<String, EnvironmentSpec> environments = spec.environments() == null ? Map.of() : spec.environments();
        Catalogue.AlertRouting alerts = alertRouting(spec.alerts());
        if (spec.services() == null) {
            warnings.accept(source + " has no 'services:' list: no services are configured");
            return new Catalogue(List.of(), alerts, retention(spec.retention(), source));
        }
        List<ServiceConfig> services = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < spec.services().size(); i++) {
            String place = source + ".services[" + i + "]";
            ServiceConfig service = service(spec.services().get(i), place, environments);
            if (!seen.add(service.name().toLowerCase(Locale.ROOT))) {
                throw new ConfigException(place + ": service '" + service.name() + "' is listed twice");
            }
            services.add(service);
        }
        return new Catalogue(services, alerts, retention(spec.retention(), source));
    }

    /** Places in the file as people read them; a service is also named, as it is what people know it by. */
    private static Function<List<Object>, String> places(String source, JsonNode root) {
        return steps -> {
            StringBuilder text = new StringBuilder(source);
            for (int i = 0; i < steps.size(); i++) {
                text.append(ConfigBinder.render(steps.subList(i, i + 1)));
                if (i == 1 && "services".equals(steps.get(0)) && steps.get(1) instanceof Integer index) {
                    JsonNode name = root.path("services").path(index).path("name");
                    if (name.isValueNode() && !name.asString().isBlank()) {
                        text.append(" (").append(name.asString().trim()).append(')');
                    }
                }
            }
            return text.toString();
        };
    }

    private Catalogue.AlertRouting alertRouting(AlertRoutingSpec alerts) {
        if (alerts == null) {
            return Catalogue.AlertRouting.DEFAULT;
        }
        return new Catalogue.AlertRouting(
                text(alerts.serviceLabel()).orElse("service"),
                text(alerts.defaultChannel()),
                texts(alerts.watchedChannels()),
                Optional.ofNullable(alerts.staleAfter()).orElse(Catalogue.AlertRouting.DEFAULT_STALE_AFTER),
                text(alerts.severityLabel()).orElse("severity"),
                severityTiers(alerts.severityTiers()));
    }

    /** The tier each value of the severity label raises a card to at least, by value in lower case. */
    private static Map<String, String> severityTiers(Map<String, String> written) {
        if (written == null) {
            return Catalogue.AlertRouting.DEFAULT_SEVERITY_TIERS;
        }
        Map<String, String> tiers = new java.util.LinkedHashMap<>();
        written.forEach((value, tier) -> {
            String place = "alerts.severityTiers." + value;
            String name = tier == null ? "" : tier.trim().toUpperCase(java.util.Locale.ROOT);
            if (!List.of("IMMEDIATE", "FAST", "PLANNED", "MONITOR").contains(name)) {
                throw new ConfigException(place + ": '" + tier + "' is not a tier; write IMMEDIATE, FAST, PLANNED or MONITOR");
            }
            tiers.put(value.trim().toLowerCase(java.util.Locale.ROOT), name);
        });
        return tiers;
    }

    private ServiceConfig service(ServiceSpec spec, String place, Map<String, EnvironmentSpec> environments) {
        if (spec == null) {
            throw new ConfigException(place + " must be a mapping (key: value)");
        }
        String name = required(spec.name(), place + ".name");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new ConfigException(place + ".name: '" + name
                    + "' must be letters, digits, '.', '_' or '-' (it is what people type after /rollback)");
        }
        String service = place + " (" + name + ")";
        String environment = text(spec.environment()).orElse("production");
        List<Target> targets = targets(spec, service);
        boolean destructive = targets.stream().anyMatch(t -> destructiveType.test(t.type()));
        EnvironmentSpec env = Optional.ofNullable(environments.get(environment)).orElse(NO_ENVIRONMENT_RULES);
        int approvals = first(spec.approvals(), env.approvals(), destructive ? 2 : 1);
        ApprovalRules approval = new ApprovalRules(
                principals(spec.requesters(), service + ".requesters").orElse(List.of()),
                principals(spec.approvers(), service + ".approvers").orElse(List.of()),
                approvals,
                first(spec.selfApproval(), env.selfApproval(), true),
                first(spec.breakGlass(), env.breakGlass(), false),
                // A policy approves alone, so where two people must approve it may only propose unless told otherwise.
                first(spec.autoRollback(), env.autoRollback(), approvals == 1),
                principals(spec.viewers(), service + ".viewers")
                        .or(() -> principals(env.viewers(), "environments." + environment + ".viewers"))
                        .orElse(List.of()));
        if (approval.approvals() < 1) {
            throw new ConfigException(service + ".approvals must be at least 1");
        }
        if (approval.approvers().isEmpty()) {
            warnings.accept(service + " lists no 'approvers': nobody can approve a rollback of " + name);
        } else if (approval.approvers().size() < approval.approvals() && approval.approvers().stream()
                .noneMatch(Principal.Group.class::isInstance)) {
            warnings.accept(service + " needs " + approval.approvals() + " approvals but lists only "
                    + approval.approvers().size() + " approver(s)");
        }
        Map<String, String> signals = textMap(spec.signals(), service + ".signals");
        IncidentPolicy incidentPolicy;
        try {
            incidentPolicy = text(spec.incidentChannel()).map(IncidentPolicy::parse).orElse(IncidentPolicy.ON_APPROVAL);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(service + ".incidentChannel: " + e.getMessage());
        }
        Map<String, String> alertMatch = spec.alerts() == null ? Map.of()
                : textMap(spec.alerts().match(), service + ".alerts.match");
        ServiceConfig.Verification verification = verification(spec.verification(), service + ".verification", spec.probes(),
                service, targets);
        Map<String, ServiceConfig.Probe> probes = declaredProbes(spec.probes(), service);
        List<PolicyRule> policy = policy(spec.policy(), service + ".policy", signals, probes.keySet());
        return new ServiceConfig(name, required(spec.channel(), service + ".channel"), environment, targets, signals,
                approval, text(spec.oncall()), thresholds(spec.thresholds()), guardrails(spec),
                verification, alertMatch,
                report(spec.report(), service + ".report"), incidentPolicy,
                policy,
                deadlines(spec.deadlines(), env.deadlines(), service, environment),
                pagerDuty(spec.escalation()).or(() -> pagerDuty(env.escalation())),
                text(spec.announce()).or(() -> text(env.announce())),
                statusWebhook(spec.statusWebhook(), service + ".statusWebhook")
                        .or(() -> statusWebhook(env.statusWebhook(), "environments." + environment + ".statusWebhook")),
                guard(spec.guard(), service + ".guard", policy), probes,
                drills(spec.drills(), env.drills(), service, environment));
    }

    /** {@code drills:}: the service's own settings over its environment's, key by key. */
    private static ServiceConfig.Drills drills(CatalogueSpec.DrillsSpec own, CatalogueSpec.DrillsSpec env, String service,
                                               String environment) {
        CatalogueSpec.DrillsSpec none = ConfigBinder.empty(CatalogueSpec.DrillsSpec.class);
        CatalogueSpec.DrillsSpec s = own != null ? own : none;
        CatalogueSpec.DrillsSpec e = env != null ? env : none;
        boolean production = environment.equals("production");
        String place = own != null ? service + ".drills" : "environments." + environment + ".drills";
        Optional<String> schedule = text(s.schedule()).or(() -> text(e.schedule()));
        schedule.ifPresent(cron -> DrillSchedule.check(cron, place + ".schedule"));
        Integer approvals = first(s.approvals(), e.approvals(), null);
        if (approvals != null && approvals < 0) {
            throw new ConfigException(place + ".approvals must be 0 (the drill approves itself) or more, got " + approvals);
        }
        if (approvals != null && approvals == 0 && production) {
            throw new ConfigException(place + ".approvals: 0 is not allowed in production: a production drill is a real "
                    + "rollback and needs the service's approvers");
        }
        Duration target = first(s.recoveryTarget(), e.recoveryTarget(), ServiceConfig.Drills.RECOVERY_TARGET);
        return new ServiceConfig.Drills(first(s.allowed(), e.allowed(), !production), schedule,
                approvals == null || approvals > 0, target, first(s.destructive(), e.destructive(), false));
    }

    private static Optional<ServiceConfig.StatusWebhook> statusWebhook(CatalogueSpec.StatusWebhookSpec spec, String place) {
        if (spec == null) {
            return Optional.empty();
        }
        String url = required(spec.url(), place + ".url");
        if (!url.startsWith("https://") && !url.startsWith("http://")) {
            throw new ConfigException(place + ".url: '" + url + "' must start with https:// (or http:// inside the cluster)");
        }
        return Optional.of(new ServiceConfig.StatusWebhook(url, required(spec.secretEnv(), place + ".secretEnv")));
    }

    /** The defaults, then the environment's, then the service's own, tier by tier. */
    private static Map<String, Duration> deadlines(Map<String, Duration> own, Map<String, Duration> environment,
                                                   String service, String environmentName) {
        Map<String, Duration> deadlines = new LinkedHashMap<>(ServiceConfig.DEFAULT_DEADLINES);
        deadlinesFrom(environment, "environments." + environmentName + ".deadlines", deadlines);
        deadlinesFrom(own, service + ".deadlines", deadlines);
        return deadlines;
    }

    private static void deadlinesFrom(Map<String, Duration> given, String place, Map<String, Duration> into) {
        if (given == null) {
            return;
        }
        given.forEach((tier, deadline) -> {
            String name = tier.trim().toUpperCase(Locale.ROOT);
            if (!ServiceConfig.DEFAULT_DEADLINES.containsKey(name)) {
                throw new ConfigException(place + "." + tier + ": deadlines are set for IMMEDIATE, FAST and PLANNED, not '"
                        + tier + "'");
            }
            if (deadline == null || deadline.isZero() || deadline.isNegative()) {
                throw new ConfigException(place + "." + tier + " must be a duration such as 30m");
            }
            into.put(name, deadline);
        });
    }

    private static Optional<String> pagerDuty(CatalogueSpec.EscalationSpec escalation) {
        return Optional.ofNullable(escalation).map(CatalogueSpec.EscalationSpec::pagerduty)
                .map(p -> text(p.routingKeyEnv()).orElse("PAGERDUTY_ROUTING_KEY"));
    }

    /** How long stored alerts are kept ({@code retention:}, 90 days unless set; at least a day). */
    private static Duration retention(Duration given, String source) {
        if (given == null) {
            return Catalogue.DEFAULT_RETENTION;
        }
        if (given.compareTo(Duration.ofDays(1)) < 0) {
            throw new ConfigException(source + ": retention: '" + DurationText.format(given)
                    + "' is too short: stored alerts are kept at least 1d (write e.g. 90d)");
        }
        return given;
    }

    /** Slack user ({@code U…}, {@code W…}) or user-group ({@code S…}) ids, each parsed once; empty when absent. */
    private static Optional<List<Principal>> principals(List<String> given, String place) {
        if (given == null) {
            return Optional.empty();
        }
        return Optional.of(texts(given).stream().map(id -> Principal.parse(id, place)).toList());
    }

    private List<Target> targets(ServiceSpec spec, String service) {
        if ((spec.target() != null) == (spec.targets() != null)) {
            throw new ConfigException(service + " needs exactly one of 'target:' (one thing to roll back) "
                    + "or 'targets:' (an ordered plan)");
        }
        if (spec.target() != null) {
            return List.of(target(spec.target(), service + ".target"));
        }
        if (spec.targets().isEmpty()) {
            throw new ConfigException(service + ".targets is empty");
        }
        List<Target> targets = new ArrayList<>();
        for (int i = 0; i < spec.targets().size(); i++) {
            targets.add(target(spec.targets().get(i), service + ".targets[" + i + "]"));
        }
        return targets;
    }

    /** The adapter's fields stay a map here: the registry binds them into the adapter's own spec at start-up. */
    private Target target(Map<String, Object> block, String place) {
        if (block == null) {
            throw new ConfigException(place + " must be a mapping (key: value)");
        }
        Object type = block.get("type");
        if (type instanceof Map || type instanceof List) {
            throw new ConfigException(place + ".type must be a single value");
        }
        Map<String, Object> spec = new LinkedHashMap<>(block);
        spec.remove("type");
        return new Target(required(type == null ? null : String.valueOf(type), place + ".type"), spec);
    }

    private ServiceConfig.Report report(ReportSpec report, String place) {
        if (report == null) {
            return ServiceConfig.Report.NONE;
        }
        Optional<String> repo = text(report.github());
        if (repo.isPresent() && !repo.get().matches("[\\w.-]+/[\\w.-]+")) {
            throw new ConfigException(place + ".github must be owner/repo, got '" + repo.get() + "'");
        }
        return new ServiceConfig.Report(repo, text(report.apiUrl()).orElse(ServiceConfig.Report.NONE.apiUrl()),
                text(report.tokenEnv()).orElse(ServiceConfig.Report.NONE.tokenEnv()));
    }

    private List<PolicyRule> policy(List<PolicyRuleSpec> specs, String place, Map<String, String> signals,
                                    Set<String> probes) {
        List<PolicyRule> rules = new ArrayList<>();
        if (specs == null) {
            return rules;
        }
        for (int i = 0; i < specs.size(); i++) {
            String rulePlace = place + "[" + i + "]";
            PolicyRuleSpec rule = specs.get(i);
            if (rule == null) {
                throw new ConfigException(rulePlace + " must be a mapping (key: value)");
            }
            WhenSpec when = rule.when() != null ? rule.when() : ALWAYS;
            Optional<String> signal = text(when.signal());
            if (signal.isPresent() && !signals.containsKey(signal.get())) {
                throw new ConfigException(rulePlace + ".when.signal: '" + signal.get() + "' is not one of this service's "
                        + "signals " + signals.keySet());
            }
            PolicyRule.Limits limits = new PolicyRule.Limits(Optional.ofNullable(when.above()).map(Fraction::value),
                    Optional.ofNullable(when.below()).map(Fraction::value),
                    Optional.ofNullable(when.aboveBaseline()).map(Factor::value),
                    Optional.ofNullable(when.belowBaseline()).map(Factor::value));
            if (signal.isPresent() != limits.any()) {
                throw new ConfigException(rulePlace + ".when needs 'signal' with at least one of above, below, aboveBaseline "
                        + "or belowBaseline, or none of them");
            }
            Optional<String> probe = text(when.probe());
            if (probe.isPresent() && !probes.contains(probe.get())) {
                throw new ConfigException(rulePlace + ".when.probe: no probe named '" + probe.get() + "' in the service's "
                        + "probes" + (probes.isEmpty() ? " (it declares none)" : " " + probes) + "; declare it under probes:");
            }
            if (when.failures() != null && (probe.isEmpty() || when.failures() < 1)) {
                throw new ConfigException(rulePlace + ".when.failures " + (probe.isEmpty() ? "needs a 'probe'"
                        : "must be at least 1, got " + when.failures()));
            }
            String actionText = text(rule.action()).orElse("notify");
            PolicyRule.Action action;
            try {
                action = PolicyRule.Action.valueOf(actionText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(rulePlace + ".action must be notify, propose or auto, got '" + actionText + "'");
            }
            rules.add(new PolicyRule(text(rule.name()).orElse("rule " + (i + 1)), signal, limits,
                    Optional.ofNullable(when.sustained()), probe, Optional.ofNullable(when.failures()).orElse(3),
                    Optional.ofNullable(when.minSinceDeploy()), Optional.ofNullable(when.maxSinceDeploy()),
                    textMap(when.labels(), rulePlace + ".when.labels"),
                    action, Optional.ofNullable(rule.countdown()).orElse(Duration.ofSeconds(60))));
        }
        return rules;
    }

    private static Optional<ServiceConfig.Guard> guard(CatalogueSpec.GuardSpec spec, String place, List<PolicyRule> policy) {
        if (spec == null) {
            return Optional.empty();
        }
        ServiceConfig.Guard d = ServiceConfig.Guard.DEFAULT;
        Duration window = first(spec.window(), null, d.window());
        Duration interval = first(spec.interval(), null, d.interval());
        if (interval.compareTo(Duration.ofSeconds(5)) < 0) {
            throw new ConfigException(place + ".interval must be at least 5s, got " + DurationText.format(interval));
        }
        if (window.compareTo(interval) < 0) {
            throw new ConfigException(place + ".window (" + DurationText.format(window) + ") must be at least one interval ("
                    + DurationText.format(interval) + ")");
        }
        if (policy.stream().noneMatch(PolicyRule::guardable)) {
            throw new ConfigException(place + ": the guard judges a new revision by the service's policy rules, and none "
                    + "of them reads a signal or a probe without alert labels; add one under policy:");
        }
        return Optional.of(new ServiceConfig.Guard(window, interval, first(spec.announce(), null, false)));
    }

    private static TierThresholds thresholds(ThresholdsSpec spec) {
        TierThresholds d = TierThresholds.DEFAULT;
        if (spec == null) {
            return d;
        }
        return new TierThresholds(
                fraction(spec.immediateErrorRate(), d.immediateErrorRate()),
                fraction(spec.fastErrorRate(), d.fastErrorRate()),
                first(spec.fastLatencyFactor(), null, d.fastLatencyFactor()),
                fraction(spec.plannedErrorRate(), d.plannedErrorRate()),
                first(spec.plannedLatencyFactor(), null, d.plannedLatencyFactor()));
    }

    private static ServiceConfig.Guardrails guardrails(ServiceSpec spec) {
        ServiceConfig.Guardrails d = ServiceConfig.Guardrails.DEFAULT;
        return new ServiceConfig.Guardrails(
                first(spec.cooldown(), null, d.cooldown()),
                first(spec.maxAttempts(), null, d.maxAttempts()),
                first(spec.attemptsWindow(), null, d.attemptsWindow()),
                first(spec.timeout(), null, d.executeTimeout()),
                first(spec.requestExpiry(), null, d.requestExpiry()));
    }

    private ServiceConfig.Verification verification(VerificationSpec spec, String place,
                                                           List<CatalogueSpec.ProbeSpec> serviceProbes, String service,
                                                           List<Target> targets) {
        ServiceConfig.Verification d = ServiceConfig.Verification.DEFAULT;
        Map<String, ServiceConfig.Probe> named = declaredProbes(serviceProbes, service);
        if (spec == null) {
            return new ServiceConfig.Verification(d.checks(), d.interval(), d.baselineRatio(), d.maxErrorRate(),
                    List.copyOf(named.values()), d.watch(), Optional.empty());
        }
        int checks = first(spec.checks(), null, d.checks());
        if (checks < 1) {
            throw new ConfigException(place + ".checks must be at least 1");
        }
        // Without probes: under verification, every probe the service declares is part of it.
        List<ServiceConfig.Probe> probes = new ArrayList<>(spec.probes() == null ? named.values() : List.of());
        List<Object> asked = spec.probes() == null ? List.of() : spec.probes();
        for (int i = 0; i < asked.size(); i++) {
            Object entry = asked.get(i);
            String at = place + ".probes[" + i + "]";
            if (entry instanceof String name) {
                ServiceConfig.Probe probe = named.get(name);
                if (probe == null) {
                    throw new ConfigException(at + ": no probe named '" + name + "' in " + service + ".probes"
                            + (named.isEmpty() ? " (it declares none)" : " (it declares " + String.join(", ", named.keySet()) + ")")
                            + "; declare it there, or write the probe here as {name, url, expect}");
                }
                probes.add(probe);
            } else if (entry instanceof Map<?, ?> block) {
                @SuppressWarnings("unchecked")
                Map<String, ?> fields = (Map<String, ?>) block;
                probes.add(probe(ConfigBinder.bind(fields, CatalogueSpec.ProbeSpec.class, at, warnings), at));
            } else {
                throw new ConfigException(at + ": write a probe's name or a {name, url, expect} block");
            }
        }
        return new ServiceConfig.Verification(checks, first(spec.interval(), null, d.interval()),
                first(spec.baselineRatio(), null, d.baselineRatio()), fraction(spec.maxErrorRate(), d.maxErrorRate()),
                probes, first(spec.watch(), null, d.watch()), smokeJob(spec.job(), place + ".job", targets));
    }

    private static Optional<ServiceConfig.SmokeJob> smokeJob(CatalogueSpec.SmokeJobSpec spec, String place, List<Target> targets) {
        if (spec == null) {
            return Optional.empty();
        }
        String image = required(spec.image(), place + ".image");
        List<String> command = spec.command() == null ? List.of() : spec.command();
        Optional<String> namespace = text(spec.namespace()).or(() -> targets.isEmpty() ? Optional.empty()
                : targets.get(0).optionalString("namespace"));
        if (namespace.isEmpty()) {
            throw new ConfigException(place + ".namespace is required: the service's target has no namespace to run the "
                    + "smoke-test Job in");
        }
        Duration timeout = first(spec.timeout(), null, Duration.ofMinutes(5));
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException(place + ".timeout must be at least 1s, got " + DurationText.format(timeout));
        }
        return Optional.of(new ServiceConfig.SmokeJob(image, command, spec.args() == null ? List.of() : spec.args(),
                namespace.get(), timeout));
    }

    /** The service's {@code probes:} by name, in the order written. */
    private static Map<String, ServiceConfig.Probe> declaredProbes(List<CatalogueSpec.ProbeSpec> serviceProbes, String service) {
        Map<String, ServiceConfig.Probe> named = new LinkedHashMap<>();
        List<CatalogueSpec.ProbeSpec> declared = serviceProbes == null ? List.of() : serviceProbes;
        for (int i = 0; i < declared.size(); i++) {
            ServiceConfig.Probe probe = probe(declared.get(i), service + ".probes[" + i + "]");
            if (named.put(probe.name(), probe) != null) {
                throw new ConfigException(service + ".probes[" + i + "]: a probe named '" + probe.name() + "' is declared twice");
            }
        }
        return named;
    }

    private static ServiceConfig.Probe probe(CatalogueSpec.ProbeSpec spec, String place) {
        String name = required(spec.name(), place + ".name");
        String url = required(spec.url(), place + ".url");
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new ConfigException(place + ".url: '" + url + "' must start with http:// or https://");
        }
        int expect = spec.expect() == null ? 200 : spec.expect();
        if (expect < 100 || expect > 599) {
            throw new ConfigException(place + ".expect: " + expect + " is not an HTTP status");
        }
        return new ServiceConfig.Probe(name, url, expect, spec.timeout() == null ? java.time.Duration.ofSeconds(2) : spec.timeout(),
                text(spec.bodyContains()));
    }

    /** The service's own value, else its environment's, else the default. */
    private static <T> T first(T own, T environment, T otherwise) {
        return own != null ? own : environment != null ? environment : otherwise;
    }

    private static double fraction(Fraction given, double otherwise) {
        return given != null ? given.value() : otherwise;
    }

    /** A blank value counts as absent, as people leave {@code oncall:} empty to mean "none". */
    private static Optional<String> text(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    private static String required(String value, String place) {
        return text(value).orElseThrow(() -> new ConfigException(place + " is required"));
    }

    private static List<String> texts(List<String> values) {
        return values == null ? List.of() : values.stream().filter(Objects::nonNull).map(String::trim).toList();
    }

    private static Map<String, String> textMap(Map<String, String> values, String place) {
        Map<String, String> texts = new LinkedHashMap<>();
        if (values != null) {
            values.forEach((key, value) -> texts.put(key, required(value, place + "." + key)));
        }
        return texts;
    }
}
