package dev.rewind.web;

import dev.rewind.assess.Assessment;
import dev.rewind.assess.Tier;
import dev.rewind.assess.Verdict;
import dev.rewind.config.Catalogue;
import dev.rewind.config.CatalogueParser;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.Trigger;
import dev.rewind.testing.RunBuilder;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** What Prometheus scrapes: counters that exist at 0 before their first event, a trigger label, decision times. */
class BotMetricsTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Catalogue CATALOGUE = new CatalogueParser(w -> { }, type -> false).parse("""
            services:
              - name: checkout
                channel: C0CHECKOUT
                target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}
                approvers: [U0ALICE]
              - name: flags
                channel: C0FLAGS
                target: {type: kubernetes-statefulset, namespace: shop, statefulset: flags}
                approvers: [U0ALICE]
            """, "test");

    @Test
    void everyRollbackCounterOfTheCatalogueIsScrapedAtZeroBeforeItsFirstEnd() throws IOException {
        BotMetrics metrics = new BotMetrics(() -> 0);
        metrics.preset(CATALOGUE);

        String text = scrape(metrics);

        for (String service : List.of("checkout", "flags")) {
            String adapter = service.equals("checkout") ? "kubernetes-deployment" : "kubernetes-statefulset";
            for (String outcome : List.of("succeeded", "failed", "interrupted")) {
                for (String trigger : List.of("command", "alert", "policy")) {
                    assertThat(text).contains("rewind_rollbacks_total{adapter=\"" + adapter + "\",outcome=\"" + outcome
                            + "\",service=\"" + service + "\",trigger=\"" + trigger + "\"} 0.0");
                }
            }
        }
        assertThat(text).contains("rewind_decision_seconds_count{tier=\"IMMEDIATE\"} 0")
                .contains("rewind_alerts_received_total{source=\"alertmanager\"} 0.0");
    }

    @Test
    void aRollbackThatEndsCountsUnderItsTrigger() throws IOException {
        BotMetrics metrics = new BotMetrics(() -> 0);
        metrics.preset(CATALOGUE);

        metrics.finished(RunBuilder.aRun().trigger(Trigger.POLICY).state(RunState.FAILED).at(T0)
                .startedAt(T0.plusSeconds(10)).finishedAt(T0.plusSeconds(70)).build(), "kubernetes-deployment");

        assertThat(scrape(metrics)).contains("rewind_rollbacks_total{adapter=\"kubernetes-deployment\",outcome=\"failed\","
                        + "service=\"checkout\",trigger=\"policy\"} 1.0")
                .contains("rewind_rollbacks_total{adapter=\"kubernetes-deployment\",outcome=\"failed\","
                        + "service=\"checkout\",trigger=\"command\"} 0.0");
    }

    @Test
    void anApprovalObservesTheTimeFromTheCardByTierAndDryRunsAreLeftOut() throws IOException {
        BotMetrics metrics = new BotMetrics(() -> 0);
        RollbackRun fast = RunBuilder.aRun().at(T0).assessment(assessment(Tier.FAST)).build();
        RollbackRun dry = RunBuilder.aRun().at(T0).dryRun(true).assessment(assessment(Tier.FAST)).build();

        metrics.approved(fast, T0.plusSeconds(400));
        metrics.approved(dry, T0.plusSeconds(5));

        String text = scrape(metrics);
        assertThat(text).contains("rewind_decision_seconds_count{tier=\"FAST\"} 1")
                .contains("rewind_decision_seconds_sum{tier=\"FAST\"} 400.0")
                .contains("rewind_decision_seconds_bucket{tier=\"FAST\",le=\"300.0\"} 0")
                .contains("rewind_decision_seconds_bucket{tier=\"FAST\",le=\"600.0\"} 1");
    }

    private static Assessment assessment(Tier tier) {
        return new Assessment("checkout", "production", List.of(), List.of(), new Verdict(tier, List.of("why")), Set.of(), T0);
    }

    private static String scrape(BotMetrics metrics) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, metrics.registry().scrape());
        return out.toString(StandardCharsets.UTF_8);
    }
}
