package dev.rewind.adapter.gitrevert;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.http.ApiResponse;
import dev.rewind.adapter.http.JsonApi;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One GitHub repository through the REST API, as the git-revert adapter needs it: commits touching a
 * path, the files under a path at a commit (git data API, no clone), new trees, commits, refs and
 * pull requests.
 */
final class GitHubRepo {

    /** A commit as listed: its SHA, first message line, author and date. */
    record Commit(String sha, String message, String author, Optional<Instant> date, String url) {
        String shortSha() {
            return sha.length() > 7 ? sha.substring(0, 7) : sha;
        }

        String title() {
            int newline = message.indexOf('\n');
            return newline < 0 ? message : message.substring(0, newline);
        }
    }

    /** A file (or symlink, or submodule) in a tree. */
    record Entry(String mode, String type, String sha) {
    }

    /**
     * A pull request, as far as Rewind cares. {@code mergeCommit} is the commit that carries it on the
     * base branch once merged (the merge commit, or the squashed or last rebased one).
     */
    record Pull(long number, String url, String state, boolean merged, String headRef, Optional<String> mergeCommit) {
        String describe() {
            return "pull request #" + number + (merged ? " (merged)" : state.equals("open") ? " (open)" : " (closed without merging)");
        }
    }

    private final JsonApi api;
    private final String owner;
    private final String name;

    GitHubRepo(JsonApi api, String repo) {
        this.api = api;
        int slash = repo.indexOf('/');
        this.owner = repo.substring(0, slash);
        this.name = repo.substring(slash + 1);
    }

    String fullName() {
        return owner + "/" + name;
    }

    /** The repository's default branch; also proves the repository exists and the token sees it. */
    String defaultBranch() {
        return api.get(base(), "repository " + fullName()).path("default_branch").asString("main");
    }

    /** The newest commits on {@code branch} that touch {@code path}, newest first. */
    List<Commit> commitsTouching(String path, String branch, int limit) {
        JsonNode list = api.get(base() + "/commits?path=" + JsonApi.query(path) + "&sha=" + JsonApi.query(branch)
                + "&per_page=" + limit, "commits of " + fullName() + " on " + branch);
        List<Commit> commits = new ArrayList<>();
        list.forEach(c -> commits.add(commit(c)));
        return commits;
    }

    /** The newest commits on {@code branch}, newest first. */
    List<Commit> recentCommits(String branch, int limit) {
        JsonNode list = api.get(base() + "/commits?sha=" + JsonApi.query(branch) + "&per_page=" + limit,
                "commits of " + fullName() + " on " + branch);
        List<Commit> commits = new ArrayList<>();
        list.forEach(c -> commits.add(commit(c)));
        return commits;
    }

    /** A commit by SHA, if the repository has it. */
    Optional<String> treeOf(String commitSha) {
        ApiResponse response = api.call("GET", base() + "/git/commits/" + JsonApi.segment(commitSha), null, null);
        if (response.status() == 404 || response.status() == 422) {
            return Optional.empty();
        }
        return Optional.of(api.expectOk(response, "GET", base() + "/git/commits/" + commitSha, "commit " + commitSha)
                .path("tree").path("sha").asString());
    }

    /**
     * Every file under {@code path} at a commit, by path relative to {@code path} ("" when {@code path}
     * is itself a file); empty when {@code path} does not exist there.
     */
    Map<String, Entry> filesAt(String commitSha, String path) {
        String tree = treeOf(commitSha).orElseThrow(() -> new AdapterException("commit " + commitSha + " not found in "
                + fullName()));
        String[] segments = path.split("/");
        for (int i = 0; i < segments.length; i++) {
            Optional<JsonNode> entry = child(tree, segments[i]);
            if (entry.isEmpty()) {
                return Map.of();
            }
            String type = entry.get().path("type").asString();
            if (i == segments.length - 1 && !type.equals("tree")) {
                return Map.of("", entry(entry.get()));
            }
            if (!type.equals("tree")) {
                return Map.of();
            }
            tree = entry.get().path("sha").asString();
        }
        JsonNode listing = api.get(base() + "/git/trees/" + tree + "?recursive=1", "the tree of " + path + " at " + commitSha);
        if (listing.path("truncated").asBoolean(false)) {
            throw new AdapterException("GitHub truncated the listing of " + path + " in " + fullName()
                    + " (too many files); revert it by hand");
        }
        Map<String, Entry> files = new LinkedHashMap<>();
        for (JsonNode item : listing.path("tree")) {
            if (!item.path("type").asString().equals("tree")) {
                files.put(item.path("path").asString(), entry(item));
            }
        }
        return files;
    }

    /** A new tree: {@code baseTree} with {@code changes} applied (a {@code null} SHA deletes the path). */
    String createTree(String baseTree, List<Map<String, Object>> changes) {
        return api.send("POST", base() + "/git/trees", Map.of("base_tree", baseTree, "tree", changes), null,
                "a new tree in " + fullName()).path("sha").asString();
    }

    String createCommit(String message, String tree, String parent) {
        return api.send("POST", base() + "/git/commits", Map.of("message", message, "tree", tree, "parents", List.of(parent)),
                null, "a new commit in " + fullName()).path("sha").asString();
    }

    /** The commit a branch points at, if the branch exists. */
    Optional<String> branchHead(String branch) {
        String path = base() + "/git/ref/heads/" + branch;
        ApiResponse response = api.call("GET", path, null, null);
        if (response.status() == 404) {
            return Optional.empty();
        }
        return Optional.of(api.expectOk(response, "GET", path, "branch " + branch).path("object").path("sha").asString());
    }

    void createBranch(String branch, String sha) {
        api.send("POST", base() + "/git/refs", Map.of("ref", "refs/heads/" + branch, "sha", sha), null,
                "creating branch " + branch + " in " + fullName());
    }

    /** Moves {@code branch} to {@code sha} without force; false when the branch moved meanwhile (not a fast-forward). */
    boolean fastForward(String branch, String sha) {
        String path = base() + "/git/refs/heads/" + branch;
        ApiResponse response = api.call("PATCH", path, Map.of("sha", sha, "force", false), null);
        if (response.status() == 422) {
            return false;
        }
        api.expectOk(response, "PATCH", path, "moving branch " + branch + " of " + fullName());
        return true;
    }

    /** Whether {@code ref} (a branch or a commit) contains {@code sha} (GitHub's compare: identical or ahead). */
    boolean contains(String ref, String sha) {
        JsonNode compare = api.get(base() + "/compare/" + sha + "..." + ref, "comparing " + ref + " with " + sha);
        String status = compare.path("status").asString("");
        return status.equals("identical") || status.equals("ahead");
    }

    /** The pull request whose head is {@code branch} of this repository, in any state. */
    Optional<Pull> pullFor(String branch) {
        JsonNode list = api.get(base() + "/pulls?state=all&head=" + JsonApi.query(owner + ":" + branch),
                "pull requests of " + fullName());
        for (JsonNode pull : list) {
            if (pull.path("head").path("ref").asString("").equals(branch)) {
                return Optional.of(pull(pull));
            }
        }
        return Optional.empty();
    }

    /**
     * The newest pull request into {@code base} from a branch whose name starts with {@code prefix} and
     * whose title starts with {@code titlePrefix}.
     */
    Optional<Pull> newestPullFrom(String prefix, String baseBranch, String titlePrefix) {
        JsonNode list = api.get(base() + "/pulls?state=all&base=" + JsonApi.query(baseBranch)
                + "&sort=created&direction=desc&per_page=30", "pull requests of " + fullName());
        for (JsonNode pull : list) {
            if (pull.path("head").path("ref").asString("").startsWith(prefix)
                    && pull.path("title").asString("").startsWith(titlePrefix)) {
                return Optional.of(pull(pull));
            }
        }
        return Optional.empty();
    }

    Pull openPull(String title, String head, String baseBranch, String body) {
        return pull(api.send("POST", base() + "/pulls", Map.of("title", title, "head", head, "base", baseBranch, "body", body),
                null, "opening a pull request in " + fullName()));
    }

    private Optional<JsonNode> child(String tree, String name) {
        for (JsonNode item : api.get(base() + "/git/trees/" + tree, "a tree of " + fullName()).path("tree")) {
            if (item.path("path").asString("").equals(name)) {
                return Optional.of(item);
            }
        }
        return Optional.empty();
    }

    private String base() {
        return "/repos/" + JsonApi.segment(owner) + "/" + JsonApi.segment(name);
    }

    private static Entry entry(JsonNode item) {
        return new Entry(item.path("mode").asString("100644"), item.path("type").asString("blob"), item.path("sha").asString());
    }

    private static Pull pull(JsonNode pull) {
        boolean merged = pull.path("merged_at").isString() || pull.path("merged").asBoolean(false);
        // Before the merge GitHub fills merge_commit_sha with a test merge that never reaches the branch.
        Optional<String> mergeCommit = merged && pull.path("merge_commit_sha").isString()
                ? Optional.of(pull.path("merge_commit_sha").asString()) : Optional.empty();
        return new Pull(pull.path("number").asLong(), pull.path("html_url").asString(""), pull.path("state").asString(""),
                merged, pull.path("head").path("ref").asString(""), mergeCommit);
    }

    private static Commit commit(JsonNode item) {
        JsonNode commit = item.path("commit");
        Optional<Instant> date;
        try {
            date = Optional.of(Instant.parse(commit.path("committer").path("date").asString(
                    commit.path("author").path("date").asString(""))));
        } catch (RuntimeException e) {
            date = Optional.empty();
        }
        return new Commit(item.path("sha").asString(), commit.path("message").asString(""),
                commit.path("author").path("name").asString(item.path("author").path("login").asString("unknown")),
                date, item.path("html_url").asString(""));
    }
}
