package dev.rewind.bench;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.app_backend.SlackSignature;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.util.SlackRequestParser;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SignedSlack;
import dev.rewind.testing.SlackStub;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How long Slack waits for Rewind's HTTP 200 on {@code POST /slack/events}, against the floor: a bare
 * Bolt-for-Java app on Javalin 7 that acks the same signed slash command with an empty ack, built
 * here the way Rewind serves Bolt (one route, {@link SlackRequestParser}, {@code app.run}, status,
 * content type and body copied back) and measured in the same JVM, with the same client and signing
 * secret. Three targets, each measured in 10 interleaved rounds of 100 after a warm-up:
 * <ul>
 *   <li>bare: the floor;</li>
 *   <li>{@code /rollback help}: answered from memory inside the ack;</li>
 *   <li>{@code /rollback checkout}: acked with "Assessing…" while the assessment starts on a worker;
 *       the next command is sent once its card has been posted, so each ack overlaps only its own
 *       background work (what one person typing sees), not a backlog of a thousand assessments.</li>
 * </ul>
 * Rerun: {@code mvn -B -q -Pbench test -DskipTests -Dbench=dev.rewind.bench.AckLatencyBench}
 */
public final class AckLatencyBench {

    private static final int WARMUP = 2_000;
    private static final int WARMUP_CHECKOUT = 200;
    private static final int ROUNDS = 10;
    private static final int PER_ROUND = 100;
    /** Held so the JUL configuration is not garbage-collected with its logger. */
    private static final Logger MOCK_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    public static void main(String[] args) throws Exception {
        // The fake Kubernetes controllers poll the mock API server every 20 ms; its per-request INFO
        // lines are harness noise, not Rewind's work.
        MOCK_SERVER_LOG.setLevel(Level.WARNING);
        try (RewindFixture rewind = RewindFixture.start();
             SlackStub bareSlack = new SlackStub();
             BareBoltApp bare = BareBoltApp.start(RewindFixture.SECRET, RewindFixture.TOKEN, bareSlack.apiUrl())) {
            rewind.prometheus().returns("errors", 0.18).before(0.004);
            rewind.prometheus().returns("latency", 0.9).before(0.3);
            AtomicInteger cards = new AtomicInteger();
            rewind.slack().server().addMockServiceRequestListener((request, response) -> {
                if (request.getUrl().equals("/api/chat.postMessage") && request.getBodyAsString().contains("blocks=")) {
                    cards.incrementAndGet();
                }
            });
            SignedSlack toBare = new SignedSlack(bare.url() + "/slack/events", RewindFixture.SECRET, rewind.slack());
            SignedSlack toRewind = rewind.signed();
            Target bareTarget = new Target("bare Bolt app, empty ack", toBare, "help", null);
            Target help = new Target("Rewind /rollback help", toRewind, "help", null);
            Target checkout = new Target("Rewind /rollback checkout", toRewind, "checkout bench", cards);

            for (int i = 0; i < WARMUP; i++) {
                bareTarget.once();
                help.once();
            }
            for (int i = 0; i < WARMUP_CHECKOUT; i++) {
                checkout.once();
            }
            Percentiles bareLatency = new Percentiles();
            Percentiles helpLatency = new Percentiles();
            Percentiles checkoutLatency = new Percentiles();
            for (int round = 0; round < ROUNDS; round++) {
                for (int i = 0; i < PER_ROUND; i++) {
                    bareLatency.add(bareTarget.once());
                }
                for (int i = 0; i < PER_ROUND; i++) {
                    helpLatency.add(help.once());
                }
                for (int i = 0; i < PER_ROUND; i++) {
                    checkoutLatency.add(checkout.once());
                }
            }
            long authTests = bareSlack.calls("auth.test").size();

            System.out.println();
            System.out.println("Slack ack latency (signed slash command → HTTP 200 received; one client, sequential, "
                    + "after " + WARMUP + " warm-up requests per target):");
            System.out.println("  " + pad(bareTarget.name) + bareLatency.summary());
            System.out.println("  " + pad(help.name) + helpLatency.summary());
            System.out.println("  " + pad(checkout.name) + checkoutLatency.summary());
            System.out.println(ratios(help.name, helpLatency, bareLatency));
            System.out.println(ratios(checkout.name, checkoutLatency, bareLatency));
            System.out.println(String.format(Locale.ROOT, "  (bare app: %d auth.test call(s) in all; Rewind: %d cards posted "
                    + "for %d checkout commands)", authTests, cards.get(), WARMUP_CHECKOUT + ROUNDS * PER_ROUND));
        }
    }

    private static String ratios(String name, Percentiles rewind, Percentiles bare) {
        return String.format(Locale.ROOT, "  %s / bare: p50 ×%.2f  p95 ×%.2f  p99 ×%.2f  (p99 − bare p99 = %.2f ms)",
                name, rewind.millis(50) / bare.millis(50), rewind.millis(95) / bare.millis(95),
                rewind.millis(99) / bare.millis(99), rewind.millis(99) - bare.millis(99));
    }

    private static String pad(String name) {
        return String.format(Locale.ROOT, "%-28s", name);
    }

    /** One kind of slash command sent to one server; {@code cards}, when given, is waited on after each ack. */
    private static final class Target {
        private final String name;
        private final SignedSlack slack;
        private final String text;
        private final AtomicInteger cards;
        private int sent;

        Target(String name, SignedSlack slack, String text, AtomicInteger cards) {
            this.name = name;
            this.slack = slack;
            this.text = text;
            this.cards = cards;
        }

        /** Sends one command and returns how long the ack took, in nanoseconds. */
        long once() throws InterruptedException {
            String body = slack.commandBody(RewindFixture.ALICE, RewindFixture.CHANNEL, text);
            long timestamp = SignedSlack.now();
            String signature = new SlackSignature.Generator(RewindFixture.SECRET).generate(Long.toString(timestamp), body);
            int cardsBefore = cards == null ? 0 : cards.get();
            long start = System.nanoTime();
            HttpResponse<String> response = slack.post(body, timestamp, signature);
            long elapsed = System.nanoTime() - start;
            if (response.statusCode() != 200) {
                throw new IllegalStateException(name + ": HTTP " + response.statusCode() + " " + response.body());
            }
            sent++;
            if (cards != null) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (cards.get() <= cardsBefore) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(name + ": no card for command " + sent);
                    }
                    Thread.sleep(1);
                }
            }
            return elapsed;
        }
    }

    /**
     * The floor: Bolt with one slash-command listener that acks empty, served by one Javalin route exactly
     * as Rewind's {@code WebServer} and {@code SlackFront} serve theirs, and Bolt configured as Rewind
     * configures it (one bot token, auth.test cached for good after {@code app.start()}).
     */
    static final class BareBoltApp implements AutoCloseable {
        private final App app;
        private final Javalin javalin;

        private BareBoltApp(App app, Javalin javalin) {
            this.app = app;
            this.javalin = javalin;
        }

        static BareBoltApp start(String signingSecret, String botToken, String apiUrl) {
            SlackConfig slackConfig = new SlackConfig();
            slackConfig.setMethodsEndpointUrlPrefix(apiUrl);
            slackConfig.setPrettyResponseLoggingEnabled(false);
            slackConfig.setFailOnUnknownProperties(false);
            App app = new App(AppConfig.builder()
                    .slack(Slack.getInstance(slackConfig))
                    .singleTeamBotToken(botToken)
                    .signingSecret(signingSecret)
                    .authTestCacheExpirationMillis(-1)
                    .ignoringSelfEventsEnabled(false)
                    .build());
            app.command("/rollback", (request, ctx) -> ctx.ack());
            app.start();
            SlackRequestParser parser = new SlackRequestParser(app.config());
            Javalin javalin = Javalin.create(config -> {
                config.startup.showJavalinBanner = false;
                config.startup.showOldJavalinVersionWarning = false;
                config.routes.post("/slack/events", ctx -> serve(ctx, app, parser));
            });
            javalin.start(0);
            return new BareBoltApp(app, javalin);
        }

        private static void serve(Context ctx, App app, SlackRequestParser parser) throws Exception {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            ctx.headerMap().forEach((name, value) -> headers.put(name, List.of(value)));
            Response response = app.run(parser.parse(SlackRequestParser.HttpRequest.builder()
                    .requestUri(ctx.path()).queryString(ctx.queryParamMap()).headers(new RequestHeaders(headers))
                    .requestBody(ctx.body()).remoteAddress(ctx.ip()).build()));
            ctx.status(response.getStatusCode());
            if (response.getHeaders() != null) {
                response.getHeaders().forEach((name, values) -> values.forEach(value -> ctx.header(name, value)));
            }
            if (response.getContentType() != null) {
                ctx.contentType(response.getContentType());
            }
            ctx.result(response.getBody() == null ? "" : response.getBody());
        }

        String url() {
            return "http://127.0.0.1:" + javalin.port();
        }

        @Override
        public void close() throws Exception {
            javalin.stop();
            app.stop();
        }
    }
}
