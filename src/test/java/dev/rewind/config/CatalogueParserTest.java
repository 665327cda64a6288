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
        assertThat(checkout.approval().approvers()).containsExactly("S0SRE", "U0ALICE");
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
        assertThat(catalogue.find("a").orElseThrow().approval()).isEqualTo(new ApprovalRules(List.of(), List.of("S1"), 2, false, true, false));
        assertThat(catalogue.find("b").orElseThrow().approval().approvals()).isEqualTo(1);
        assertThat(catalogue.find("c").orElseThrow().approval()).isEqualTo(new ApprovalRules(List.of(), List.of("S1"), 1, true, false, true));
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
        assertThat(catalogue.find("a").orElseThrow().approval().viewers()).containsExactly("S0ENG");
        assertThat(catalogue.find("b").orElseThrow().approval().viewers()).containsExactly("U0SUPPORT", "S0QA");
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
