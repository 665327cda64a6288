package dev.rewind.adapter.gitrevert;

import dev.rewind.testing.FakeArgoCd;
import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.http.RetryingHttp;
import dev.rewind.config.Secrets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** git-revert with {@code sync: {argocd: …}}: the rollback counts only once Argo CD runs the revert, synced and healthy. */
class GitRevertArgoCdSyncIT {

    GitHubWorld github;
    FakeArgoCd argoCd;
    FakeArgoCd.App argo;
    GitRevertAdapter adapter;
    String good;
    String bad;
    Map<String, String> files;

    @BeforeEach
    void world() {
        github = new GitHubWorld();
        files = new TreeMap<>(Map.of("apps/checkout/deployment.yaml", "image: shop/checkout:1.4.1",
                "apps/cart/deployment.yaml", "image: shop/cart:2.0.0"));
        good = github.commit("main", "checkout 1.4.1", files);
        files.put("apps/checkout/deployment.yaml", "image: shop/checkout:1.5.0");
        bad = github.commit("main", "checkout 1.5.0", files);
        argoCd = new FakeArgoCd();
        argo = argoCd.app("checkout", bad);
        adapter = new GitRevertAdapter(Secrets.of(Map.of("GITHUB_TOKEN", GitHubWorld.TOKEN, "ARGOCD_TOKEN", FakeArgoCd.TOKEN)),
                new RetryingHttp(HttpClient.newHttpClient(), GitRevertPullRequestIT.FAST), GitRevertPullRequestIT.NO_KUBERNETES,
                Duration.ofMillis(20));
    }

    @AfterEach
    void close() {
        github.close();
        argoCd.close();
    }

    Target target(String mode) {
        return new Target(GitRevertAdapter.TYPE, Map.of("apiUrl", github.url(), "repo", "org/gitops", "path", "apps/checkout",
                "mode", mode, "tokenEnv", "GITHUB_TOKEN",
                "sync", Map.of("argocd", Map.of("url", argoCd.url(), "application", "checkout", "tokenEnv", "ARGOCD_TOKEN"))));
    }

    Target pullRequest() {
        return target(GitRevertAdapter.PULL_REQUEST);
    }

    Target push() {
        return target(GitRevertAdapter.PUSH);
    }

    @Test
    void aPullRequestIsProgressingUntilMergedThenUntilArgoCdRunsTheRevert() {
        List<String> steps = Collections.synchronizedList(new ArrayList<>());
        adapter.execute(pullRequest(), Change.to("rb-sync0000001", good), steps::add, Duration.ofSeconds(5));
        assertThat(steps).anyMatch(s -> s.contains("Verification waits for the pull request to be merged and for"
                + " Argo CD application checkout to sync it"));

        Health unmerged = adapter.verify(pullRequest());
        assertThat(unmerged.status()).isEqualTo(Health.Status.PROGRESSING);
        assertThat(unmerged.detail()).isEqualTo("pull request #1 not merged yet: https://github.com/org/gitops/pull/1");

        String merged = github.merge(1);
        Health behind = adapter.verify(pullRequest());
        assertThat(behind.status()).isEqualTo(Health.Status.PROGRESSING);
        assertThat(behind.detail()).contains("pull request #1 (merged)")
                .contains("Argo CD application checkout at " + bad.substring(0, 7) + ", not yet at the revert "
                        + merged.substring(0, 7));

        argo.refreshedTo(merged);
        Health outOfSync = adapter.verify(pullRequest());
        assertThat(outOfSync.status()).isEqualTo(Health.Status.PROGRESSING);
        assertThat(outOfSync.detail()).contains("has the revert " + merged.substring(0, 7) + " but is OutOfSync");

        argo.at(merged);
        Health synced = adapter.verify(pullRequest());
        assertThat(synced.status()).isEqualTo(Health.Status.HEALTHY);
        assertThat(synced.detail()).contains("which contains the revert " + merged.substring(0, 7)).contains("Synced / Healthy");
    }

    @Test
    void aRevisionAfterTheRevertCountsAsRunningIt() {
        adapter.execute(pullRequest(), Change.to("rb-sync0000002", good), Progress.NONE, Duration.ofSeconds(5));
        github.merge(1);
        files = new TreeMap<>(github.files("main"));
        files.put("apps/cart/deployment.yaml", "image: shop/cart:2.1.0");
        argo.at(github.commit("main", "cart 2.1.0", files));

        assertThat(adapter.verify(pullRequest()).status()).isEqualTo(Health.Status.HEALTHY);
    }

    @Test
    void degradedWithTheRevertIsUnhealthyWithArgoCdsWords() {
        adapter.execute(pullRequest(), Change.to("rb-sync0000003", good), Progress.NONE, Duration.ofSeconds(5));
        argo.at(github.merge(1));
        argo.health("Degraded", "Deployment \"checkout\" exceeded its progress deadline");

        Health health = adapter.verify(pullRequest());
        assertThat(health.status()).isEqualTo(Health.Status.UNHEALTHY);
        assertThat(health.detail()).contains("is Degraded: Deployment \"checkout\" exceeded its progress deadline");
    }

    @Test
    void degradedBeforeTheRevertArrivesOnlyWaits() {
        adapter.execute(pullRequest(), Change.to("rb-sync0000004", good), Progress.NONE, Duration.ofSeconds(5));
        github.merge(1);
        argo.health("Degraded", "the bad deploy");

        Health health = adapter.verify(pullRequest());
        assertThat(health.status()).as("the degraded app is what the revert is for").isEqualTo(Health.Status.PROGRESSING);
        assertThat(health.detail()).contains("not yet at the revert");
    }

    @Test
    void aFailedSyncOfTheRevertIsUnhealthyWithArgoCdsMessage() {
        adapter.execute(pullRequest(), Change.to("rb-sync0000005", good), Progress.NONE, Duration.ofSeconds(5));
        String merged = github.merge(1);
        argo.syncFailed(merged, "one or more objects failed to apply, reason: Deployment.apps \"checkout\" is invalid");

        Health health = adapter.verify(pullRequest());
        assertThat(health.status()).isEqualTo(Health.Status.UNHEALTHY);
        assertThat(health.detail()).contains("could not sync the revert " + merged.substring(0, 7)
                + ": one or more objects failed to apply");
    }

    @Test
    void outOfSyncWithoutAutomatedSyncSaysToSyncIt() {
        argo.automatedSync(false);
        adapter.execute(pullRequest(), Change.to("rb-sync0000006", good), Progress.NONE, Duration.ofSeconds(5));
        argo.refreshedTo(github.merge(1));

        Health health = adapter.verify(pullRequest());
        assertThat(health.status()).isEqualTo(Health.Status.PROGRESSING);
        assertThat(health.detail()).contains("automated sync is off: sync it in Argo CD (argocd app sync checkout)");
    }

    @Test
    void withoutARevertPullRequestVerifyIsUnhealthyAndDoesNotAskArgoCd() {
        Health health = adapter.verify(pullRequest());
        assertThat(health.status()).isEqualTo(Health.Status.UNHEALTHY);
        assertThat(health.detail()).contains("no Rewind pull request");
        assertThat(argoCd.server().requests()).as("Argo CD is not asked before the revert is in git").isEmpty();
    }

    @Test
    void aPushWaitsUntilArgoCdRunsTheRevert() {
        argo.follow(() -> github.head("main"), 3);
        List<String> steps = Collections.synchronizedList(new ArrayList<>());

        Outcome outcome = adapter.execute(push(), Change.to("rb-sync0000007", good), steps::add, Duration.ofSeconds(10));

        String revert = github.head("main");
        assertThat(steps).anyMatch(s -> s.equals("Waiting for Argo CD application checkout to sync the revert "
                + revert.substring(0, 7)));
        assertThat(steps).anyMatch(s -> s.contains("not yet at the revert " + revert.substring(0, 7)));
        assertThat(outcome.summary()).contains("Pushed " + revert.substring(0, 7))
                .contains("Argo CD application checkout at " + revert.substring(0, 7) + ", which contains the revert");
        assertThat(adapter.verify(push()).status()).isEqualTo(Health.Status.HEALTHY);
    }

    @Test
    void aPushThatArgoCdDoesNotSyncInTimeFailsSayingTheRevertIsInGit() {
        assertThatThrownBy(() -> adapter.execute(push(), Change.to("rb-sync0000008", good), Progress.NONE,
                Duration.ofMillis(1500)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("is on main of org/gitops, but Argo CD application checkout did not run the revert")
                .hasMessageContaining("not yet at the revert");
        assertThat(adapter.verify(push()).status()).isEqualTo(Health.Status.PROGRESSING);
    }

    @Test
    void aPushWhoseSyncFailsFailsWithArgoCdsMessage() {
        argo.follow(() -> github.head("main"), 0);
        argo.healthAfterSync("Degraded", "Back-off pulling image \"shop/checkout:1.4.1\"");

        assertThatThrownBy(() -> adapter.execute(push(), Change.to("rb-sync0000009", good), Progress.NONE,
                Duration.ofSeconds(10)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("is Degraded: Back-off pulling image");
    }

    @Test
    void describeShowsWhereArgoCdIs() {
        TargetState state = adapter.describe(pullRequest());
        assertThat(state.facts()).anyMatch(f -> f.name().equals("Argo CD application checkout")
                && f.value().equals("at " + bad.substring(0, 7) + ": Synced / Healthy, operation Succeeded"));
        assertThat(state.warnings()).noneMatch(w -> w.contains("cannot confirm"))
                .anyMatch(w -> w.contains("verification waits for the merge and for Argo CD application checkout"));
    }

    @Test
    void describeStillWorksWhenArgoCdCannotBeRead() {
        GitRevertAdapter withoutArgoToken = GitRevertPullRequestIT.adapter(Secrets.of(Map.of("GITHUB_TOKEN", GitHubWorld.TOKEN)));
        TargetState state = withoutArgoToken.describe(pullRequest());
        assertThat(state.current().id()).isEqualTo(bad);
        assertThat(state.warnings()).contains("GitOps sync state unknown: environment variable ARGOCD_TOKEN"
                + " (sync.argocd.tokenEnv of the git-revert target) is not set");
    }

    @Test
    void theArgoCdTokenIsSentAsABearerTokenOnly() {
        adapter.describe(pullRequest());
        assertThat(argoCd.server().requests()).isNotEmpty().allSatisfy(r ->
                assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + FakeArgoCd.TOKEN));
        assertThat(github.server().requests()).allSatisfy(r ->
                assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + GitHubWorld.TOKEN));
    }
}
