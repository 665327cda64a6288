package dev.rewind.config;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Reads {@code rewind.yml} into a {@link Catalogue}. Every problem is reported with its place
 * ({@code services[1] (payments).approvals}) so the file can be fixed without guessing. Keys it
 * does not know are reported as warnings, not errors, so newer files still load.
 */
public final class CatalogueParser {

    private static final ObjectMapper YAML = YAMLMapper.builder().build();
    private static final Set<String> SERVICE_KEYS = Set.of("name", "channel", "environment", "target", "targets",
            "signals", "approvers", "requesters", "approvals", "selfApproval", "breakGlass", "oncall", "thresholds",
            "cooldown", "maxAttempts", "attemptsWindow", "timeout", "verification", "alerts", "report", "policy",
            "incidentChannel", "autoRollback", "requestExpiry", "viewers");
    private static final Set<String> TOP_KEYS = Set.of("services", "environments", "alerts", "retention");
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
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JacksonException e) {
            throw new ConfigException(source + " is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            warnings.accept(source + " is empty: no services are configured");
            return Catalogue.empty();
        }
        Place top = new Place(source, root);
        top.requireObject();
        top.warnUnknown(TOP_KEYS);
        Map<String, Place> environments = new LinkedHashMap<>();
        Place envs = top.child("environments");
        if (envs.present()) {
            envs.requireObject();
            for (String env : envs.keys()) {
                environments.put(env, envs.child(env));
            }
        }
        Catalogue.AlertRouting alerts = alertRouting(top.child("alerts"));
        Place servicesNode = top.child("services");
        List<ServiceConfig> services = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        if (servicesNode.present()) {
            servicesNode.requireArray();
            for (int i = 0; i < servicesNode.size(); i++) {
                ServiceConfig service = service(servicesNode.element(i), environments);
                if (!seen.add(service.name().toLowerCase())) {
                    throw new ConfigException(servicesNode.element(i).path + ": service '" + service.name()
                            + "' is listed twice");
                }
                services.add(service);
            }
        } else {
            warnings.accept(source + " has no 'services:' list: no services are configured");
        }
        java.time.Duration retention = top.optionalDuration("retention").orElse(Catalogue.DEFAULT_RETENTION);
        if (retention.compareTo(java.time.Duration.ofDays(1)) < 0) {
            throw new ConfigException(source + ": retention: '" + top.optionalText("retention").orElse("")
                    + "' is too short: stored alerts are kept at least 1d (write e.g. 90d)");
        }
        return new Catalogue(services, alerts, retention);
    }

    private Catalogue.AlertRouting alertRouting(Place alerts) {
        if (!alerts.present()) {
            return Catalogue.AlertRouting.DEFAULT;
        }
        alerts.requireObject();
        alerts.warnUnknown(Set.of("serviceLabel", "defaultChannel", "watchedChannels", "staleAfter"));
        return new Catalogue.AlertRouting(
                alerts.optionalText("serviceLabel").orElse("service"),
                alerts.optionalText("defaultChannel"),
                alerts.textList("watchedChannels"),
                alerts.optionalDuration("staleAfter").orElse(Catalogue.AlertRouting.DEFAULT_STALE_AFTER));
    }

    private ServiceConfig service(Place node, Map<String, Place> environments) {
        node.requireObject();
        String name = node.text("name");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new ConfigException(node.path + ".name: '" + name
                    + "' must be letters, digits, '.', '_' or '-' (it is what people type after /rollback)");
        }
        Place service = node.named(name);
        service.warnUnknown(SERVICE_KEYS);
        String environment = service.optionalText("environment").orElse("production");
        List<Target> targets = targets(service);
        boolean destructive = targets.stream().anyMatch(t -> destructiveType.test(t.type()));
        Place envRules = environments.getOrDefault(environment, new Place("environments." + environment, null));
        int approvals = service.optionalInt("approvals").or(() -> envRules.optionalInt("approvals")).orElse(destructive ? 2 : 1);
        ApprovalRules approval = new ApprovalRules(
                service.textList("requesters"),
                service.textList("approvers"),
                approvals,
                service.optionalBoolean("selfApproval").or(() -> envRules.optionalBoolean("selfApproval")).orElse(true),
                service.optionalBoolean("breakGlass").or(() -> envRules.optionalBoolean("breakGlass")).orElse(false),
                // A policy approves alone, so where two people must approve it may only propose unless told otherwise.
                service.optionalBoolean("autoRollback").or(() -> envRules.optionalBoolean("autoRollback"))
                        .orElse(approvals == 1),
                viewers(service).or(() -> viewers(envRules)).orElse(List.of()));
        if (approval.approvals() < 1) {
            throw new ConfigException(service.path + ".approvals must be at least 1");
        }
        if (approval.approvers().isEmpty()) {
            warnings.accept(service.path + " lists no 'approvers': nobody can approve a rollback of " + name);
        } else if (approval.approvers().size() < approval.approvals() && approval.approvers().stream()
                .noneMatch(id -> id.startsWith("S"))) {
            warnings.accept(service.path + " needs " + approval.approvals() + " approvals but lists only "
                    + approval.approvers().size() + " approver(s)");
        }
        Map<String, String> signals = new LinkedHashMap<>();
        Place signalNode = service.child("signals");
        if (signalNode.present()) {
            signalNode.requireObject();
            for (String key : signalNode.keys()) {
                signals.put(key, signalNode.text(key));
            }
        }
        ServiceConfig.Report reportRules = ServiceConfig.Report.NONE;
        Place report = service.child("report");
        if (report.present()) {
            report.requireObject();
            report.warnUnknown(Set.of("github", "apiUrl", "tokenEnv"));
            Optional<String> repo = report.optionalText("github");
            repo.ifPresent(r -> {
                if (!r.matches("[\\w.-]+/[\\w.-]+")) {
                    throw new ConfigException(report.path + ".github must be owner/repo, got '" + r + "'");
                }
            });
            reportRules = new ServiceConfig.Report(repo, report.optionalText("apiUrl").orElse(ServiceConfig.Report.NONE.apiUrl()),
                    report.optionalText("tokenEnv").orElse(ServiceConfig.Report.NONE.tokenEnv()));
        }
        IncidentPolicy incidentPolicy;
        try {
            incidentPolicy = service.optionalText("incidentChannel").map(IncidentPolicy::parse).orElse(IncidentPolicy.ON_APPROVAL);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(service.path + ".incidentChannel: " + e.getMessage());
        }
        Map<String, String> alertMatch = new LinkedHashMap<>();
        Place alerts = service.child("alerts");
        if (alerts.present()) {
            Place match = alerts.child("match");
            if (match.present()) {
                match.requireObject();
                for (String key : match.keys()) {
                    alertMatch.put(key, match.text(key));
                }
            }
        }
        return new ServiceConfig(name, service.text("channel"), environment, targets, signals, approval,
                service.optionalText("oncall"), thresholds(service.child("thresholds")), guardrails(service),
                verification(service.child("verification")), alertMatch, reportRules, incidentPolicy,
                policy(service.child("policy"), signals));
    }

    /** {@code viewers:} as Slack user ({@code U…}, {@code W…}) or user-group ({@code S…}) ids; empty when absent. */
    private static Optional<List<String>> viewers(Place node) {
        if (!node.present() || !node.child("viewers").present()) {
            return Optional.empty();
        }
        List<String> ids = node.textList("viewers");
        for (String id : ids) {
            if (!id.matches("[UWS][A-Z0-9]{2,}")) {
                throw new ConfigException(node.path + ".viewers: '" + id + "' is not a Slack user id (U…) or "
                        + "user-group id (S…); names like @sre-oncall change, ids do not");
            }
        }
        return Optional.of(ids);
    }

    private List<Target> targets(Place service) {
        Place single = service.child("target");
        Place plan = service.child("targets");
        if (single.present() == plan.present()) {
            throw new ConfigException(service.path + " needs exactly one of 'target:' (one thing to roll back) "
                    + "or 'targets:' (an ordered plan)");
        }
        List<Target> targets = new ArrayList<>();
        if (single.present()) {
            targets.add(target(single));
        } else {
            plan.requireArray();
            if (plan.size() == 0) {
                throw new ConfigException(plan.path + " is empty");
            }
            for (int i = 0; i < plan.size(); i++) {
                targets.add(target(plan.element(i)));
            }
        }
        return targets;
    }

    @SuppressWarnings("unchecked")
    private Target target(Place node) {
        node.requireObject();
        String type = node.text("type");
        Map<String, Object> spec = YAML.convertValue(node.node, LinkedHashMap.class);
        spec.remove("type");
        return new Target(type, spec);
    }

    private List<PolicyRule> policy(Place node, Map<String, String> signals) {
        List<PolicyRule> rules = new ArrayList<>();
        if (!node.present()) {
            return rules;
        }
        node.requireArray();
        for (int i = 0; i < node.size(); i++) {
            Place rule = node.element(i);
            rule.requireObject();
            rule.warnUnknown(Set.of("name", "when", "action", "countdown"));
            Place when = rule.child("when");
            Optional<String> signal = Optional.empty();
            Optional<Double> above = Optional.empty();
            Optional<java.time.Duration> sustained = Optional.empty();
            Optional<java.time.Duration> minSince = Optional.empty();
            Optional<java.time.Duration> maxSince = Optional.empty();
            Map<String, String> labels = new LinkedHashMap<>();
            if (when.present()) {
                when.requireObject();
                when.warnUnknown(Set.of("signal", "above", "for", "minSinceDeploy", "maxSinceDeploy", "labels"));
                signal = when.optionalText("signal");
                if (signal.isPresent() && !signals.containsKey(signal.get())) {
                    throw new ConfigException(when.path + ".signal: '" + signal.get() + "' is not one of this service's "
                            + "signals " + signals.keySet());
                }
                above = when.optionalFraction("above");
                if (signal.isPresent() != above.isPresent()) {
                    throw new ConfigException(when.path + " needs both 'signal' and 'above', or neither");
                }
                sustained = when.optionalDuration("for");
                minSince = when.optionalDuration("minSinceDeploy");
                maxSince = when.optionalDuration("maxSinceDeploy");
                Place labelNode = when.child("labels");
                if (labelNode.present()) {
                    labelNode.requireObject();
                    for (String key : labelNode.keys()) {
                        labels.put(key, labelNode.text(key));
                    }
                }
            }
            String actionText = rule.optionalText("action").orElse("notify");
            PolicyRule.Action action;
            try {
                action = PolicyRule.Action.valueOf(actionText.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(rule.path + ".action must be notify, propose or auto, got '" + actionText + "'");
            }
            rules.add(new PolicyRule(rule.optionalText("name").orElse("rule " + (i + 1)), signal, above, sustained,
                    minSince, maxSince, labels, action, rule.optionalDuration("countdown").orElse(java.time.Duration.ofSeconds(60))));
        }
        return rules;
    }

    private TierThresholds thresholds(Place node) {
        if (!node.present()) {
            return TierThresholds.DEFAULT;
        }
        node.requireObject();
        node.warnUnknown(Set.of("immediateErrorRate", "fastErrorRate", "fastLatencyFactor", "plannedErrorRate",
                "plannedLatencyFactor"));
        TierThresholds d = TierThresholds.DEFAULT;
        return new TierThresholds(
                node.optionalFraction("immediateErrorRate").orElse(d.immediateErrorRate()),
                node.optionalFraction("fastErrorRate").orElse(d.fastErrorRate()),
                node.optionalNumber("fastLatencyFactor").orElse(d.fastLatencyFactor()),
                node.optionalFraction("plannedErrorRate").orElse(d.plannedErrorRate()),
                node.optionalNumber("plannedLatencyFactor").orElse(d.plannedLatencyFactor()));
    }

    private ServiceConfig.Guardrails guardrails(Place service) {
        ServiceConfig.Guardrails d = ServiceConfig.Guardrails.DEFAULT;
        return new ServiceConfig.Guardrails(
                service.optionalDuration("cooldown").orElse(d.cooldown()),
                service.optionalInt("maxAttempts").orElse(d.maxAttempts()),
                service.optionalDuration("attemptsWindow").orElse(d.attemptsWindow()),
                service.optionalDuration("timeout").orElse(d.executeTimeout()),
                service.optionalDuration("requestExpiry").orElse(d.requestExpiry()));
    }

    private ServiceConfig.Verification verification(Place node) {
        ServiceConfig.Verification d = ServiceConfig.Verification.DEFAULT;
        if (!node.present()) {
            return d;
        }
        node.requireObject();
        node.warnUnknown(Set.of("checks", "interval", "baselineRatio"));
        int checks = node.optionalInt("checks").orElse(d.checks());
        if (checks < 1) {
            throw new ConfigException(node.path + ".checks must be at least 1");
        }
        return new ServiceConfig.Verification(checks, node.optionalDuration("interval").orElse(d.interval()),
                node.optionalNumber("baselineRatio").orElse(d.baselineRatio()));
    }

    /** A node and where it is in the file, for messages. */
    private final class Place {
        final String path;
        final JsonNode node;

        Place(String path, JsonNode node) {
            this.path = path;
            this.node = node;
        }

        boolean present() {
            return node != null && !node.isMissingNode() && !node.isNull();
        }

        Place child(String key) {
            return new Place(path + "." + key, present() ? node.get(key) : null);
        }

        Place element(int index) {
            return new Place(path + "[" + index + "]", node.get(index));
        }

        Place named(String name) {
            return new Place(path + " (" + name + ")", node);
        }

        int size() {
            return node.size();
        }

        List<String> keys() {
            return new ArrayList<>(node.propertyNames());
        }

        void requireObject() {
            if (!node.isObject()) {
                throw new ConfigException(path + " must be a mapping (key: value)");
            }
        }

        void requireArray() {
            if (!node.isArray()) {
                throw new ConfigException(path + " must be a list");
            }
        }

        void warnUnknown(Set<String> known) {
            for (String key : keys()) {
                if (!known.contains(key)) {
                    warnings.accept(path + "." + key + " is not a setting Rewind knows; it is ignored");
                }
            }
        }

        String text(String key) {
            return optionalText(key).orElseThrow(() -> new ConfigException(path + "." + key + " is required"));
        }

        Optional<String> optionalText(String key) {
            Place child = child(key);
            if (!child.present()) {
                return Optional.empty();
            }
            if (!child.node.isValueNode()) {
                throw new ConfigException(child.path + " must be a single value");
            }
            String text = child.node.asString().trim();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        }

        List<String> textList(String key) {
            Place child = child(key);
            if (!child.present()) {
                return List.of();
            }
            if (child.node.isValueNode()) {
                return List.of(child.node.asString().trim());
            }
            child.requireArray();
            List<String> values = new ArrayList<>();
            for (JsonNode element : child.node) {
                values.add(element.asString().trim());
            }
            return values;
        }

        Optional<Integer> optionalInt(String key) {
            return optionalText(key).map(text -> {
                try {
                    return Integer.parseInt(text);
                } catch (NumberFormatException e) {
                    throw new ConfigException(path + "." + key + " must be a whole number, got '" + text + "'");
                }
            });
        }

        Optional<Double> optionalNumber(String key) {
            return optionalText(key).map(text -> {
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new ConfigException(path + "." + key + " must be a number, got '" + text + "'");
                }
            });
        }

        /** A fraction, written as {@code 0.05} or {@code 5%}. */
        Optional<Double> optionalFraction(String key) {
            return optionalText(key).map(text -> {
                try {
                    return text.endsWith("%") ? Double.parseDouble(text.substring(0, text.length() - 1)) / 100
                            : Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new ConfigException(path + "." + key + " must be a fraction like 0.05 or 5%, got '" + text + "'");
                }
            });
        }

        Optional<Boolean> optionalBoolean(String key) {
            return optionalText(key).map(text -> {
                if (!text.equals("true") && !text.equals("false")) {
                    throw new ConfigException(path + "." + key + " must be true or false, got '" + text + "'");
                }
                return Boolean.parseBoolean(text);
            });
        }

        Optional<Duration> optionalDuration(String key) {
            return optionalText(key).map(text -> {
                try {
                    return DurationText.parse(text);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(path + "." + key + ": " + e.getMessage());
                }
            });
        }
    }
}
