package dev.rewind.manifests;

import dev.rewind.web.BotMetrics;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The Grafana dashboard and the PrometheusRule in manifests/base only query metrics Rewind serves. */
class ObservabilityTest {

    private static final Pattern METRIC = Pattern.compile("\\b(rewind_[a-z_]+|jvm_[a-z_]+)\\b");

    private static Set<String> served() {
        Set<String> names = new TreeSet<>();
        for (MetricSnapshot snapshot : new BotMetrics(() -> 0).registry().scrape()) {
            String name = snapshot.getMetadata().getPrometheusName();
            if (snapshot instanceof CounterSnapshot) {
                names.add(name + "_total");
            } else if (snapshot instanceof HistogramSnapshot) {
                names.addAll(List.of(name + "_bucket", name + "_count", name + "_sum"));
            } else {
                names.add(name);
            }
        }
        return names;
    }

    private static Set<String> referenced(List<String> expressions) {
        Set<String> names = new TreeSet<>();
        for (String expression : expressions) {
            Matcher matcher = METRIC.matcher(expression);
            while (matcher.find()) {
                names.add(matcher.group(1));
            }
        }
        return names;
    }

    @Test
    void theDashboardQueriesOnlyServedMetricsAndCoversTheRollbackOnes() throws IOException {
        JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(Path.of("manifests/base/grafana-dashboard.json")));
        List<String> expressions = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> panel.path("targets").forEach(t -> expressions.add(t.path("expr").asString())));
        Set<String> used = referenced(expressions);
        assertThat(served()).containsAll(used);
        assertThat(used).contains("rewind_rollbacks_total", "rewind_rollback_duration_seconds_bucket",
                "rewind_time_to_recovery_seconds_bucket", "rewind_alerts_received_total", "rewind_slack_api_errors_total",
                "rewind_active_runs", "rewind_decision_seconds_bucket");
        assertThat(expressions).as("panels for the success-rate and recovery SLOs")
                .anyMatch(e -> e.contains("outcome=\"succeeded\"") && e.contains("[30d]"))
                .anyMatch(e -> e.contains("histogram_quantile(0.9") && e.contains("rewind_time_to_recovery_seconds_bucket[7d]"));
    }

    @Test
    void theRulesAlertOnFailedRollbacksAndOnRewindBeingDown() throws IOException {
        GenericKubernetesResource rule = Serialization.unmarshal(Files.readString(Path.of("manifests/base/prometheusrule.yaml")),
                GenericKubernetesResource.class);
        assertThat(rule.getKind()).isEqualTo("PrometheusRule");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> groups = (List<Map<String, Object>>) ((Map<String, Object>) rule.getAdditionalProperties()
                .get("spec")).get("groups");
        List<String> expressions = new ArrayList<>();
        List<String> alerts = new ArrayList<>();
        for (Map<String, Object> group : groups) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> rules = (List<Map<String, Object>>) group.get("rules");
            for (Map<String, Object> r : rules) {
                expressions.add(String.valueOf(r.get("expr")));
                alerts.add(String.valueOf(r.get("alert")));
            }
        }
        assertThat(served()).containsAll(referenced(expressions));
        assertThat(alerts).contains("RewindRollbackFailed", "RewindDown", "RewindRollbackSuccessRateLow",
                "RewindRecoveryTooSlow");
        assertThat(expressions).anyMatch(e -> e.contains("rewind_rollbacks_total") && e.contains("failed"))
                .anyMatch(e -> e.contains("up{job=\"rewind\"}"));
    }
}
