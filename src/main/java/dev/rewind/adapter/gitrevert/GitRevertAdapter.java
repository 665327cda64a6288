package dev.rewind.adapter.gitrevert;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.ApiPermission;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.config.Required;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.http.JsonApi;
import dev.rewind.adapter.http.RetryingHttp;
import dev.rewind.config.Secrets;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code git-revert}: undoes a GitOps deploy in git, through GitHub's REST API only (no clone). The
 * revisions are the newest commits touching {@code path}; rolling back restores {@code path} to its
 * tree as of the chosen commit in one new commit on top of the branch, then either opens a pull
 * request from {@code rewind/<runId>} ({@code mode: pull-request}) or moves the branch
 * ({@code mode: push}, never forced). A re-run for the same run finds its branch, pull request or
 * commit and does not make another.
 *
 * <p>With a {@code sync:} block naming the GitOps tool that deploys the path (Argo CD or Flux),
 * {@code verify} is healthy only once that tool runs a revision containing the revert, synced and
 * healthy; a push waits for it within the step's timeout, a pull request leaves the wait (for the
 * merge, then the sync) to verification. Without it, the revert in git is all Rewind can confirm.
 *
 * <p>Longer than most classes on purpose: an adapter is one file, and this one covers both modes (pull
 * request and push), finding the deploy commit, and recognising its own earlier reverts after a restart.
 */
public final class GitRevertAdapter implements RollbackAdapter {

    public static final String TYPE = "git-revert";
    static final String PULL_REQUEST = "pull-request";
    static final String PUSH = "push";
    static final String BRANCH_PREFIX = "rewind/";
    private static final int HISTORY = 20;
    private static final int PUSH_ATTEMPTS = 3;
    private static final String RUN_MARKER = "(Rewind run ";
    static final Duration DEFAULT_POLL = Duration.ofSeconds(2);

    private final Secrets secrets;
    private final RetryingHttp http;
    private final KubernetesClient kubernetes;
    private final Duration poll;
    /** What this process last did per target, so verify can check that pull request or commit. */
    private final Map<String, Done> done = new ConcurrentHashMap<>();

    private record Done(String runId, String commitSha) {
    }

    /** Where a revert stands in git: on the branch, with the commit that carries it there, or not, with why. */
    private record InGit(Health health, Optional<String> landed) {
    }

    public GitRevertAdapter(Secrets secrets, RetryingHttp http, KubernetesClient kubernetes) {
        this(secrets, http, kubernetes, DEFAULT_POLL);
    }

    /**
     * @param kubernetes reads Flux Kustomizations for {@code sync: {flux: …}}
     * @param poll       how often the GitOps tool is read while a push waits for it to sync
     */
    public GitRevertAdapter(Secrets secrets, RetryingHttp http, KubernetesClient kubernetes, Duration poll) {
        this.secrets = secrets;
        this.http = http;
        this.kubernetes = kubernetes;
        this.poll = poll;
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * The {@code target:} block: {@code {type: git-revert, apiUrl: URL, repo: org/gitops, path: apps/checkout,
     * mode: pull-request, tokenEnv: GITHUB_TOKEN}} ({@code mode: push} moves the branch itself), optionally the
     * {@code branch} (default: the repository's default branch) and a {@code sync:} block ({@link SyncSpec},
     * read strictly there, as it names another system).
     */
    public record Spec(@Required String apiUrl, @Required String repo, @Required String path, String mode,
                       @Required String tokenEnv, String branch, Map<String, Object> sync) {
    }

    @Override
    public Optional<Class<? extends Record>> specType() {
        return Optional.of(Spec.class);
    }

    @Override
    public void validate(Target target) {
        Spec spec = target.as(Spec.class);
        JsonApi.httpUrl(TYPE, "apiUrl", spec.apiUrl());
        if (!spec.repo().matches("[^/\\s]+/[^/\\s]+")) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": 'repo' must be owner/name, got '"
                    + spec.repo() + "'");
        }
        path(target);
        mode(target);
        SyncSpec.of(spec.sync());
    }

    @Override
    public TargetState describe(Target target) {
        GitHubRepo repo = repo(target);
        String branch = branch(target, repo);
        String path = path(target);
        List<GitHubRepo.Commit> commits = commitsTouching(repo, branch, path);
        GitHubRepo.Commit deploy = commits.get(0);
        boolean push = mode(target).equals(PUSH);
        List<TargetState.Fact> facts = new ArrayList<>(List.of(
                new TargetState.Fact("Repository", repo.fullName() + " @ " + branch),
                new TargetState.Fact("Path", path),
                new TargetState.Fact("Deploy commit", deploy.shortSha() + " " + deploy.title() + " (" + deploy.author() + ")"),
                new TargetState.Fact("Rollback", push
                        ? "a revert commit pushed to " + branch
                        : "a pull request reverting " + path + " into " + branch)));
        List<String> warnings = new ArrayList<>();
        Optional<GitOpsSync> sync = sync(target);
        if (sync.isEmpty()) {
            warnings.add("Rewind does not see your GitOps tool, so it cannot confirm that the revert was applied: the"
                    + " rollback is live only once the revert is " + (push ? "" : "merged and ") + "synced (add sync: with"
                    + " argocd or flux to the target, and verification waits for it)");
        } else {
            try {
                facts.add(new TargetState.Fact(sync.get().name(), sync.get().read().summary()));
            } catch (AdapterException e) {
                warnings.add("GitOps sync state unknown: " + e.getMessage());
            }
            if (!push) {
                warnings.add("The rollback is live only once the pull request is merged: verification waits for the"
                        + " merge and for " + sync.get().name() + " to sync it");
            }
        }
        if (commits.size() == 1) {
            warnings.add("Only one commit on " + branch + " touches " + path + ": there is nothing earlier to restore");
        }
        if (deploy.message().contains(RUN_MARKER)) {
            // Offering "the previous commit" now would offer the bad release the revert took out.
            warnings.add("The latest commit on " + path + " is Rewind's own revert " + deploy.shortSha() + " (" + deploy.title()
                    + "): it is already rolled back in git, so no rollback is offered. If it is not live yet, look at "
                    + (push ? "" : "its pull request and ") + "the GitOps tool; to go further back, revert by hand");
            return new TargetState(repo.fullName() + ":" + path, revision(deploy, path), List.of(), facts, warnings);
        }
        return new TargetState(repo.fullName() + ":" + path, revision(deploy, path),
                commits.subList(1, commits.size()).stream().map(c -> revision(c, path)).toList(), facts, warnings);
    }

    @Override
    public Outcome execute(Target target, Change change, Progress progress, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        GitHubRepo repo = repo(target);
        String branch = branch(target, repo);
        String path = path(target);
        List<GitHubRepo.Commit> commits = commitsTouching(repo, branch, path);
        String chosen = chosenCommit(repo, commits, change.revisionId(), path);
        String message = "Revert " + path + " to " + chosen + " " + RUN_MARKER + change.runId() + ")";
        Map<String, String> recorded = new LinkedHashMap<>();
        recorded.put("repo", repo.fullName());
        recorded.put("path", path);
        recorded.put("restoredTo", chosen);
        recorded.put("deployCommit", commits.get(0).sha());
        boolean push = mode(target).equals(PUSH);
        Outcome outcome = push
                ? push(repo, branch, path, chosen, message, change, progress, recorded)
                : pullRequest(repo, branch, path, chosen, message, change, progress, recorded);
        Optional<String> commit = Optional.ofNullable(outcome.recorded().get("commit"));
        commit.ifPresent(sha -> done.put(target.key(), new Done(change.runId(), sha)));
        Optional<GitOpsSync> sync = sync(target);
        if (sync.isEmpty() || commit.isEmpty()) {
            return outcome;
        }
        if (!push) {
            progress.step("Verification waits for the pull request to be merged and for " + sync.get().name() + " to sync it");
            return outcome;
        }
        return new Outcome(outcome.summary() + ". " + awaitSync(sync.get(), repo, branch, commit.get(), progress, deadline,
                timeout).detail(), outcome.recorded());
    }

    private Health awaitSync(GitOpsSync sync, GitHubRepo repo, String branch, String commit, Progress progress,
                             long deadline, Duration timeout) {
        progress.step("Waiting for " + sync.name() + " to sync the revert " + shortSha(commit));
        try {
            return new SyncWait(sync, poll, progress).await(LandedRevert.on(repo, commit), deadline, timeout);
        } catch (AdapterException e) {
            throw new AdapterException("The revert " + shortSha(commit) + " is on " + branch + " of " + repo.fullName()
                    + ", but " + e.getMessage(), e);
        }
    }

    /** Restoring would revert the revert: two commits on the branch people deploy from, for a rehearsal. */
    /** With {@code sync: {flux: …}}: reads the Flux Kustomization that applies the path; otherwise nothing in Kubernetes. */
    @Override
    public List<ApiPermission> permissions(Target target) {
        return SyncSpec.of(target).filter(SyncSpec.Flux.class::isInstance).map(SyncSpec.Flux.class::cast)
                .map(flux -> List.of(new ApiPermission("get", "kustomize.toolkit.fluxcd.io", "kustomizations", flux.namespace())))
                .orElse(List.of());
    }

    @Override
    public Optional<String> notDrillable(Target target) {
        return Optional.of("a drill of git-revert would push a revert and then a revert of it to the branch your GitOps "
                + "tool deploys from; rehearse it on a service whose target is a fork or a test path");
    }

    @Override
    public Health verify(Target target) {
        GitHubRepo repo = repo(target);
        String branch = branch(target, repo);
        Optional<GitOpsSync> sync = sync(target);
        Done last = done.get(target.key());
        String revertTitle = "Revert " + path(target) + " to ";
        InGit git = mode(target).equals(PUSH) ? viaPush(repo, branch, last, revertTitle)
                : viaPullRequest(repo, branch, last, revertTitle);
        if (sync.isEmpty() || git.landed().isEmpty()) {
            return git.health();
        }
        Health synced = sync.get().read().judge(LandedRevert.on(repo, git.landed().get()));
        return new Health(synced.status(), git.health().detail() + "; " + synced.detail());
    }

    /** Without this process's record of the run (a restart), the newest Rewind revert of this path stands in. */
    private static InGit viaPush(GitHubRepo repo, String branch, Done last, String revertTitle) {
        if (last == null) {
            return repo.recentCommits(branch, HISTORY).stream()
                    .filter(c -> c.message().startsWith(revertTitle) && c.message().contains(RUN_MARKER))
                    .findFirst()
                    .map(c -> new InGit(Health.healthy(branch + " of " + repo.fullName() + " contains Rewind's revert "
                            + c.shortSha() + " (" + c.title() + ")"), Optional.of(c.sha())))
                    .orElseGet(() -> new InGit(Health.unhealthy("no Rewind revert commit among the latest " + HISTORY
                            + " commits of " + branch + " in " + repo.fullName()), Optional.empty()));
        }
        return repo.contains(branch, last.commitSha())
                ? new InGit(Health.healthy(branch + " of " + repo.fullName() + " contains the revert commit "
                + shortSha(last.commitSha())), Optional.of(last.commitSha()))
                : new InGit(Health.unhealthy(branch + " of " + repo.fullName() + " no longer contains the revert commit "
                + shortSha(last.commitSha()) + " (was it force-pushed over?)"), Optional.empty());
    }

    /**
     * An open pull request is progressing: the rollback is not in git, let alone live, until someone
     * merges it, and calling the run a success before that would tell people the incident is over.
     */
    private static InGit viaPullRequest(GitHubRepo repo, String branch, Done last, String revertTitle) {
        Optional<GitHubRepo.Pull> pull = last != null ? repo.pullFor(BRANCH_PREFIX + last.runId())
                : repo.newestPullFrom(BRANCH_PREFIX, branch, revertTitle);
        if (pull.isEmpty()) {
            return new InGit(Health.unhealthy("no Rewind pull request into " + branch + " of " + repo.fullName() + " found"),
                    Optional.empty());
        }
        GitHubRepo.Pull found = pull.get();
        if (found.merged()) {
            return new InGit(Health.healthy(found.describe() + ": " + found.url()),
                    found.mergeCommit().or(() -> Optional.ofNullable(last).map(Done::commitSha)));
        }
        if (found.state().equals("open")) {
            return new InGit(Health.progressing("pull request #" + found.number() + " not merged yet: " + found.url()),
                    Optional.empty());
        }
        return new InGit(Health.unhealthy(found.describe() + ": " + found.url()), Optional.empty());
    }

    private Outcome pullRequest(GitHubRepo repo, String branch, String path, String chosen, String message, Change change,
                                Progress progress, Map<String, String> recorded) {
        String runBranch = BRANCH_PREFIX + change.runId();
        Optional<GitHubRepo.Pull> existing = repo.pullFor(runBranch);
        if (existing.isPresent()) {
            progress.step("GitHub: " + existing.get().describe() + " already exists for this run: " + existing.get().url());
            return pullOutcome(repo, path, chosen, existing.get(), repo.branchHead(runBranch).orElse(""), recorded);
        }
        Optional<String> commit = repo.branchHead(runBranch);
        if (commit.isPresent()) {
            progress.step("GitHub: branch " + runBranch + " already exists for this run (" + shortSha(commit.get()) + ")");
        } else {
            String head = repo.branchHead(branch).orElseThrow(() -> new AdapterException("branch " + branch + " not found in "
                    + repo.fullName()));
            Optional<String> revert = new RevertCommit(repo, progress).create(head, chosen, path, message);
            if (revert.isEmpty()) {
                return new Outcome(path + " on " + branch + " of " + repo.fullName() + " already matches " + shortSha(chosen)
                        + "; no pull request needed", recorded);
            }
            commit = revert;
            repo.createBranch(runBranch, commit.get());
            progress.step("GitHub: branch " + runBranch + " created at " + shortSha(commit.get()));
        }
        GitHubRepo.Pull pull = repo.openPull(message, runBranch, branch, body(change, path, chosen));
        progress.step("GitHub: pull request #" + pull.number() + " opened: " + pull.url());
        return pullOutcome(repo, path, chosen, pull, commit.get(), recorded);
    }

    private static Outcome pullOutcome(GitHubRepo repo, String path, String chosen, GitHubRepo.Pull pull, String commit,
                                       Map<String, String> recorded) {
        Map<String, String> facts = new LinkedHashMap<>(recorded);
        facts.put("pullRequest", pull.url());
        if (!commit.isEmpty()) {
            facts.put("commit", commit);
        }
        return new Outcome("Revert of " + path + " in " + repo.fullName() + " to " + shortSha(chosen) + ": " + pull.describe()
                + " " + pull.url() + (pull.merged() ? "" : " — merge it for your GitOps tool to deploy the revert"), facts,
                pull.merged());
    }

    private Outcome push(GitHubRepo repo, String branch, String path, String chosen, String message, Change change,
                         Progress progress, Map<String, String> recorded) {
        String marker = RUN_MARKER + change.runId() + ")";
        Optional<GitHubRepo.Commit> pushed = repo.recentCommits(branch, HISTORY).stream()
                .filter(c -> c.message().contains(marker)).findFirst();
        Map<String, String> facts = new LinkedHashMap<>(recorded);
        if (pushed.isPresent()) {
            progress.step("GitHub: " + branch + " already has this run's revert " + pushed.get().shortSha());
            facts.put("commit", pushed.get().sha());
            return new Outcome(branch + " of " + repo.fullName() + " already has the revert of " + path + " to "
                    + shortSha(chosen) + " (" + pushed.get().shortSha() + ")", facts);
        }
        for (int attempt = 1; attempt <= PUSH_ATTEMPTS; attempt++) {
            String head = repo.branchHead(branch).orElseThrow(() -> new AdapterException("branch " + branch + " not found in "
                    + repo.fullName()));
            Optional<String> revert = new RevertCommit(repo, progress).create(head, chosen, path, message);
            if (revert.isEmpty()) {
                return new Outcome(path + " on " + branch + " of " + repo.fullName() + " already matches " + shortSha(chosen)
                        + "; nothing to push", facts);
            }
            if (repo.fastForward(branch, revert.get())) {
                progress.step("GitHub: " + branch + " moved to revert commit " + shortSha(revert.get()));
                facts.put("commit", revert.get());
                return new Outcome("Pushed " + shortSha(revert.get()) + " to " + branch + " of " + repo.fullName() + ": " + message,
                        facts);
            }
            progress.step("GitHub: " + branch + " moved while the revert was being made; trying again on its new head");
        }
        throw new AdapterException(branch + " of " + repo.fullName() + " kept moving: the revert could not be pushed without"
                + " force after " + PUSH_ATTEMPTS + " attempts");
    }

    /** The full SHA of the chosen revision: a listed commit (by SHA or a prefix of 7+), or any commit of the repository. */
    private static String chosenCommit(GitHubRepo repo, List<GitHubRepo.Commit> commits, String id, String path) {
        Optional<GitHubRepo.Commit> listed = commits.stream()
                .filter(c -> c.sha().equals(id) || (id.length() >= 7 && c.sha().startsWith(id))).findFirst();
        if (listed.isPresent()) {
            if (listed.get().sha().equals(commits.get(0).sha())) {
                throw new AdapterException("revision " + id + " is the deploy commit itself; choose an earlier commit");
            }
            return listed.get().sha();
        }
        if (id.matches("[0-9a-f]{40}") && repo.treeOf(id).isPresent()) {
            return id;
        }
        throw new AdapterException("revision " + id + " is not a commit of " + repo.fullName() + " touching " + path
                + " (latest: " + String.join(", ", commits.stream().limit(5).map(GitHubRepo.Commit::shortSha).toList()) + ")");
    }

    private static List<GitHubRepo.Commit> commitsTouching(GitHubRepo repo, String branch, String path) {
        List<GitHubRepo.Commit> commits = repo.commitsTouching(path, branch, HISTORY);
        if (commits.isEmpty()) {
            throw new AdapterException("path " + path + " not found: no commit on " + branch + " of " + repo.fullName()
                    + " touches it");
        }
        return commits;
    }

    private static String body(Change change, String path, String chosen) {
        return "Rewind run " + change.runId() + " restores `" + path + "` to its state at " + chosen + "."
                + (change.reason().isBlank() ? "" : "\n\nReason: " + change.reason())
                + (change.requestedBy().isBlank() ? "" : "\n\nRequested by " + change.requestedBy() + " in Slack.");
    }

    private static Revision revision(GitHubRepo.Commit commit, String path) {
        return new Revision(commit.sha(), commit.shortSha(), List.of(), commit.date(),
                Optional.of(commit.title() + " (" + commit.author() + ")"), Map.of(path + " as of commit", commit.sha()));
    }

    private static String branch(Target target, GitHubRepo repo) {
        return Optional.ofNullable(target.as(Spec.class).branch()).orElseGet(repo::defaultBranch);
    }

    private Optional<GitOpsSync> sync(Target target) {
        return SyncSpec.of(target).map(spec -> spec instanceof SyncSpec.ArgoCd argo
                ? new ArgoCdSync(argo, secrets, http)
                : new FluxSync(kubernetes, (SyncSpec.Flux) spec));
    }

    private GitHubRepo repo(Target target) {
        Spec spec = target.as(Spec.class);
        String token = JsonApi.secret(secrets, TYPE, "tokenEnv", spec.tokenEnv());
        JsonApi api = new JsonApi(http, "GitHub", JsonApi.httpUrl(TYPE, "apiUrl", spec.apiUrl()), "the token in " + spec.tokenEnv(),
                Map.of("Authorization", "Bearer " + token, "Accept", "application/vnd.github+json",
                        "X-GitHub-Api-Version", "2022-11-28"));
        return new GitHubRepo(api, spec.repo());
    }

    private static String path(Target target) {
        String given = target.as(Spec.class).path();
        String path = given.replaceAll("^/+|/+$", "");
        if (path.isEmpty() || path.contains("..")) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": 'path' must be a path inside the repository, got '"
                    + given + "'");
        }
        return path;
    }

    private static String mode(Target target) {
        String mode = Optional.ofNullable(target.as(Spec.class).mode()).orElse(PULL_REQUEST);
        if (!mode.equals(PULL_REQUEST) && !mode.equals(PUSH)) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": 'mode' must be pull-request or push, got '"
                    + mode + "'");
        }
        return mode;
    }

    static String shortSha(String sha) {
        return sha.length() > 7 ? sha.substring(0, 7) : sha;
    }
}
