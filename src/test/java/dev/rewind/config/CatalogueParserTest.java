package dev.rewind.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CatalogueParserTest {

    private final List<String> warnings = new ArrayList<>();
    private final CatalogueParser parser = new CatalogueParser(warnings::add, "database-migration"::equals);

    @Test
    void readsTheContractShapeWithDefaults() {
        Catalogue catalogue = parser.parse("""
                services:
                  - name: checkout
                    channel: C0CHECKOUT
                    environment: production
                    target:
                      type: kubernetes-deployment
                      namespace: shop
                      deployment: checkout
                    signals:
                      errorRate: 'sum(rate(x[1m]))'
                      latencyP99: 'histogram_quantile(0.99, y)'
                    approvers: [S0SRE, U0ALICE]
                    approvals: 1
                    selfApproval: true
                """, "rewind.yml");
        ServiceConfig checkout = catalogue.find("checkout").orElseThrow();
        assertThat(checkout.primaryTarget().type()).isEqualTo("kubernetes-deployment");
        assertThat(checkout.primaryTarget().string("namespace")).isEqualTo("shop");
        assertThat(checkout.signals()).containsKeys("errorRate", "latencyP99");
        assertThat(Principal.ids(checkout.approval().approvers())).containsExactly("S0SRE", "U0ALICE");
        assertThat(checkout.guardrails().cooldown()).isEqualTo(Duration.ofMinutes(5));
        assertThat(checkout.guardrails().maxAttempts()).isEqualTo(3);
        assertThat(checkout.thresholds()).isEqualTo(TierThresholds.DEFAULT);
        assertThat(warnings).isEmpty();
    }

    @Test
    void aDatabaseMigrationStepNeedsTwoApprovalsUnlessSaidOtherwise() {
        Catalogue catalogue = parser.parse("""
                services:
                  - name: payments
                    channel: C1
                    targets:
                      - {type: kubernetes-deployment, namespace: shop, deployment: payments}
                      - {type: database-migration, namespace: shop, backup: {image: b}, rollback: {image: r}}
                    approvers: [U1, U2]
                  - name: ledger
                    channel: C2
                    target: {type: database-migration, namespace: shop}
                    approvers: [U1]
                    approvals: 1
                """, "rewind.yml");
        assertThat(catalogue.find("payments").orElseThrow().approval().approvals()).isEqualTo(2);
        assertThat(catalogue.find("payments").orElseThrow().isPlan()).isTrue();
        assertThat(catalogue.find("ledger").orElseThrow().approval().approvals()).isEqualTo(1);
    }

    @Test
    void environmentRulesApplyUnlessTheServiceSaysOtherwise() {
        Catalogue catalogue = parser.parse("""
                environments:
                  production: {approvals: 2, selfApproval: false, breakGlass: true}
                services:
                  - {name: a, channel: C1, environment: production, target: {type: t}, approvers: [S1]}
                  - {name: b, channel: C1, environment: production, target: {type: t}, approvers: [S1], approvals: 1}
                  - {name: c, channel: C1, environment: staging, target: {type: t}, approvers: [S1]}
                """, "rewind.yml");
        assertThat(catalogue.find("a").orElseThrow().approval()).isEqualTo(new ApprovalRules(List.of(), List.of(new Principal.Group("S1")), 2, false, true, false));
        assertThat(catalogue.find("b").orElseThrow().approval().approvals()).isEqualTo(1);
        assertThat(catalogue.find("c").orElseThrow().approval()).isEqualTo(new ApprovalRules(List.of(), List.of(new Principal.Group("S1")), 1, true, false, true));
    }

    @Test
    void approversAndRequestersMustBeSlackIdsTooAndGroupsAreKnownAsGroups() {
        assertThatThrownBy(() -> parser.parse("services:\n  - {name: a, channel: C, target: {type: t}, approvers: [alice]}\n",
                "rewind.yml")).hasMessageContaining("services[0] (a).approvers: 'alice' is not a Slack user id");
        assertThatThrownBy(() -> parser.parse("services:\n  - {name: a, channel: C, target: {type: t}, approvers: [U1], "
                + "requesters: ['@devs']}\n", "rewind.yml")).hasMessageContaining("services[0] (a).requesters: '@devs'");
        ApprovalRules rules = parser.parse("services:\n  - {name: a, channel: C, target: {type: t}, approvers: [S0SRE, U0ALICE]}\n",
                "rewind.yml").find("a").orElseThrow().approval();
        assertThat(rules.approvers()).containsExactly(new Principal.Group("S0SRE"), new Principal.Person("U0ALICE"));
    }

    @Test
    void viewersComeFromTheServiceOrElseItsEnvironment() {
        Catalogue catalogue = parser.parse("""
                environments:
                  production: {viewers: [S0ENG]}
                services:
                  - {name: a, channel: C1, environment: production, target: {type: t}, approvers: [S1]}
                  - {name: b, channel: C1, environment: production, target: {type: t}, approvers: [S1], viewers: [U0SUPPORT, S0QA]}
                  - {name: c, channel: C1, environment: staging, target: {type: t}, approvers: [S1]}
                """, "rewind.yml");
        assertThat(Principal.ids(catalogue.find("a").orElseThrow().approval().viewers())).containsExactly("S0ENG");
        assertThat(Principal.ids(catalogue.find("b").orElseThrow().approval().viewers())).containsExactly("U0SUPPORT", "S0QA");
        assertThat(catalogue.find("c").orElseThrow().approval().viewers()).isEmpty();
        assertThat(warnings).noneMatch(w -> w.contains("viewers"));
    }

    @Test
    void aViewerThatIsNotASlackIdIsRefusedWithItsPlace() {
        assertThatThrownBy(() -> parser.parse("services:\n  - {name: a, channel: C, target: {type: t}, viewers: ['@sre']}\n",
                "rewind.yml")).hasMessageContaining("services[0] (a).viewers: '@sre' is not a Slack user id");
        assertThatThrownBy(() -> parser.parse("environments:\n  production: {viewers: [sre]}\nservices:\n"
                + "  - {name: a, channel: C, target: {type: t}}\n", "rewind.yml"))
                .hasMessageContaining("environments.production.viewers: 'sre'");
    }

    @Test
    void problemsNameTheirPlace() {
        assertThatThrownBy(() -> parser.parse("services:\n  - name: checkout\n    target: {type: t}\n", "rewind.yml"))
                .hasMessage("rewind.yml.services[0] (checkout).channel is required");
        assertThatThrownBy(() -> parser.parse("services:\n  - {name: a, channel: C, target: {type: t}, approvals: two}\n", "rewind.yml"))
                .hasMessage("rewind.yml.services[0] (a).approvals must be a whole number, got 'two'");
        assertThatThrownBy(() -> parser.parse("services:\n  - {name: a, channel: C}\n", "rewind.yml"))
                .hasMessageContaining("needs exactly one of 'target:'");
        assertThatThrownBy(() -> parser.parse("services:\n  - {name: a, channel: C, target: {type: t}}\n  - {name: A, channel: C, target: {type: t}}\n", "rewind.yml"))
                .hasMessageContaining("listed twice");
        assertThatThrownBy(() -> parser.parse("services: [\n", "rewind.yml")).hasMessageContaining("is not valid YAML");
        assertThatThrownBy(() -> parser.parse("services:\n  - {name: a, channel: C, target: {type: t}, cooldown: soon}\n", "rewind.yml"))
                .hasMessageContaining("cooldown: 'soon' is not a duration");
    }

    @Test
    void unknownKeysAndMissingApproversAreWarnings() {
        parser.parse("services:\n  - {name: a, channel: C, target: {type: t}, aprovers: [U1]}\n", "rewind.yml");
        assertThat(warnings).anyMatch(w -> w.contains("aprovers is not a setting Rewind knows"))
                .anyMatch(w -> w.contains("lists no 'approvers'"));
    }

    @Test
    void unknownKeysAnywhereAreWarnedAboutWithTheirPlace() {
        Catalogue catalogue = parser.parse("""
                enviroment: production
                environments:
                  production: {approvals: 1, aprovals: 2}
                alerts: {serviceLabel: app, staleAfer: 1h}
                services:
                  - name: checkout
                    channel: C1
                    target: {type: t}
                    approvers: [U1]
                    alerts:
                      mach: {alertname: HighErrorRate}
                      match: {severity: page}
                    thresholds: {fastErrorRate: 20%, slowErrorRate: 1%}
                    verification: {checks: 2, intervall: 10s}
                    report: {github: acme/incidents, labels: [rollback]}
                    policy:
                      - name: spike
                        when: {labels: {team: shop}, since: 1h}
                        action: propose
                        countown: 30s
                """, "rewind.yml");
        assertThat(warnings).containsExactly(
                "rewind.yml.enviroment is not a setting Rewind knows; it is ignored",
                "rewind.yml.environments.production.aprovals is not a setting Rewind knows; it is ignored",
                "rewind.yml.alerts.staleAfer is not a setting Rewind knows; it is ignored",
                "rewind.yml.services[0] (checkout).alerts.mach is not a setting Rewind knows; it is ignored",
                "rewind.yml.services[0] (checkout).thresholds.slowErrorRate is not a setting Rewind knows; it is ignored",
                "rewind.yml.services[0] (checkout).verification.intervall is not a setting Rewind knows; it is ignored",
                "rewind.yml.services[0] (checkout).report.labels is not a setting Rewind knows; it is ignored",
                "rewind.yml.services[0] (checkout).policy[0].when.since is not a setting Rewind knows; it is ignored",
                "rewind.yml.services[0] (checkout).policy[0].countown is not a setting Rewind knows; it is ignored");
        ServiceConfig checkout = catalogue.find("checkout").orElseThrow();
        assertThat(checkout.alertMatch()).containsExactly(java.util.Map.entry("severity", "page"));
        assertThat(checkout.thresholds().fastErrorRate()).isEqualTo(0.20);
        assertThat(checkout.verification().checks()).isEqualTo(2);
        assertThat(checkout.policy().get(0).action()).isEqualTo(PolicyRule.Action.PROPOSE);
        assertThat(catalogue.alerts().serviceLabel()).isEqualTo("app");
    }

    @Test
    void aGuardReadsTheServicesRulesWithBaselineFactorsAndProbeFailures() {
        Catalogue catalogue = parser.parse(String.join("\n",
                "services:",
                "  - name: checkout",
                "    channel: C1",
                "    target: {type: t}",
                "    approvers: [U1]",
                "    signals: {errorRate: 'errors', conversion: 'conv'}",
                "    probes: [{name: login, url: 'http://checkout.shop/login'}]",
                "    guard: {window: 20m, interval: 15s}",
                "    policy:",
                "      - {name: a, when: {signal: errorRate, aboveBaseline: 3x, above: 2%, for: 1m}, action: auto, countdown: 30s}",
                "      - {name: b, when: {probe: login, failures: 2}, action: auto}",
                "      - {name: c, when: {signal: conversion, belowBaseline: 0.8x}, action: propose}",
                "      - {name: d, when: {signal: errorRate, above: 5%, labels: {severity: page}}}",
                ""), "rewind.yml");
        ServiceConfig checkout = catalogue.find("checkout").orElseThrow();
        assertThat(checkout.guard()).contains(new ServiceConfig.Guard(java.time.Duration.ofMinutes(20),
                java.time.Duration.ofSeconds(15), false));
        List<PolicyRule> rules = checkout.policy();
        assertThat(rules.get(0).limits()).isEqualTo(new PolicyRule.Limits(java.util.Optional.of(0.02), java.util.Optional.empty(),
                java.util.Optional.of(3.0), java.util.Optional.empty()));
        assertThat(rules.get(0).sustained()).contains(java.time.Duration.ofMinutes(1));
        assertThat(rules.get(1).probe()).contains("login");
        assertThat(rules.get(1).failures()).isEqualTo(2);
        assertThat(rules.get(2).limits().belowBaseline()).contains(0.8);
        assertThat(rules.get(2).limits().floor()).isTrue();
        assertThat(rules).extracting(PolicyRule::guardable).containsExactly(true, true, true, false);
        assertThat(checkout.probes()).containsOnlyKeys("login");
    }

    @Test
    void drillsAreOffInProductionOnOutsideItAndAScheduleMustBeCron() {
        Catalogue catalogue = parser.parse(String.join("\n",
                "environments:",
                "  staging: {drills: {schedule: '0 10 * * TUE', approvals: 0}}",
                "services:",
                "  - {name: prod, channel: C1, target: {type: t}, approvers: [U1]}",
                "  - {name: stage, channel: C1, environment: staging, target: {type: t}, approvers: [U1]}",
                "  - {name: drilled, channel: C1, target: {type: t}, approvers: [U1], drills: {allowed: true, recoveryTarget: 4m}}",
                ""), "rewind.yml");
        assertThat(catalogue.find("prod").orElseThrow().drills().allowed()).isFalse();
        ServiceConfig.Drills stage = catalogue.find("stage").orElseThrow().drills();
        assertThat(stage.allowed()).isTrue();
        assertThat(stage.schedule()).contains("0 10 * * TUE");
        assertThat(stage.needsApproval()).isFalse();
        ServiceConfig.Drills drilled = catalogue.find("drilled").orElseThrow().drills();
        assertThat(drilled.allowed()).isTrue();
        assertThat(drilled.needsApproval()).isTrue();
        assertThat(drilled.recoveryTarget()).isEqualTo(Duration.ofMinutes(4));
        assertThatThrownBy(() -> parser.parse("services:\n  - {name: a, channel: C, target: {type: t}, approvers: [U1], "
                + "drills: {schedule: 'every tuesday'}}\n", "rewind.yml"))
                .hasMessageStartingWith("rewind.yml.services[0] (a).drills.schedule: 'every tuesday' is not a cron expression "
                        + "(5 fields, UTC, e.g. \"0 10 * * TUE\")");
    }

    @Test
    void aServiceWithoutANameIsPlacedByItsIndex() {
        assertThatThrownBy(() -> parser.parse("services:\n  - {name: a, channel: C, target: {type: t}, approvers: [U1]}\n"
                + "  - {channel: C, target: {type: t}, typo: 1}\n", "rewind.yml"))
                .hasMessage("rewind.yml.services[1].name is required");
        assertThat(warnings).contains("rewind.yml.services[1].typo is not a setting Rewind knows; it is ignored");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', textBlock = """
            approvals: two                          | rewind.yml.services[0] (a).approvals must be a whole number, got 'two'
            approvals: 1.5                          | rewind.yml.services[0] (a).approvals must be a whole number, got '1.5'
            approvals: 0                            | rewind.yml.services[0] (a).approvals must be at least 1
            selfApproval: maybe                     | rewind.yml.services[0] (a).selfApproval must be true or false, got 'maybe'
            cooldown: soon                          | rewind.yml.services[0] (a).cooldown: 'soon' is not a duration (write e.g. 90s, 5m, 1h)
            maxAttempts: {a: 1}                     | rewind.yml.services[0] (a).maxAttempts must be a single value
            channel: [C1, C2]                       | rewind.yml.services[0] (a).channel must be a single value
            approvers: {a: U1}                      | rewind.yml.services[0] (a).approvers must be a list
            thresholds: high                        | rewind.yml.services[0] (a).thresholds must be a mapping (key: value)
            thresholds: {fastErrorRate: lots}       | rewind.yml.services[0] (a).thresholds.fastErrorRate must be a fraction like 0.05 or 5%, got 'lots'
            thresholds: {fastLatencyFactor: 3x}     | rewind.yml.services[0] (a).thresholds.fastLatencyFactor must be a number, got '3x'
            verification: {checks: 0}               | rewind.yml.services[0] (a).verification.checks must be at least 1
            verification: {interval: often}         | rewind.yml.services[0] (a).verification.interval: 'often' is not a duration (write e.g. 90s, 5m, 1h)
            incidentChannel: sometimes              | rewind.yml.services[0] (a).incidentChannel: 'sometimes' is not one of onApproval, onRequest, never
            report: {github: incidents}             | rewind.yml.services[0] (a).report.github must be owner/repo, got 'incidents'
            signals: {errorRate: }                  | rewind.yml.services[0] (a).signals.errorRate is required
            alerts: {match: {team: {a: b}}}         | rewind.yml.services[0] (a).alerts.match.team must be a single value
            policy: [{action: panic}]               | rewind.yml.services[0] (a).policy[0].action must be notify, propose or auto, got 'panic'
            policy: [{when: {signal: nope, above: 1}}] | rewind.yml.services[0] (a).policy[0].when.signal: 'nope' is not one of this service's signals []
            policy: [{when: {above: 5%}}]           | rewind.yml.services[0] (a).policy[0].when needs 'signal' with at least one of above, below, aboveBaseline or belowBaseline, or none of them
            policy: [{when: {aboveBaseline: 3x}}]   | rewind.yml.services[0] (a).policy[0].when needs 'signal' with at least one of above, below, aboveBaseline or belowBaseline, or none of them
            policy: [{when: {aboveBaseline: lots}}] | rewind.yml.services[0] (a).policy[0].when.aboveBaseline must be a positive multiple like 3x or 0.8x, got 'lots'
            policy: [{when: {belowBaseline: -1x}}]  | rewind.yml.services[0] (a).policy[0].when.belowBaseline must be a positive multiple like 3x or 0.8x, got '-1x'
            policy: [{when: {probe: login}}]        | rewind.yml.services[0] (a).policy[0].when.probe: no probe named 'login' in the service's probes (it declares none); declare it under probes:
            policy: [{when: {failures: 3}}]         | rewind.yml.services[0] (a).policy[0].when.failures needs a 'probe'
            guard: {window: 30m}                    | rewind.yml.services[0] (a).guard: the guard judges a new revision by the service's policy rules, and none of them reads a signal or a probe without alert labels; add one under policy:
            guard: {interval: 1s}                   | rewind.yml.services[0] (a).guard.interval must be at least 5s, got 1s
            guard: {window: 1s, interval: 5s}       | rewind.yml.services[0] (a).guard.window (1s) must be at least one interval (5s)
            verification: {job: {command: [x]}}     | rewind.yml.services[0] (a).verification.job.image is required
            verification: {job: {image: i}}         | rewind.yml.services[0] (a).verification.job.namespace is required: the service's target has no namespace to run the smoke-test Job in
            verification: {job: {image: i, namespace: n, timeout: 0s}} | rewind.yml.services[0] (a).verification.job.timeout must be at least 1s, got 0ms
            drills: {approvals: 0}                  | rewind.yml.services[0] (a).drills.approvals: 0 is not allowed in production: a production drill is a real rollback and needs the service's approvers
            drills: {approvals: -1}                 | rewind.yml.services[0] (a).drills.approvals must be 0 (the drill approves itself) or more, got -1
            guard: {window: soon}                   | rewind.yml.services[0] (a).guard.window: 'soon' is not a duration (write e.g. 90s, 5m, 1h)
            policy: [{when: {for: 2 minutes}}]      | rewind.yml.services[0] (a).policy[0].when.for: '2 minutes' is not a duration (write e.g. 90s, 5m, 1h)
            targets: []                             | rewind.yml.services[0] (a).targets is empty
            """)
    void aBadValueIsNamedByItsPlaceWithTheFix(String setting, String message) {
        String yaml = "services:\n  - {name: a, channel: C, approvers: [U1]"
                + (setting.startsWith("targets") ? "" : ", target: {type: t}") + ", " + setting + "}\n";
        assertThatThrownBy(() -> parser.parse(yaml, "rewind.yml")).isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @Test
    void problemsOutsideServicesNameTheirPlaceToo() {
        assertThatThrownBy(() -> parser.parse("environments: {production: {approvals: two}}\nservices: []\n", "rewind.yml"))
                .hasMessage("rewind.yml.environments.production.approvals must be a whole number, got 'two'");
        assertThatThrownBy(() -> parser.parse("alerts: {staleAfter: forever}\n", "rewind.yml"))
                .hasMessage("rewind.yml.alerts.staleAfter: 'forever' is not a duration (write e.g. 90s, 5m, 1h)");
        assertThatThrownBy(() -> parser.parse("services: {name: a}\n", "rewind.yml"))
                .hasMessage("rewind.yml.services must be a list");
        assertThatThrownBy(() -> parser.parse("just text\n", "rewind.yml"))
                .hasMessage("rewind.yml must be a mapping (key: value)");
        assertThatThrownBy(() -> parser.parse("services:\n  - {name: a, channel: C, targets: [{type: t}, {namespace: x}]}\n", "rewind.yml"))
                .hasMessage("rewind.yml.services[0] (a).targets[1].type is required");
        assertThatThrownBy(() -> parser.parse("services:\n  - {name: 'a b', channel: C, target: {type: t}}\n", "rewind.yml"))
                .hasMessageStartingWith("rewind.yml.services[0].name: 'a b' must be letters");
    }

    @Test
    void closestNamesPreferPrefixesThenEditDistance() {
        Catalogue catalogue = parser.parse("""
                services:
                  - {name: checkout, channel: C, target: {type: t}, approvers: [U1]}
                  - {name: cart, channel: C, target: {type: t}, approvers: [U1]}
                  - {name: search, channel: C, target: {type: t}, approvers: [U1]}
                """, "rewind.yml");
        assertThat(catalogue.closest("chekout", 2)).containsExactly("checkout", "cart");
        assertThat(catalogue.closest("sea", 1)).containsExactly("search");
    }

    @Test
    void durationsReadAsPeopleWriteThem() {
        assertThat(DurationText.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DurationText.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DurationText.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationText.parse("45")).isEqualTo(Duration.ofSeconds(45));
        assertThat(DurationText.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThatThrownBy(() -> DurationText.parse("5 minutes")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theExampleCatalogueAndTheConfigMapParseWithoutWarnings() throws Exception {
        Catalogue example = parser.load(java.nio.file.Path.of("rewind.example.yml"));
        assertThat(example.find("checkout")).isPresent();
        var configMap = (io.fabric8.kubernetes.api.model.ConfigMap) io.fabric8.kubernetes.client.utils.Serialization
                .unmarshal(java.nio.file.Files.readString(java.nio.file.Path.of("manifests/base/configmap.yaml")));
        Catalogue deployed = parser.parse(configMap.getData().get("rewind.yml"), "configmap");
        assertThat(deployed.find("checkout")).isPresent();
        assertThat(warnings).isEmpty();
    }
}
