package dev.rewind.adapter.gitrevert;

import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract in push mode: the revert commit lands on the branch itself. */
class GitRevertPushIT extends GitRevertPullRequestIT {

    @Override
    String mode() {
        return GitRevertAdapter.PUSH;
    }

    @Override
    String changedBranch() {
        return "main";
    }

    @Override
    @Test
    void restoresThePathAndDeletesFilesAddedSince() {
        Outcome outcome = adapter.execute(target(), Change.to("rb-push0000001", good), Progress.NONE, Duration.ofSeconds(5));

        assertThat(world.files("main")).containsEntry("apps/checkout/deployment.yaml", "image: shop/checkout:1.4.1")
                .doesNotContainKey("apps/checkout/feature.yaml")
                .containsEntry("apps/cart/deployment.yaml", "image: shop/cart:2.2.0");
        assertThat(world.pullCount()).isZero();
        assertThat(world.branches()).containsExactly("main");
        assertThat(outcome.recorded()).containsEntry("commit", world.head("main"));
        assertThat(world.server().requests("PATCH", "/repos/org/gitops/git/refs/heads/main")).singleElement()
                .satisfies(r -> assertThat(r.getBodyAsString()).contains("\"force\":false"));
    }

    @Override
    @Test
    void aReRunForTheSameRunMakesNothingNew() {
        adapter.execute(target(), Change.to("rb-push0000002", good), Progress.NONE, Duration.ofSeconds(5));
        String head = world.head("main");
        Outcome again = adapter.execute(target(), Change.to("rb-push0000002", good), Progress.NONE, Duration.ofSeconds(5));
        assertThat(world.head("main")).isEqualTo(head);
        assertThat(again.summary()).contains("already has the revert");
    }

    @Override
    @Test
    void verifySaysWhatBecameOfTheRevert() {
        adapter.execute(target(), Change.to("rb-push0000003", good), Progress.NONE, Duration.ofSeconds(5));
        Health health = adapter.verify(target());
        assertThat(health.isHealthy()).isTrue();
        assertThat(health.detail()).contains("contains the revert commit");
    }

    @Override
    @Test
    void verifyAfterARestartFindsRewindsLatestRevert() {
        adapter.execute(target(), Change.to("rb-push0000004", good), Progress.NONE, Duration.ofSeconds(5));
        GitRevertAdapter restarted = adapter(dev.rewind.config.Secrets.of(Map.of("GITHUB_TOKEN", GitHubWorld.TOKEN)));
        assertThat(restarted.verify(target()).detail()).contains("contains Rewind's revert");
    }

    @Override
    @Test
    void anOlderCommitCanBeChosen() {
        adapter.execute(target(), Change.to("rb-push0000005", first), Progress.NONE, Duration.ofSeconds(5));
        assertThat(world.files("main")).containsEntry("apps/checkout/deployment.yaml", "image: shop/checkout:1.4.0");
    }

    @Override
    @Test
    void aReRunAfterTheBranchWasCreatedOnlyOpensThePullRequest() {
        world.branch("rewind/rb-push0000007", world.head("main"));
        adapter.execute(target(), Change.to("rb-push0000007", good), Progress.NONE, Duration.ofSeconds(5));
        assertThat(world.pullCount()).as("push mode opens no pull request").isZero();
        assertThat(world.files("main")).containsEntry("apps/checkout/deployment.yaml", "image: shop/checkout:1.4.1");
    }

    @Test
    void aBranchThatMovesMeanwhileIsRevertedOnItsNewHeadWithoutForce() {
        world.beforeRefUpdate(() -> {
            Map<String, String> files = new TreeMap<>(world.files("main"));
            files.put("apps/cart/deployment.yaml", "image: shop/cart:2.3.0");
            world.commit("main", "cart 2.3.0", files);
        });
        List<String> steps = Collections.synchronizedList(new ArrayList<>());
        adapter.execute(target(), Change.to("rb-push0000006", good), steps::add, Duration.ofSeconds(5));

        assertThat(steps).anyMatch(s -> s.contains("moved while the revert was being made"));
        assertThat(world.files("main")).containsEntry("apps/cart/deployment.yaml", "image: shop/cart:2.3.0")
                .containsEntry("apps/checkout/deployment.yaml", "image: shop/checkout:1.4.1");
    }
}
