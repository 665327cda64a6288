package dev.rewind.rollback;

import dev.rewind.slack.ActionIds;
import dev.rewind.testing.KubernetesWorld;
import dev.rewind.testing.PrometheusStub;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SignedSlack;
import dev.rewind.testing.SlackStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real jar as a child process, killed with SIGKILL in the middle of a rollback and started
 * again on the same database: the run reaches a final state and the channel is told.
 */
class CrashRecoveryIT {

    @TempDir
    Path dir;
    private SlackStub slack;
    private PrometheusStub prometheus;
    private KubernetesWorld kubernetes;
    private Process bot;
    private int port;

    @BeforeEach
    void world() throws IOException {
        slack = new SlackStub();
        prometheus = new PrometheusStub();
        prometheus.returns("errors", 0.001).before(0.001);
        kubernetes = new KubernetesWorld();
        kubernetes.deployment("shop", "checkout", 3, "shop/checkout:1.4.0", "shop/checkout:1.4.1", "shop/checkout:1.4.2");
        Files.writeString(dir.resolve("rewind.yml"), String.join("\n",
                "services:",
                "  - name: checkout",
                "    channel: " + CHANNEL,
                "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                "    signals: {errorRate: 'errors'}",
                "    approvers: [" + ALICE + "]",
                "    verification: {checks: 1, interval: 0s}",
                ""));
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
    }

    @AfterEach
    void stop() throws IOException {
        if (bot != null) {
            bot.destroyForcibly();
        }
        for (String name : List.of("first", "second")) {
            Path log = dir.resolve(name + ".log");
            if (Files.exists(log)) {
                System.out.println("---- " + name + " process ----\n" + Files.readString(log));
            }
        }
        kubernetes.close();
        prometheus.close();
        slack.close();
    }

    private Process startBot(String name) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-jar", Path.of("target/rewind.jar").toAbsolutePath().toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        Map<String, String> env = builder.environment();
        env.put("SLACK_BOT_TOKEN", RewindFixture.TOKEN);
        env.put("SLACK_SIGNING_SECRET", RewindFixture.SECRET);
        env.put("SLACK_API_URL", slack.apiUrl());
        env.put("PROMETHEUS_URL", prometheus.url());
        env.put("DATABASE_URL", "jdbc:h2:file:" + dir.resolve("data/rewind"));
        env.put("PORT", Integer.toString(port));
        env.put("KUBECONFIG", kubernetes.kubeconfig(dir).toString());
        env.put("REWIND_PUBLIC_URL", "https://rewind.example.com");
        Process process = builder.start();
        HttpClient http = HttpClient.newHttpClient();
        // ready (the database) and talking to Slack, since the test clicks right away
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/readyz?verbose")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as("GET /readyz?verbose status; it said:%n%s", ready.body()).isEqualTo(200);
            assertThat(ready.body()).as("/readyz?verbose").contains("- slack: ok");
        });
        return process;
    }

    @Test
    void aRollbackInterruptedBySigkillIsFinishedByTheNextProcessAndTheChannelIsTold() throws Exception {
        bot = startBot("first");
        SignedSlack signed = new SignedSlack("http://127.0.0.1:" + port + "/slack/events", RewindFixture.SECRET, slack);
        signed.command(ALICE, CHANNEL, "checkout");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(slack.posted()).as("messages posted").isNotEmpty());
        SlackStub.Post card = slack.postedWithTs().get(0);
        Matcher matcher = Pattern.compile("\"action_id\":\"rewind.roll_back\"[^}]*?\"value\":\"([^\"]+)\"")
                .matcher(card.form().get("blocks"));
        assertThat(matcher.find()).isTrue();
        String value = matcher.group(1);

        kubernetes.pauseController(true);
        signed.click(ALICE, CHANNEL, card.ts(), ActionIds.ROLL_BACK, value);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(kubernetes.image("shop", "checkout")).as("checkout's image").isEqualTo("shop/checkout:1.4.1"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(slack.updates().stream().map(SlackStub::readable))
                .as("card updates").anyMatch(t -> t.contains("Rolling back to r2")));

        bot.destroyForcibly().waitFor();
        kubernetes.pauseController(false);

        bot = startBot("second");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<Map<String, String>> cardUpdates = slack.updates().stream()
                    .filter(update -> card.ts().equals(update.get("ts"))).toList();
            assertThat(cardUpdates).as("updates of the card").isNotEmpty();
            assertThat(SlackStub.readable(cardUpdates.get(cardUpdates.size() - 1))).as("the card as last drawn").contains("done");
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(slack.posted()).as("posts, one telling the channel")
                .anyMatch(post -> post.get("channel").equals(CHANNEL)
                        && post.get("text").contains("Rewind restarted while this rollback was executing; picking it up again")));
        String runId = ActionIds.runId(value);
        String report = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/reports/" + runId + "?format=md")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(report).contains("**State:** SUCCEEDED").contains("picking it up again");
    }
}
