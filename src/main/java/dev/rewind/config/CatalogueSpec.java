package dev.rewind.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The shape of {@code rewind.yml}, key for key, as {@link ConfigBinder} binds it: every key Rewind
 * knows is a component here, and any other key is warned about with its place. A component is
 * {@code null} when the key is absent; {@link CatalogueParser} applies the defaults and the rules
 * that span keys, and turns these into the domain records ({@link ServiceConfig} and friends).
 *
 * <p>Adding a key: add the component to the record it belongs to (and to {@link EnvironmentSpec} if an
 * environment may set a default for it), then read it in {@link CatalogueParser}.
 */
record CatalogueSpec(
        List<ServiceSpec> services,
        Map<String, EnvironmentSpec> environments,
        AlertRoutingSpec alerts,
        Duration retention) {

    /** One entry of {@code services:}. */
    record ServiceSpec(
            String name,
            String channel,
            String environment,
            Map<String, Object> target,
            List<Map<String, Object>> targets,
            Map<String, String> signals,
            @OneOrMore List<String> requesters,
            @OneOrMore List<String> approvers,
            Integer approvals,
            Boolean selfApproval,
            Boolean breakGlass,
            Boolean autoRollback,
            String oncall,
            ThresholdsSpec thresholds,
            Duration cooldown,
            Integer maxAttempts,
            Duration attemptsWindow,
            Duration timeout,
            Duration requestExpiry,
            VerificationSpec verification,
            List<ProbeSpec> probes,
            ServiceAlertsSpec alerts,
            ReportSpec report,
            String incidentChannel,
            List<PolicyRuleSpec> policy,
            @OneOrMore List<String> viewers,
            Map<String, Duration> deadlines,
            EscalationSpec escalation,
            String announce,
            StatusWebhookSpec statusWebhook,
            GuardSpec guard,
            DrillsSpec drills) {
    }

    /** {@code drills:} (per environment or service): may rehearsals run, on what schedule, with what approvals. */
    record DrillsSpec(Boolean allowed, String schedule, Integer approvals, Duration recoveryTarget, Boolean destructive) {
    }

    /** {@code guard:}: watch each new revision for {@code window}, every {@code interval}; {@code announce} its clean end. */
    record GuardSpec(Duration window, Duration interval, Boolean announce) {
    }

    /** {@code statusWebhook:}: rollback start and end as signed JSON, for a status page. */
    record StatusWebhookSpec(String url, String secretEnv) {
    }

    /** {@code environments.<env>}: defaults for the services of that environment; a service's own value wins. */
    record EnvironmentSpec(
            Integer approvals,
            Boolean selfApproval,
            Boolean breakGlass,
            Boolean autoRollback,
            @OneOrMore List<String> viewers,
            Map<String, Duration> deadlines,
            EscalationSpec escalation,
            String announce,
            StatusWebhookSpec statusWebhook,
            DrillsSpec drills) {
    }

    /** {@code escalation:}: where a card undecided past its deadline is escalated besides the on-call mention. */
    record EscalationSpec(PagerDutySpec pagerduty) {
    }

    /** PagerDuty Events API v2: the integration's routing key is read from the environment variable named here. */
    record PagerDutySpec(String routingKeyEnv) {
    }

    /** The top-level {@code alerts:}: how alerts find their service. */
    record AlertRoutingSpec(
            String serviceLabel,
            String defaultChannel,
            @OneOrMore List<String> watchedChannels,
            Duration staleAfter,
            String severityLabel,
            Map<String, String> severityTiers) {
    }

    /** A service's {@code alerts:}: the labels an alert must carry to be this service's. */
    record ServiceAlertsSpec(Map<String, String> match) {
    }

    record ReportSpec(String github, String apiUrl, String tokenEnv) {
    }

    record ThresholdsSpec(
            Fraction immediateErrorRate,
            Fraction fastErrorRate,
            Double fastLatencyFactor,
            Fraction plannedErrorRate,
            Double plannedLatencyFactor) {
    }

    /** {@code probes:} entries are names from the service's {@code probes:} or whole {@link ProbeSpec} blocks. */
    record VerificationSpec(Integer checks, Duration interval, Double baselineRatio, Fraction maxErrorRate,
                            List<Object> probes, Duration watch, SmokeJobSpec job) {
    }

    /** {@code verification.job}: {@code {image, command, args, namespace [the target's], timeout [5m]}}. */
    record SmokeJobSpec(String image, @OneOrMore List<String> command, @OneOrMore List<String> args, String namespace,
                        Duration timeout) {
    }

    /** One HTTP probe: {@code {name, url, expect [200], timeout [2s], bodyContains}}. */
    record ProbeSpec(String name, String url, Integer expect, Duration timeout, String bodyContains) {
    }

    /** One entry of a service's {@code policy:}. */
    record PolicyRuleSpec(String name, WhenSpec when, String action, Duration countdown) {
    }

    record WhenSpec(
            String signal,
            Fraction above,
            Fraction below,
            Factor aboveBaseline,
            Factor belowBaseline,
            String probe,
            Integer failures,
            @JsonProperty("for") Duration sustained,
            Duration minSinceDeploy,
            Duration maxSinceDeploy,
            Map<String, String> labels) {
    }
}
