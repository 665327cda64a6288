package dev.rewind.adapter.gitrevert;

import dev.rewind.adapter.Progress;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes the one commit that restores a path to its tree as of an earlier commit: the files of that
 * tree are set on top of the branch head (base_tree), files added since are deleted, nothing else
 * is touched. Makes no commit when the path already matches.
 */
final class RevertCommit {

    private final GitHubRepo repo;
    private final Progress progress;

    RevertCommit(GitHubRepo repo, Progress progress) {
        this.repo = repo;
        this.progress = progress;
    }

    /** @return the new commit's SHA (not yet on any branch), or empty when {@code path} at {@code head} already matches */
    Optional<String> create(String head, String chosen, String path, String message) {
        Map<String, GitHubRepo.Entry> wanted = repo.filesAt(chosen, path);
        Map<String, GitHubRepo.Entry> now = repo.filesAt(head, path);
        List<Map<String, Object>> changes = changes(path, wanted, now);
        if (changes.isEmpty()) {
            progress.step("GitHub: " + path + " at " + shortSha(head) + " already matches " + shortSha(chosen));
            return Optional.empty();
        }
        String headTree = repo.treeOf(head).orElseThrow();
        String tree = repo.createTree(headTree, changes);
        String commit = repo.createCommit(message, tree, head);
        progress.step("GitHub: revert commit " + shortSha(commit) + " made (" + changes.size() + " file(s) of " + path
                + " restored to " + shortSha(chosen) + ")");
        return Optional.of(commit);
    }

    static List<Map<String, Object>> changes(String path, Map<String, GitHubRepo.Entry> wanted,
                                             Map<String, GitHubRepo.Entry> now) {
        List<Map<String, Object>> changes = new ArrayList<>();
        wanted.forEach((relative, entry) -> {
            if (!entry.equals(now.get(relative))) {
                changes.add(item(full(path, relative), entry.mode(), entry.type(), entry.sha()));
            }
        });
        now.forEach((relative, entry) -> {
            if (!wanted.containsKey(relative)) {
                changes.add(item(full(path, relative), entry.mode(), entry.type(), null));
            }
        });
        return changes;
    }

    private static Map<String, Object> item(String path, String mode, String type, String sha) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("path", path);
        item.put("mode", mode);
        item.put("type", type);
        item.put("sha", sha);
        return item;
    }

    private static String full(String path, String relative) {
        return relative.isEmpty() ? path : path + "/" + relative;
    }

    private static String shortSha(String sha) {
        return sha.length() > 7 ? sha.substring(0, 7) : sha;
    }
}
