package dev.rewind.adapter.gitrevert;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.http.ApiException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The commit that carries the revert on the branch (the revert commit itself after a push; the
 * merge, squash or rebase commit of a merged pull request), and whether a revision that a GitOps
 * tool reports includes it. Ancestry never changes, so each revision is asked about once.
 */
final class LandedRevert {

    private final String sha;
    private final Predicate<String> includedIn;
    private final Map<String, Boolean> answers = new ConcurrentHashMap<>();

    /** @param includedIn whether a revision (a commit SHA) has {@code sha} in its history */
    LandedRevert(String sha, Predicate<String> includedIn) {
        this.sha = sha;
        this.includedIn = includedIn;
    }

    /** Asks GitHub's compare API whether a revision contains {@code sha}. */
    static LandedRevert on(GitHubRepo repo, String sha) {
        return new LandedRevert(sha, revision -> {
            try {
                return repo.contains(revision, sha);
            } catch (ApiException e) {
                if (e.status() == 404 || e.status() == 422) {
                    throw new AdapterException("the GitOps tool reports revision " + revision + ", which is not a commit of "
                            + repo.fullName() + ": does the target's sync: block name what deploys this repository?", e);
                }
                throw e;
            }
        });
    }

    String sha() {
        return sha;
    }

    String shortSha() {
        return GitRevertAdapter.shortSha(sha);
    }

    boolean isIn(String revision) {
        return revision.equals(sha) || answers.computeIfAbsent(revision, includedIn::test);
    }
}
