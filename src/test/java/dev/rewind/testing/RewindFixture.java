package dev.rewind.testing;

import dev.rewind.Rewind;
import dev.rewind.config.Settings;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real Rewind, started in-process on a random port with a fresh H2 database, talking to
 * WireMock for Slack and Prometheus and to fabric8's Kubernetes mock server. Helpers change the
 * world and read back what users would see.
 */
public final class RewindFixture implements AutoCloseable {

    public static final String SECRET = "test-signing-secret";
    public static final String TOKEN = "xoxb-test-token";
    public static final String CHANNEL = "C0CHECKOUT";
    public static final String ALICE = "U0ALICE";
    public static final String BOB = "U0BOB";
    public static final String MALLORY = "U0MALLORY";
    /** What /readyz?verbose says about Slack before its first auth.test has answered. */
    public static final String SLACK_STARTING = "- slack: failing: starting: auth.test not answered yet";

    /** checkout with three revisions, signals, and Alice (or the SRE group) as approver. */
    public static final String CATALOGUE = String.join("\n",
            "services:",
            "  - name: checkout",
            "    channel: " + CHANNEL,
            "    environment: production",
            "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
            "    signals:",
            "      errorRate: 'errors'",
            "      latencyP99: 'latency'",
            "    approvers: [S0SRE, " + ALICE + "]",
            "    approvals: 1",
            "    selfApproval: true",
            "    verification: {checks: 1, interval: 0s}",
            "  - name: cart",
            "    channel: C0CART",
            "    target: {type: kubernetes-deployment, namespace: shop, deployment: cart}",
            "    approvers: [" + ALICE + "]",
            "");

    private final SlackStub slack;
    private final PrometheusStub prometheus;
    private final KubernetesWorld kubernetes;
    private final Path dir;
    private volatile Rewind rewind;
    private volatile SignedSlack signed;
    private final Map<String, String> env;
    private final TestClock clock;
    private final HttpClient http = HttpClient.newHttpClient();

    private RewindFixture(Builder builder) throws IOException {
        this.slack = new SlackStub();
        builder.slackSetup.accept(slack);
        this.prometheus = new PrometheusStub();
        this.kubernetes = new KubernetesWorld();
        this.dir = Files.createTempDirectory("rewind-test");
        Files.writeString(dir.resolve("rewind.yml"), builder.catalogue);
        if (builder.world) {
            kubernetes.deployment("shop", "checkout", 3, "shop/checkout:1.4.0", "shop/checkout:1.4.1", "shop/checkout:1.4.2");
            kubernetes.deployment("shop", "cart", 2, "shop/cart:2.0.0", "shop/cart:2.1.0");
        }
        Map<String, String> env = new HashMap<>();
        env.put("SLACK_BOT_TOKEN", TOKEN);
        env.put("SLACK_SIGNING_SECRET", SECRET);
        env.put("SLACK_API_URL", slack.apiUrl());
        env.put("REWIND_CONFIG", dir.resolve("rewind.yml").toString());
        env.put("DATABASE_URL", builder.databaseUrl != null ? builder.databaseUrl
                : "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        env.put("PORT", "0");
        env.put("REWIND_PUBLIC_URL", "https://rewind.example.com");
        // as a deployment should: a keyed audit chain without the start-up warning on every test's bot
        env.put("REWIND_AUDIT_KEY", "test-audit-key-0123456789abcdef");
        if (builder.prometheus) {
            env.put("PROMETHEUS_URL", prometheus.url());
        }
        env.putAll(builder.env);
        this.env = Map.copyOf(env);
        this.clock = builder.clock;
        startRewind();
    }

    private void startRewind() {
        this.rewind = Rewind.start(Settings.from(env), kubernetes.newClient(), clock);
        this.signed = new SignedSlack(url("/slack/events"), SECRET, slack);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> ready = get("/readyz");
            assertThat(ready.statusCode()).as("GET /readyz status; it said:%n%s", ready.body()).isEqualTo(200);
        });
        // Readiness does not wait for Slack; tests do, until its first auth.test has answered (either way).
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(get("/readyz?verbose").body())
                .as("/readyz?verbose once Slack's first auth.test has answered").doesNotContain(SLACK_STARTING));
    }

    /**
     * Stops Rewind as a shutdown does (work in flight is handed over) and starts a new one on the same
     * database, Slack, Prometheus and cluster, as a restarted process. Its port changes.
     */
    public void restart() {
        rewind.close();
        startRewind();
    }

    /** Stops the bot as SIGTERM does, leaving Slack, Prometheus and the cluster stand-ins running. */
    public void stopRewind() {
        rewind.close();
    }

    /** The rewind.yml this bot reads (and re-reads when it changes). */
    public Path configFile() {
        return dir.resolve("rewind.yml");
    }

    public static Builder builder() {
        return new Builder();
    }

    public static RewindFixture start() throws IOException {
        return builder().build();
    }

    public SlackStub slack() {
        return slack;
    }

    public PrometheusStub prometheus() {
        return prometheus;
    }

    public KubernetesWorld kubernetes() {
        return kubernetes;
    }

    /** Rewind's clock: real time, movable forward. */
    public TestClock clock() {
        return clock;
    }

    public SignedSlack signed() {
        return signed;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + rewind.port() + path;
    }

    public HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url(path))).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Types {@code /rollback text} and waits for the card to be posted; returns the card's post. */
    public Map<String, String> cardFor(String user, String text) {
        int before = cards().size();
        signed.command(user, CHANNEL, text);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(cards())
                .as("a new card for /rollback %s; ephemeral answers so far: %s", text, slack.ephemeralTexts())
                .hasSizeGreaterThan(before));
        return cards().get(before).form();
    }

    /** The latest private answer containing {@code containing}, waited for up to 20 s. */
    public String privateAnswer(String containing) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(slack.ephemeralTexts())
                .as("private answers").anyMatch(t -> t.contains(containing)));
        return slack.ephemeralTexts().stream().filter(t -> t.contains(containing)).reduce((a, b) -> b).orElseThrow();
    }

    /** The value of the card's button {@code actionId} (Block Kit JSON in either key order). */
    public static String buttonValue(String blocks, String actionId) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\"action_id\":\"" + java.util.regex.Pattern.quote(actionId)
                + "\"[^}]*?\"value\":\"([^\"]+)\"|\"value\":\"([^\"]+)\"[^}]*?\"action_id\":\""
                + java.util.regex.Pattern.quote(actionId) + "\"").matcher(blocks);
        org.assertj.core.api.Assertions.assertThat(matcher.find()).as("a " + actionId + " button on the card").isTrue();
        return matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
    }

    /** Every card posted so far (messages with blocks), oldest first, with the ts Slack gave each. */
    public List<SlackStub.Post> cards() {
        return slack.postedWithTs().stream().filter(p -> p.form().containsKey("blocks")).toList();
    }

    /** The latest drawing of the card Slack knows as {@code ts}: its last chat.update, or its post. */
    public String latestCardText(String ts) {
        List<Map<String, String>> updates = slack.updates().stream().filter(u -> ts.equals(u.get("ts"))).toList();
        if (!updates.isEmpty()) {
            return SlackStub.readable(updates.get(updates.size() - 1));
        }
        return slack.postedWithTs().stream().filter(p -> ts.equals(p.ts())).map(p -> SlackStub.readable(p.form()))
                .findFirst().orElse("");
    }

    @Override
    public void close() {
        rewind.close();
        kubernetes.close();
        prometheus.close();
        slack.close();
    }

    public static final class Builder {
        private String catalogue = CATALOGUE;
        private boolean world = true;
        private boolean prometheus = true;
        private String databaseUrl;
        private final TestClock clock = new TestClock();
        private final Map<String, String> env = new HashMap<>();
        private java.util.function.Consumer<SlackStub> slackSetup = stub -> { };

        public Builder catalogue(String yaml) {
            this.catalogue = yaml;
            return this;
        }

        /** Stubs more of Slack's API before Rewind starts (e.g. what it calls at start-up). */
        public Builder slack(java.util.function.Consumer<SlackStub> setup) {
            this.slackSetup = setup;
            return this;
        }

        public Builder withoutPrometheus() {
            this.prometheus = false;
            return this;
        }

        public Builder emptyCluster() {
            this.world = false;
            return this;
        }

        public Builder database(String url) {
            this.databaseUrl = url;
            return this;
        }

        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public RewindFixture build() throws IOException {
            return new RewindFixture(this);
        }
    }
}
