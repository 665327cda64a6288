package dev.rewind.github;

import dev.rewind.config.Secrets;
import dev.rewind.config.ServiceConfig;
import dev.rewind.incident.ReportStore;
import dev.rewind.outbox.Delivery;
import dev.rewind.outbox.Message;
import dev.rewind.rollback.Catalogues;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunRepository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Opens the issue for a filed report through GitHub's REST API ({@code POST /repos/{owner}/{repo}/issues}).
 * The token comes from the environment variable the service names; it is sent as a bearer token and
 * never logged.
 */
public final class GitHubIssueDelivery implements Delivery {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Catalogues catalogues;
    private final RunRepository runs;
    private final ReportStore reports;
    private final Secrets secrets;
    private final BiConsumer<String, String> filed;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * @param filed told (run id, issue URL) once the issue exists, e.g. to say so in the incident thread
     */
    public GitHubIssueDelivery(Catalogues catalogues, RunRepository runs, ReportStore reports, Secrets secrets,
                               BiConsumer<String, String> filed) {
        this.catalogues = catalogues;
        this.runs = runs;
        this.reports = reports;
        this.secrets = secrets;
        this.filed = filed;
    }

    @Override
    public List<String> kinds() {
        return List.of(GitHubIssuePublisher.KIND);
    }

    @Override
    public Result deliver(Message head, List<Message> following) {
        Optional<RollbackRun> run = head.runId().flatMap(runs::find);
        Optional<ReportStore.Filed> report = head.runId().flatMap(reports::find);
        if (run.isEmpty() || report.isEmpty() || report.get().issueUrl().isPresent()) {
            return new Result.Sent(1);
        }
        Optional<ServiceConfig.Report> rules = catalogues.service(run.get().service()).map(ServiceConfig::report);
        if (rules.isEmpty() || rules.get().github().isEmpty()) {
            return new Result.Sent(1);
        }
        Optional<String> token = secrets.get(rules.get().tokenEnv());
        if (token.isEmpty()) {
            return new Result.Rejected("environment variable " + rules.get().tokenEnv() + " is not set, so no GitHub issue "
                    + "can be filed for " + run.get().service());
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("title", "Rollback of " + run.get().service() + " (" + run.get().environment() + "): "
                + run.get().state().name().toLowerCase() + " — " + run.get().id());
        body.put("body", report.get().markdown());
        body.putArray("labels").add("rollback").add("rewind");
        String url = rules.get().apiUrl().replaceAll("/+$", "") + "/repos/" + rules.get().github().get() + "/issues";
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(20))
                    .header("Authorization", "Bearer " + token.get())
                    .header("Accept", "application/vnd.github+json")
                    .header("X-GitHub-Api-Version", "2022-11-28")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
            return interpret(run.get().id(), response);
        } catch (IOException e) {
            return new Result.Failed("GitHub: " + e.getClass().getSimpleName() + " " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result.Failed("interrupted");
        }
    }

    private Result interpret(String runId, HttpResponse<String> response) {
        int status = response.statusCode();
        if (status == 201) {
            String issue = JSON.readTree(response.body()).path("html_url").asString();
            reports.attachIssue(runId, issue);
            filed.accept(runId, issue);
            return new Result.Sent(1);
        }
        Optional<String> retryAfter = response.headers().firstValue("Retry-After");
        if (status == 429 || (status == 403 && retryAfter.isPresent())) {
            return new Result.Later(Duration.ofSeconds(Long.parseLong(retryAfter.orElse("60").trim())), "GitHub rate limit");
        }
        if (status >= 500) {
            return new Result.Failed("GitHub answered HTTP " + status);
        }
        String message;
        try {
            JsonNode error = JSON.readTree(response.body());
            message = error.path("message").asString();
        } catch (RuntimeException e) {
            message = "";
        }
        return new Result.Rejected("GitHub refused the issue: HTTP " + status + (message.isEmpty() ? "" : " " + message));
    }
}
