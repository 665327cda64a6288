package dev.rewind.adapter.gitrevert;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.adapter.RollbackAdapterContract;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.http.RetryingHttp;
import dev.rewind.config.Secrets;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract in pull-request mode, and what a pull request looks like. */
class GitRevertPullRequestIT extends RollbackAdapterContract {

    static final RetryingHttp.Backoff FAST = new RetryingHttp.Backoff(3, Duration.ofMillis(10), Duration.ofMillis(50));
    /** For targets without a Flux sync block, which never reach Kubernetes: a call would fail loudly. */
    static final KubernetesClient NO_KUBERNETES = new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl("https://kubernetes.invalid:6443").build()).build();

    GitHubWorld world;
    GitRevertAdapter adapter;
    String first;
    String good;
    String bad;

    @BeforeEach
    void world() {
        world = new GitHubWorld();
        Map<String, String> files = new TreeMap<>(Map.of(
                "apps/checkout/deployment.yaml", "image: shop/checkout:1.4.0",
                "apps/checkout/kustomization.yaml", "resources: [deployment.yaml]",
                "apps/cart/deployment.yaml", "image: shop/cart:2.0.0"));
        first = world.commit("main", "checkout 1.4.0", files);
        files.put("apps/cart/deployment.yaml", "image: shop/cart:2.1.0");
        world.commit("main", "cart 2.1.0", files);
        files.put("apps/checkout/deployment.yaml", "image: shop/checkout:1.4.1");
        good = world.commit("main", "checkout 1.4.1", files);
        files.put("apps/checkout/deployment.yaml", "image: shop/checkout:1.5.0");
        files.put("apps/checkout/feature.yaml", "newCheckout: true");
        bad = world.commit("main", "checkout 1.5.0 with the new checkout\n\nLong description.", files);
        files.put("apps/cart/deployment.yaml", "image: shop/cart:2.2.0");
        world.commit("main", "cart 2.2.0", files);
        adapter = adapter(Secrets.of(Map.of("GITHUB_TOKEN", GitHubWorld.TOKEN)));
    }

    static GitRevertAdapter adapter(Secrets secrets) {
        return new GitRevertAdapter(secrets, new RetryingHttp(HttpClient.newHttpClient(), FAST), NO_KUBERNETES);
    }

    @AfterEach
    void close() {
        world.close();
    }

    String mode() {
        return GitRevertAdapter.PULL_REQUEST;
    }

    @Override
    protected void whatPeopleDoAfterExecute() {
        if (mode().equals(GitRevertAdapter.PULL_REQUEST)) {
            world.merge(world.pullCount());
        }
    }

    @Override
    protected RollbackAdapter adapter() {
        return adapter;
    }

    @Override
    protected Target target() {
        return target("apps/checkout");
    }

    Target target(String path) {
        Map<String, Object> spec = new HashMap<>(Map.of("apiUrl", world.url(), "repo", "org/gitops", "path", path,
                "mode", mode(), "tokenEnv", "GITHUB_TOKEN"));
        return new Target(GitRevertAdapter.TYPE, spec);
    }

    @Override
    protected Target missingTarget() {
        return new Target(GitRevertAdapter.TYPE, Map.of("apiUrl", world.url(), "repo", "org/nosuch", "path", "apps/checkout",
                "mode", mode(), "tokenEnv", "GITHUB_TOKEN"));
    }

    /** The branch the change lands on: the run's branch for a pull request. */
    String changedBranch() {
        return "rewind/rb-contract01";
    }

    @Override
    protected void assertLiveIs(Revision chosen) {
        Map<String, String> expected = new TreeMap<>(world.files("main"));
        expected.keySet().removeIf(p -> p.startsWith("apps/checkout/"));
        world.filesAt(chosen.id()).forEach((path, content) -> {
            if (path.startsWith("apps/checkout/")) {
                expected.put(path, content);
            }
        });
        assertThat(world.files(changedBranch())).isEqualTo(expected);
    }

    @Override
    protected long changesSeen() {
        return world.server().changes();
    }

    @Test
    void revisionsAreTheCommitsTouchingThePath() {
        TargetState state = adapter.describe(target());
        assertThat(state.current().id()).isEqualTo(bad);
        assertThat(state.current().changeCause()).contains("checkout 1.5.0 with the new checkout (Dev One)");
        assertThat(state.candidates()).extracting(Revision::id).containsExactly(good, first);
        assertThat(state.previous().orElseThrow().label()).isEqualTo(good.substring(0, 7));
        assertThat(state.facts()).anyMatch(f -> f.name().equals("Repository") && f.value().equals("org/gitops @ main"));
        assertThat(state.warnings()).anyMatch(w -> w.contains("does not see your GitOps tool")
                && w.contains("cannot confirm that the revert was applied"));
    }

    @Test
    void restoresThePathAndDeletesFilesAddedSince() {
        List<String> steps = Collections.synchronizedList(new ArrayList<>());
        Outcome outcome = adapter.execute(target(), Change.to("rb-git00000001", good), steps::add, Duration.ofSeconds(5));

        Map<String, String> files = world.files("rewind/rb-git00000001");
        assertThat(files).containsEntry("apps/checkout/deployment.yaml", "image: shop/checkout:1.4.1")
                .doesNotContainKey("apps/checkout/feature.yaml")
                .containsEntry("apps/cart/deployment.yaml", "image: shop/cart:2.2.0");
        assertThat(world.files("main")).containsEntry("apps/checkout/deployment.yaml", "image: shop/checkout:1.5.0");
        assertThat(world.message(world.head("rewind/rb-git00000001")))
                .isEqualTo("Revert apps/checkout to " + good + " (Rewind run rb-git00000001)");
        assertThat(world.pullTitle(1)).isEqualTo("Revert apps/checkout to " + good + " (Rewind run rb-git00000001)");
        assertThat(outcome.recorded()).containsEntry("pullRequest", "https://github.com/org/gitops/pull/1")
                .containsEntry("restoredTo", good).containsEntry("deployCommit", bad);
        assertThat(outcome.summary()).contains("https://github.com/org/gitops/pull/1");
        assertThat(steps).anyMatch(s -> s.contains("pull request #1 opened: https://github.com/org/gitops/pull/1"));
    }

    @Test
    void aReRunForTheSameRunMakesNothingNew() {
        adapter.execute(target(), Change.to("rb-git00000002", good), Progress.NONE, Duration.ofSeconds(5));
        long changes = world.server().changes();
        Outcome again = adapter.execute(target(), Change.to("rb-git00000002", good), Progress.NONE, Duration.ofSeconds(5));
        assertThat(world.server().changes()).isEqualTo(changes);
        assertThat(world.pullCount()).isEqualTo(1);
        assertThat(again.recorded()).containsEntry("pullRequest", "https://github.com/org/gitops/pull/1");
    }

    @Test
    void aReRunAfterTheBranchWasCreatedOnlyOpensThePullRequest() {
        world.branch("rewind/rb-git00000007", world.head("main"));
        adapter.execute(target(), Change.to("rb-git00000007", good), Progress.NONE, Duration.ofSeconds(5));
        assertThat(world.server().requests("POST", "/repos/org/gitops/git/")).isEmpty();
        assertThat(world.pullCount()).isEqualTo(1);
        assertThat(world.pullHead(1)).isEqualTo("rewind/rb-git00000007");
    }

    @Test
    void verifySaysWhatBecameOfTheRevert() {
        adapter.execute(target(), Change.to("rb-git00000003", good), Progress.NONE, Duration.ofSeconds(5));
        Health open = adapter.verify(target());
        assertThat(open.status()).as("nothing is live before the merge").isEqualTo(Health.Status.PROGRESSING);
        assertThat(open.detail()).contains("pull request #1 not merged yet");

        world.merge(1);
        Health merged = adapter.verify(target());
        assertThat(merged.detail()).contains("#1 (merged)");
    }

    @Test
    void verifyAfterARestartFindsRewindsLatestRevert() {
        adapter.execute(target(), Change.to("rb-git00000004", good), Progress.NONE, Duration.ofSeconds(5));
        GitRevertAdapter restarted = adapter(Secrets.of(Map.of("GITHUB_TOKEN", GitHubWorld.TOKEN)));
        assertThat(restarted.verify(target()).detail()).contains("pull request #1");
    }

    @Test
    void afterARestartVerifyLooksAtTheRevertOfItsOwnPathNotAnotherServicesInTheSameRepo() {
        adapter.execute(target(), Change.to("rb-git00000021", good), Progress.NONE, Duration.ofSeconds(5));
        String cartBefore = adapter.describe(target("apps/cart")).previous().orElseThrow().id();
        adapter.execute(target("apps/cart"), Change.to("rb-git00000022", cartBefore), Progress.NONE, Duration.ofSeconds(5));
        if (mode().equals(GitRevertAdapter.PULL_REQUEST)) {
            world.merge(2);
        }
        GitRevertAdapter restarted = adapter(Secrets.of(Map.of("GITHUB_TOKEN", GitHubWorld.TOKEN)));

        Health checkout = restarted.verify(target());

        if (mode().equals(GitRevertAdapter.PULL_REQUEST)) {
            assertThat(checkout.status()).as("checkout's pull request is still open").isEqualTo(Health.Status.PROGRESSING);
            assertThat(checkout.detail()).contains("pull request #1 not merged yet");
        } else {
            assertThat(checkout.detail()).contains("Revert apps/checkout").doesNotContain("apps/cart");
        }
    }

    @Test
    void aPathWhoseLatestCommitIsRewindsRevertOffersNoFurtherRollback() {
        adapter.execute(target(), Change.to("rb-git00000023", good), Progress.NONE, Duration.ofSeconds(5));
        whatPeopleDoAfterExecute();

        TargetState again = adapter.describe(target());

        assertThat(again.candidates()).as("the previous commit would be the bad release").isEmpty();
        assertThat(again.warnings()).anyMatch(w -> w.contains("is Rewind's own revert") && w.contains("no rollback is offered"));
    }

    @Test
    void anOlderCommitCanBeChosen() {
        adapter.execute(target(), Change.to("rb-git00000005", first.substring(0, 10)), Progress.NONE, Duration.ofSeconds(5));
        assertThat(world.files("rewind/rb-git00000005")).containsEntry("apps/checkout/deployment.yaml",
                "image: shop/checkout:1.4.0");
    }

    @Test
    void theDeployCommitItselfIsRefused() {
        assertThatThrownBy(() -> adapter.execute(target(), Change.to("rb-git00000006", bad), Progress.NONE,
                Duration.ofSeconds(5)))
                .isInstanceOf(AdapterException.class).hasMessageContaining("deploy commit itself");
    }

    @Test
    void aPathNoCommitTouchesIsNotFound() {
        assertThatThrownBy(() -> adapter.describe(target("apps/nosuch")))
                .isInstanceOf(AdapterException.class).hasMessageContaining("apps/nosuch not found");
    }

    @Test
    void theTokenIsSentAsABearerTokenAndNeverShown() {
        adapter.describe(target());
        assertThat(world.server().requests()).allSatisfy(r ->
                assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + GitHubWorld.TOKEN));
        GitRevertAdapter wrong = adapter(Secrets.of(Map.of("GITHUB_TOKEN", "ghp_wrong")));
        assertThatThrownBy(() -> wrong.describe(target()))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("GITHUB_TOKEN").hasMessageContaining("Bad credentials")
                .hasMessageNotContaining("ghp_wrong");
    }

    @Test
    void validateNamesTheBadField() {
        Map<String, Object> spec = new HashMap<>(target().spec());
        spec.put("mode", "merge");
        assertThatThrownBy(() -> adapter.validate(new Target(GitRevertAdapter.TYPE, spec)))
                .isInstanceOf(Target.InvalidTargetException.class).hasMessageContaining("'mode'");
        spec.put("mode", "push");
        spec.put("repo", "gitops");
        assertThatThrownBy(() -> adapter.validate(new Target(GitRevertAdapter.TYPE, spec)))
                .isInstanceOf(Target.InvalidTargetException.class).hasMessageContaining("owner/name");
        spec.put("repo", "org/gitops");
        spec.remove("path");
        assertThatThrownBy(() -> adapter.validate(new Target(GitRevertAdapter.TYPE, spec)))
                .isInstanceOf(Target.InvalidTargetException.class).hasMessageContaining("'path'");
    }
}
