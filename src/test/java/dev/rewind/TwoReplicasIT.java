package dev.rewind;

import dev.rewind.slack.ActionIds;
import dev.rewind.testing.KubernetesWorld;
import dev.rewind.testing.PrometheusStub;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SignedSlack;
import dev.rewind.testing.SlackStub;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two replicas, as the HA overlay runs them: two JVMs of the real jar on one PostgreSQL, with one Slack, one
 * Prometheus and one cluster. Clicks spread over both start one run; the replica executing it is killed (SIGKILL)
 * mid-rollout and the other finishes it, once; 2,000 alerts split across both make one card per service and are all
 * counted; a rolling restart (SIGTERM one, start it again, then the other) loses no alert; no Slack message is sent
 * twice.
 */
class TwoReplicasIT {

    private static final int SERVICES = 4;
    private static final String ALERT_TOKEN = "am-token";

    @TempDir
    Path dir;
    private EmbeddedPostgres postgres;
    private SlackStub slack;
    private PrometheusStub prometheus;
    private KubernetesWorld kubernetes;
    private final Map<String, Replica> replicas = new HashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private boolean passed;

    /** One bot process, on its own port. */
    private record Replica(String name, int port, Process process) {
        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }
    }

    @BeforeEach
    void world() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
        slack = new SlackStub();
        prometheus = new PrometheusStub();
        prometheus.returns("errors", 0.001).before(0.001);
        kubernetes = new KubernetesWorld();
        kubernetes.deployment("shop", "checkout", 3, "shop/checkout:1.4.0", "shop/checkout:1.4.1", "shop/checkout:1.4.2");
        StringBuilder yaml = new StringBuilder(String.join("\n",
                "services:",
                "  - name: checkout",
                "    channel: " + CHANNEL,
                "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                "    signals: {errorRate: 'errors'}",
                "    approvers: [" + ALICE + "]",
                "    verification: {checks: 1, interval: 0s, watch: 0s}",
                ""));
        for (int s = 0; s < SERVICES; s++) {
            kubernetes.deployment("shop", service(s), 1, "shop/" + service(s) + ":1.0", "shop/" + service(s) + ":1.1");
            yaml.append(String.join("\n",
                    "  - name: " + service(s),
                    "    channel: " + channel(s),
                    "    target: {type: kubernetes-deployment, namespace: shop, deployment: " + service(s) + "}",
                    "    signals: {errorRate: 'errors'}",
                    "    approvers: [" + ALICE + "]",
                    ""));
        }
        Files.writeString(dir.resolve("rewind.yml"), yaml.toString());
    }

    @AfterEach
    void stop() throws IOException {
        replicas.values().forEach(replica -> replica.process().destroyForcibly());
        if (!passed) {
            try (var logs = Files.list(dir)) {
                for (Path log : logs.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                    List<String> lines = Files.readAllLines(log);
                    System.out.println("---- " + log.getFileName() + " (last 60 lines) ----\n"
                            + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())));
                }
            }
        }
        kubernetes.close();
        prometheus.close();
        slack.close();
        postgres.close();
    }

    @Test
    void twoReplicasOnOnePostgresActAsOneBot() throws Exception {
        List<Future<Replica>> starting = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (String name : List.of("a", "b")) {
            starting.add(pool.submit(() -> start(name, freePort())));
        }
        for (Future<Replica> replica : starting) {
            replicas.put(replica.get().name(), replica.get());
        }

        // 50 clicks on one card, spread over both replicas: one run.
        signed("a").command(ALICE, CHANNEL, "checkout");
        await().atMost(Duration.ofSeconds(30)).until(() -> cardsIn(CHANNEL).size() == 1);
        SlackStub.Post card = cardsIn(CHANNEL).get(0);
        Matcher value = Pattern.compile("\"action_id\":\"rewind.roll_back\"[^}]*?\"value\":\"([^\"]+)\"").matcher(card.form().get("blocks"));
        assertThat(value.find()).isTrue();
        String runId = ActionIds.runId(value.group(1));
        kubernetes.pauseController(true);
        List<Future<HttpResponse<String>>> clicks = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String replica = i % 2 == 0 ? "a" : "b";
            clicks.add(pool.submit(() -> signed(replica).click(ALICE, CHANNEL, card.ts(), ActionIds.ROLL_BACK, value.group(1))));
        }
        for (Future<HttpResponse<String>> click : clicks) {
            assertThat(click.get().statusCode()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> kubernetes.image("shop", "checkout").equals("shop/checkout:1.4.1"));
        assertThat(count("SELECT COUNT(*) FROM runs WHERE state <> 'ASSESSED'")).as("runs that went ahead").isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM audit WHERE action = 'rollback requested'")).isEqualTo(1);

        // The replica executing it is killed mid-rollout; the other takes the run over and finishes it, once.
        String owner = text("SELECT lease_owner FROM runs WHERE id = '" + runId + "'");
        long pid = Long.parseLong(owner.split("/")[1]);
        Replica executing = replicas.values().stream().filter(r -> r.process().pid() == pid).findFirst().orElseThrow();
        executing.process().destroyForcibly().waitFor();
        replicas.remove(executing.name());
        kubernetes.pauseController(false);
        await().atMost(Duration.ofSeconds(90)).until(() -> text("SELECT state FROM runs WHERE id = '" + runId + "'"), "SUCCEEDED"::equals);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(slack.posted())
                .filteredOn(p -> p.getOrDefault("text", "").contains("picking it up again"))
                .as("the channel and the incident room are each told once").extracting(p -> p.get("channel"))
                .containsOnlyOnce(CHANNEL).hasSize(2));
        replicas.put(executing.name(), start(executing.name(), executing.port()));

        // 2,000 alerts over both: every one counted, one card per service.
        send(0, 200, 10);
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(count("SELECT COALESCE(SUM(seen), 0) FROM incident_alerts"))
                .as("notifications counted").isEqualTo(2_000));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (int s = 0; s < SERVICES; s++) {
                assertThat(cardsIn(channel(s))).as("cards in %s", channel(s)).hasSize(1);
            }
        });

        // A rolling restart under load: SIGTERM one replica, start it again, then the other. No alert is lost.
        Future<?> load = pool.submit(() -> send(200, 100, 10));
        for (String name : List.of("a", "b")) {
            Replica old = replicas.get(name);
            old.process().destroy();
            old.process().waitFor();
            replicas.put(name, start(name + "2", old.port()));
        }
        load.get();
        // Every distinct alert of the 300 payloads is on an incident. A payload a stopping replica had begun is
        // processed again by the next one, so a notification may be counted twice, never lost.
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(count("SELECT COUNT(DISTINCT fingerprint) FROM incident_alerts"))
                .as("distinct alerts on incidents").isEqualTo(3_000));
        // A sender retries a payload whose answer a stopping replica cut off (as Alertmanager does): stored again.
        assertThat(count("SELECT COUNT(*) FROM alert_payloads")).as("payloads stored").isGreaterThanOrEqualTo(300);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(count("SELECT COUNT(*) FROM alert_payloads "
                + "WHERE processed_at IS NULL")).as("payloads not processed").isZero());
        assertThat(count("SELECT COALESCE(SUM(seen), 0) FROM incident_alerts")).as("notifications counted").isGreaterThanOrEqualTo(3_000);
        for (int s = 0; s < SERVICES; s++) {
            assertThat(cardsIn(channel(s))).as("cards in %s after the restart", channel(s)).hasSize(1);
        }

        // Every Slack message went out once (the outbox's claims hold across processes).
        Map<String, Long> posts = slack.posted().stream().collect(Collectors.groupingBy(
                p -> p.get("channel") + " | " + p.getOrDefault("thread_ts", "") + " | " + p.getOrDefault("text", ""),
                Collectors.counting()));
        assertThat(posts).as("messages posted more than once").allSatisfy((message, times) -> assertThat(times).as(message).isEqualTo(1L));
        pool.shutdownNow();
        passed = true;
    }

    /** Payloads {@code from}…{@code from+payloads-1}, each of {@code alerts} distinct firing alerts, alternating replicas. */
    private void send(int from, int payloads, int alerts) {
        ExecutorService senders = Executors.newFixedThreadPool(4);
        List<Future<?>> sent = new ArrayList<>();
        for (int i = from; i < from + payloads; i++) {
            int n = i;
            sent.add(senders.submit(() -> post(n % 2 == 0 ? List.of("a", "b") : List.of("b", "a"), payload(n, alerts))));
        }
        for (Future<?> future : sent) {
            try {
                future.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        senders.shutdown();
    }

    /** POSTs to the first replica that answers, as a Service in front of them would; 2xx means stored. */
    private void post(List<String> order, String body) {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < until) {
            for (String name : order) {
                Replica replica = replicas.get(name);
                if (replica == null) {
                    continue;
                }
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(replica.url("/alerts/alertmanager")))
                            .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + ALERT_TOKEN)
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() / 100 == 2) {
                        return;
                    }
                } catch (ConnectException | java.net.http.HttpTimeoutException e) {
                    // that replica is restarting: the other one takes it
                } catch (IOException e) {
                    // a connection closed by a replica stopping: try again
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("no replica took an alert payload for 60 s");
    }

    private static String payload(int n, int alerts) {
        StringBuilder json = new StringBuilder("{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"x\\\"}\",\"status\":\"firing\","
                + "\"receiver\":\"rewind\",\"groupLabels\":{},\"commonLabels\":{},\"commonAnnotations\":{},"
                + "\"externalURL\":\"http://alertmanager:9093\",\"truncatedAlerts\":0,\"alerts\":[");
        for (int k = 0; k < alerts; k++) {
            int j = n * alerts + k;
            String service = service(j % SERVICES);
            String instance = "pod-" + j;
            if (k > 0) {
                json.append(',');
            }
            json.append("{\"status\":\"firing\",\"labels\":{\"alertname\":\"HighErrorRate\",\"service\":\"").append(service)
                    .append("\",\"instance\":\"").append(instance).append("\"},\"annotations\":{\"summary\":\"errors on ")
                    .append(service).append("\"},\"startsAt\":\"2026-12-05T03:00:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\","
                            + "\"generatorURL\":\"http://prometheus/graph\",\"fingerprint\":\"").append(String.format(Locale.ROOT, "%016x", j))
                    .append("\"}");
        }
        return json.append("]}").toString();
    }

    private List<SlackStub.Post> cardsIn(String channel) {
        return slack.postedWithTs().stream().filter(p -> p.form().containsKey("blocks") && channel.equals(p.form().get("channel")))
                .toList();
    }

    private SignedSlack signed(String replica) {
        return new SignedSlack(replicas.get(replica).url("/slack/events"), RewindFixture.SECRET, slack);
    }

    private long count(String sql) throws Exception {
        return Long.parseLong(text(sql));
    }

    private String text(String sql) throws Exception {
        try (Connection db = DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres"));
             Statement statement = db.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private Replica start(String name, int port) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-jar", Path.of("target/rewind.jar").toAbsolutePath().toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        Map<String, String> env = builder.environment();
        env.put("SLACK_BOT_TOKEN", RewindFixture.TOKEN);
        env.put("SLACK_SIGNING_SECRET", RewindFixture.SECRET);
        env.put("SLACK_API_URL", slack.apiUrl());
        env.put("PROMETHEUS_URL", prometheus.url());
        env.put("DATABASE_URL", postgres.getJdbcUrl("postgres", "postgres"));
        env.put("DATABASE_USER", "postgres");
        env.put("PORT", Integer.toString(port));
        env.put("KUBECONFIG", kubernetes.kubeconfig(dir).toString());
        env.put("REWIND_PUBLIC_URL", "https://rewind.example.com");
        env.put("REWIND_AUDIT_KEY", "test-audit-key-0123456789abcdef");
        env.put("ALERTMANAGER_TOKEN", ALERT_TOKEN);
        env.put("REWIND_CONFIG", dir.resolve("rewind.yml").toString());
        Process process = builder.start();
        Replica replica = new Replica(name.substring(0, 1), port, process);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            assertThat(process.isAlive()).as("replica %s is running", name).isTrue();
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(replica.url("/readyz?verbose"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("- slack: ok");
        });
        return replica;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String service(int s) {
        return "shop" + (s + 1);
    }

    private static String channel(int s) {
        return "C0SHOP" + (s + 1);
    }
}
