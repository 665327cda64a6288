package dev.rewind.adapter.gitrevert;

import dev.rewind.testing.FakeHttpService;
import dev.rewind.testing.FakeHttpService.Call;
import dev.rewind.testing.FakeHttpService.Reply;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One GitHub repository (org/gitops) behind the REST API, as far as the git-revert adapter uses it:
 * git objects (blobs, trees, commits) content-addressed like git, refs, the commit list filtered by
 * path, compare, and pull requests. Trees are kept flat (path → blob) and served as nested levels.
 * Public for the RBAC test, which drives the git-revert adapter's Flux sync check.
 */
public final class GitHubWorld implements AutoCloseable {

    public static final String TOKEN = "ghp_secret_token_value";
    static final String REPO = "/repos/org/gitops";

    private record Commit(String sha, Map<String, String> files, List<String> parents, String message, Instant date) {
    }

    private record Pull(int number, String head, String base, String title, String body) {
    }

    private final Map<String, String> blobs = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> trees = new ConcurrentHashMap<>();
    private final Map<String, Commit> commits = new ConcurrentHashMap<>();
    private final Map<String, String> refs = new ConcurrentHashMap<>();
    private final List<Pull> pulls = new ArrayList<>();
    /** Merged pull request → the commit that carries it on its base branch. */
    private final Map<Integer, String> merged = new ConcurrentHashMap<>();
    private final AtomicInteger clock = new AtomicInteger();
    private final FakeHttpService server = new FakeHttpService(this::handle);
    private volatile Runnable beforeRefUpdate = () -> { };

    /** Commits {@code files} (path → content, the whole repository) on {@code branch}; returns its SHA. */
    public String commit(String branch, String message, Map<String, String> files) {
        Map<String, String> tree = new TreeMap<>();
        files.forEach((path, content) -> tree.put(path, blob(content)));
        String parent = refs.get("heads/" + branch);
        String sha = store(tree, parent == null ? List.of() : List.of(parent), message);
        refs.put("heads/" + branch, sha);
        return sha;
    }

    void branch(String name, String sha) {
        refs.put("heads/" + name, sha);
    }

    /** The files (path → content) on a branch. */
    Map<String, String> files(String branch) {
        Map<String, String> files = new TreeMap<>();
        commits.get(refs.get("heads/" + branch)).files().forEach((path, blob) -> files.put(path, blobs.get(blob)));
        return files;
    }

    Map<String, String> filesAt(String sha) {
        Map<String, String> files = new TreeMap<>();
        commits.get(sha).files().forEach((path, blob) -> files.put(path, blobs.get(blob)));
        return files;
    }

    public String head(String branch) {
        return refs.get("heads/" + branch);
    }

    String message(String sha) {
        return commits.get(sha).message();
    }

    List<String> branches() {
        return refs.keySet().stream().map(r -> r.substring("heads/".length())).sorted().toList();
    }

    int pullCount() {
        synchronized (pulls) {
            return pulls.size();
        }
    }

    /**
     * Squash-merges pull request {@code number}: one new commit on its base branch with the head's tree
     * (the test opens it on the base's current head), so the commit on the base is not the revert commit
     * itself, as with GitHub's squash and rebase merges. Returns that commit.
     */
    public String merge(int number) {
        Pull pull;
        synchronized (pulls) {
            pull = pulls.get(number - 1);
        }
        String base = refs.get("heads/" + pull.base());
        String sha = store(new TreeMap<>(commits.get(refs.get("heads/" + pull.head())).files()), List.of(base),
                pull.title() + " (#" + number + ")");
        refs.put("heads/" + pull.base(), sha);
        merged.put(number, sha);
        return sha;
    }

    /** Runs just before the next ref update, e.g. to push a commit in between (a race). */
    void beforeRefUpdate(Runnable action) {
        beforeRefUpdate = action;
    }

    FakeHttpService server() {
        return server;
    }

    public String url() {
        return server.url();
    }

    @Override
    public void close() {
        server.close();
    }

    private Reply handle(Call call) {
        if (!("Bearer " + TOKEN).equals(call.header("Authorization"))) {
            return Reply.json(401, Map.of("message", "Bad credentials"));
        }
        if (!call.path().startsWith(REPO)) {
            return Reply.json(404, Map.of("message", "Not Found"));
        }
        String path = call.path().substring(REPO.length());
        String method = call.method();
        if (path.isEmpty() && method.equals("GET")) {
            return Reply.ok(Map.of("full_name", "org/gitops", "default_branch", "main"));
        }
        if (path.equals("/commits") && method.equals("GET")) {
            return listCommits(call.query());
        }
        if (path.startsWith("/git/commits/") && method.equals("GET")) {
            Commit commit = commits.get(path.substring("/git/commits/".length()));
            return commit == null ? Reply.json(404, Map.of("message", "Not Found"))
                    : Reply.ok(Map.of("sha", commit.sha(), "tree", Map.of("sha", treeSha(commit.files(), "")),
                    "message", commit.message(), "parents", commit.parents().stream().map(p -> Map.of("sha", p)).toList()));
        }
        if (path.startsWith("/git/trees/") && method.equals("GET")) {
            return tree(path.substring("/git/trees/".length()), "1".equals(call.query().get("recursive")));
        }
        if (path.equals("/git/trees") && method.equals("POST")) {
            return createTree(call.json());
        }
        if (path.equals("/git/commits") && method.equals("POST")) {
            JsonNode body = call.json();
            Map<String, String> tree = trees.get(body.path("tree").asString());
            if (tree == null) {
                return Reply.json(422, Map.of("message", "Tree SHA does not exist"));
            }
            List<String> parents = new ArrayList<>();
            body.path("parents").forEach(p -> parents.add(p.asString()));
            return Reply.json(201, Map.of("sha", store(tree, parents, body.path("message").asString())));
        }
        if (path.startsWith("/git/ref/") && method.equals("GET")) {
            String sha = refs.get(path.substring("/git/ref/".length()));
            return sha == null ? Reply.json(404, Map.of("message", "Not Found"))
                    : Reply.ok(Map.of("ref", "refs/" + path.substring("/git/ref/".length()), "object", Map.of("sha", sha)));
        }
        if (path.equals("/git/refs") && method.equals("POST")) {
            JsonNode body = call.json();
            String ref = body.path("ref").asString().substring("refs/".length());
            if (refs.putIfAbsent(ref, body.path("sha").asString()) != null) {
                return Reply.json(422, Map.of("message", "Reference already exists"));
            }
            return Reply.json(201, Map.of("ref", "refs/" + ref, "object", Map.of("sha", body.path("sha").asString())));
        }
        if (path.startsWith("/git/refs/") && method.equals("PATCH")) {
            beforeRefUpdate.run();
            beforeRefUpdate = () -> { };
            String ref = path.substring("/git/refs/".length());
            JsonNode body = call.json();
            String sha = body.path("sha").asString();
            if (!refs.containsKey(ref)) {
                return Reply.json(422, Map.of("message", "Reference does not exist"));
            }
            if (!body.path("force").asBoolean(false) && !ancestor(refs.get(ref), sha)) {
                return Reply.json(422, Map.of("message", "Update is not a fast forward"));
            }
            refs.put(ref, sha);
            return Reply.ok(Map.of("ref", "refs/" + ref, "object", Map.of("sha", sha)));
        }
        if (path.startsWith("/compare/") && method.equals("GET")) {
            String[] sides = path.substring("/compare/".length()).split("\\.\\.\\.");
            String base = resolve(sides[0]);
            String head = resolve(sides[1]);
            String status = base.equals(head) ? "identical" : ancestor(base, head) ? "ahead"
                    : ancestor(head, base) ? "behind" : "diverged";
            return Reply.ok(Map.of("status", status));
        }
        if (path.equals("/pulls") && method.equals("GET")) {
            return listPulls(call.query());
        }
        if (path.equals("/pulls") && method.equals("POST")) {
            return openPull(call.json());
        }
        return null;
    }

    private Reply listCommits(Map<String, String> query) {
        String start = resolve(query.getOrDefault("sha", "main"));
        String path = query.get("path");
        int limit = Integer.parseInt(query.getOrDefault("per_page", "30"));
        List<Map<String, Object>> list = new ArrayList<>();
        for (String sha = start; sha != null && list.size() < limit; ) {
            Commit commit = commits.get(sha);
            String parent = commit.parents().isEmpty() ? null : commit.parents().get(0);
            if (path == null || !Objects.equals(under(commit.files(), path),
                    parent == null ? Map.of() : under(commits.get(parent).files(), path))) {
                list.add(Map.of("sha", sha, "html_url", "https://github.com/org/gitops/commit/" + sha,
                        "commit", Map.of("message", commit.message(),
                                "author", Map.of("name", "Dev One", "date", commit.date().toString()),
                                "committer", Map.of("name", "GitHub", "date", commit.date().toString())),
                        "parents", commit.parents().stream().map(p -> Map.of("sha", p)).toList()));
            }
            sha = parent;
        }
        return Reply.ok(list);
    }

    private Reply tree(String sha, boolean recursive) {
        Map<String, String> flat = trees.get(sha);
        if (flat == null) {
            return Reply.json(404, Map.of("message", "Not Found"));
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        Map<String, Boolean> seenDirs = new LinkedHashMap<>();
        flat.forEach((path, blob) -> {
            if (recursive) {
                entries.add(Map.of("path", path, "mode", "100644", "type", "blob", "sha", blob));
            } else if (!path.contains("/")) {
                entries.add(Map.of("path", path, "mode", "100644", "type", "blob", "sha", blob));
            } else {
                String dir = path.substring(0, path.indexOf('/'));
                if (seenDirs.putIfAbsent(dir, true) == null) {
                    entries.add(Map.of("path", dir, "mode", "040000", "type", "tree", "sha", treeSha(flat, dir + "/")));
                }
            }
        });
        return Reply.ok(Map.of("sha", sha, "tree", entries, "truncated", false));
    }

    private Reply createTree(JsonNode body) {
        Map<String, String> base = trees.get(body.path("base_tree").asString());
        if (base == null) {
            return Reply.json(422, Map.of("message", "base_tree is not a valid tree"));
        }
        Map<String, String> tree = new TreeMap<>(base);
        for (JsonNode item : body.path("tree")) {
            String path = item.path("path").asString();
            if (item.path("sha").isNull()) {
                tree.remove(path);
            } else if (!blobs.containsKey(item.path("sha").asString())) {
                return Reply.json(422, Map.of("message", "tree.sha " + item.path("sha").asString() + " is not a valid blob"));
            } else {
                tree.put(path, item.path("sha").asString());
            }
        }
        return Reply.json(201, Map.of("sha", treeSha(tree, "")));
    }

    private Reply listPulls(Map<String, String> query) {
        List<Map<String, Object>> list = new ArrayList<>();
        synchronized (pulls) {
            for (int i = pulls.size() - 1; i >= 0; i--) {
                Pull pull = pulls.get(i);
                String head = query.get("head");
                if ((head == null || head.equals("org:" + pull.head()))
                        && (query.get("base") == null || query.get("base").equals(pull.base()))) {
                    list.add(json(pull));
                }
            }
        }
        return Reply.ok(list);
    }

    private Reply openPull(JsonNode body) {
        String head = body.path("head").asString();
        synchronized (pulls) {
            if (!refs.containsKey("heads/" + head)) {
                return Reply.json(422, Map.of("message", "Validation Failed: head does not exist"));
            }
            if (pulls.stream().anyMatch(p -> p.head().equals(head))) {
                return Reply.json(422, Map.of("message", "A pull request already exists for org:" + head + "."));
            }
            Pull pull = new Pull(pulls.size() + 1, head, body.path("base").asString(), body.path("title").asString(),
                    body.path("body").asString());
            pulls.add(pull);
            return Reply.json(201, json(pull));
        }
    }

    private Map<String, Object> json(Pull pull) {
        boolean isMerged = merged.containsKey(pull.number());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("number", pull.number());
        json.put("html_url", "https://github.com/org/gitops/pull/" + pull.number());
        json.put("state", isMerged ? "closed" : "open");
        json.put("merged_at", isMerged ? "2024-05-02T10:00:00Z" : null);
        json.put("merge_commit_sha", isMerged ? merged.get(pull.number()) : sha1("test merge " + pull.number()));
        json.put("title", pull.title());
        json.put("body", pull.body());
        json.put("head", Map.of("ref", pull.head()));
        json.put("base", Map.of("ref", pull.base()));
        return json;
    }

    String pullTitle(int number) {
        synchronized (pulls) {
            return pulls.get(number - 1).title();
        }
    }

    String pullHead(int number) {
        synchronized (pulls) {
            return pulls.get(number - 1).head();
        }
    }

    private String resolve(String name) {
        return refs.getOrDefault("heads/" + name, name);
    }

    private boolean ancestor(String ancestor, String of) {
        for (String sha = of; sha != null; ) {
            if (sha.equals(ancestor)) {
                return true;
            }
            Commit commit = commits.get(sha);
            sha = commit == null || commit.parents().isEmpty() ? null : commit.parents().get(0);
        }
        return false;
    }

    private String store(Map<String, String> tree, List<String> parents, String message) {
        String treeSha = treeSha(tree, "");
        Instant date = Instant.parse("2024-05-01T10:00:00Z").plusSeconds(60L * clock.incrementAndGet());
        String sha = sha1("commit " + treeSha + " " + parents + " " + message + " " + date);
        commits.put(sha, new Commit(sha, new TreeMap<>(tree), List.copyOf(parents), message, date));
        return sha;
    }

    /** The SHA of the (sub)tree under {@code prefix}, registering it (flattened, relative to the prefix). */
    private String treeSha(Map<String, String> flat, String prefix) {
        Map<String, String> sub = new TreeMap<>();
        flat.forEach((path, blob) -> {
            if (path.startsWith(prefix)) {
                sub.put(path.substring(prefix.length()), blob);
            }
        });
        String sha = sha1("tree " + sub);
        trees.putIfAbsent(sha, sub);
        return sha;
    }

    private static Map<String, String> under(Map<String, String> files, String path) {
        Map<String, String> sub = new TreeMap<>();
        files.forEach((file, blob) -> {
            if (file.equals(path) || file.startsWith(path + "/")) {
                sub.put(file, blob);
            }
        });
        return sub;
    }

    private String blob(String content) {
        String sha = sha1("blob " + content);
        blobs.put(sha, content);
        return sha;
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
