package dev.rewind.adapter.gitrevert;

import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Progress;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.http.RetryingHttp;
import dev.rewind.config.Secrets;
import dev.rewind.testing.FluxWorld;
import dev.rewind.testing.KubernetesWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** git-revert with {@code sync: {flux: …}}: the rollback counts only once the Kustomization applied the revert and is Ready. */
class GitRevertFluxSyncIT {

    GitHubWorld github;
    KubernetesWorld kubernetes;
    FluxWorld flux;
    GitRevertAdapter adapter;
    String good;
    String bad;

    @BeforeEach
    void world() {
        github = new GitHubWorld();
        Map<String, String> files = new TreeMap<>(Map.of("apps/checkout/deployment.yaml", "image: shop/checkout:1.4.1"));
        good = github.commit("main", "checkout 1.4.1", files);
        files.put("apps/checkout/deployment.yaml", "image: shop/checkout:1.5.0");
        bad = github.commit("main", "checkout 1.5.0", files);
        kubernetes = new KubernetesWorld();
        flux = new FluxWorld(kubernetes);
        flux.kustomization("checkout", bad);
        adapter = new GitRevertAdapter(Secrets.of(Map.of("GITHUB_TOKEN", GitHubWorld.TOKEN)),
                new RetryingHttp(HttpClient.newHttpClient(), GitRevertPullRequestIT.FAST), kubernetes.newClient(),
                Duration.ofMillis(20));
    }

    @AfterEach
    void close() {
        github.close();
        kubernetes.close();
    }

    Target target(String kustomization) {
        return new Target(GitRevertAdapter.TYPE, Map.of("apiUrl", github.url(), "repo", "org/gitops", "path", "apps/checkout",
                "mode", GitRevertAdapter.PULL_REQUEST, "tokenEnv", "GITHUB_TOKEN",
                "sync", Map.of("flux", Map.of("namespace", FluxWorld.NAMESPACE, "kustomization", kustomization))));
    }

    @Test
    void healthyOnlyOnceTheKustomizationAppliedTheRevertAndIsReady() {
        adapter.execute(target("checkout"), Change.to("rb-flux0000001", good), Progress.NONE, Duration.ofSeconds(5));
        assertThat(adapter.verify(target("checkout")).detail()).isEqualTo("pull request #1 not merged yet: "
                + "https://github.com/org/gitops/pull/1");

        String merged = github.merge(1);
        Health behind = adapter.verify(target("checkout"));
        assertThat(behind.status()).isEqualTo(Health.Status.PROGRESSING);
        assertThat(behind.detail()).contains("Flux Kustomization flux-system/checkout at " + bad.substring(0, 7)
                + ", not yet at the revert " + merged.substring(0, 7));

        flux.reconciling("checkout", bad, merged);
        assertThat(adapter.verify(target("checkout")).status()).isEqualTo(Health.Status.PROGRESSING);

        flux.applied("checkout", merged);
        Health applied = adapter.verify(target("checkout"));
        assertThat(applied.status()).isEqualTo(Health.Status.HEALTHY);
        assertThat(applied.detail()).contains("Flux Kustomization flux-system/checkout at " + merged.substring(0, 7)
                + ", which contains the revert " + merged.substring(0, 7) + ": Ready");
    }

    @Test
    void failingHealthChecksAfterTheRevertAreUnhealthyWithFluxsMessage() {
        adapter.execute(target("checkout"), Change.to("rb-flux0000002", good), Progress.NONE, Duration.ofSeconds(5));
        flux.appliedUnhealthy("checkout", github.merge(1), "health check failed after 5m0s: timeout waiting for: "
                + "[Deployment/shop/checkout status: 'InProgress']");

        Health health = adapter.verify(target("checkout"));
        assertThat(health.status()).isEqualTo(Health.Status.UNHEALTHY);
        assertThat(health.detail()).contains("applied the revert").contains("not Ready: HealthCheckFailed: health check failed");
    }

    @Test
    void aRevertFluxCannotApplyIsUnhealthyWithFluxsMessage() {
        adapter.execute(target("checkout"), Change.to("rb-flux0000003", good), Progress.NONE, Duration.ofSeconds(5));
        String merged = github.merge(1);
        flux.failedToApply("checkout", bad, merged, "Deployment/shop/checkout dry-run failed: spec.replicas: Invalid value");

        Health health = adapter.verify(target("checkout"));
        assertThat(health.status()).isEqualTo(Health.Status.UNHEALTHY);
        assertThat(health.detail()).contains("could not apply " + merged.substring(0, 7) + " (with the revert")
                .contains("ReconciliationFailed: Deployment/shop/checkout dry-run failed");
    }

    @Test
    void describeShowsWhatTheKustomizationApplied() {
        TargetState state = adapter.describe(target("checkout"));
        assertThat(state.facts()).anyMatch(f -> f.name().equals("Flux Kustomization flux-system/checkout")
                && f.value().equals("at " + bad.substring(0, 7) + ": Ready (Applied revision: main@sha1:" + bad + ")"));
    }

    @Test
    void aMissingKustomizationIsSaidByName() {
        TargetState state = adapter.describe(target("payments"));
        assertThat(state.warnings()).contains("GitOps sync state unknown: Flux Kustomization flux-system/payments not found"
                + " (Rewind reads kustomize.toolkit.fluxcd.io/v1, Flux 2.0 or later)");
    }
}
