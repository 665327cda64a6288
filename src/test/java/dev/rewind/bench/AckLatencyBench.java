package dev.rewind.bench;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
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
 * headers, content type and body copied back) and measured in the same JVM, with the same client and
 * signing secret. One client sends sequentially; after a warm-up, every target gets 10 interleaved
 * rounds of 100 (so drift from other work on the machine hits all of them alike):
 * <ul>
 *   <li>bare Bolt app: the floor;</li>
 *   <li>{@code /rollback help}: answered from memory inside the ack;</li>
 *   <li>{@code /rollback chekout}, a control: an unknown service, answered from memory with the closest
 *       names — the same parsing and catalogue lookup as checkout, but no work started;</li>
 *   <li>{@code /rollback checkout}: acked with "Assessing…" while the assessment starts on a worker.
 *       The next command goes once its card has been posted, so each ack overlaps only its own
 *       background work (what one person typing sees), not a backlog of a thousand assessments;</li>
 *   <li>the bare app and the control again, with a pause after each ack about as long as checkout
 *       waits for its card: an idle process answers more slowly than a busy one, so this is the floor
 *       to hold checkout against.</li>
 * </ul>
 * Rerun: {@code mvn -B -q -Pbench test -DskipTests -Dbench=dev.rewind.bench.AckLatencyBench}
 */
public final class AckLatencyBench {

    private static final int WARMUP = 2_000;
    private static final int WARMUP_CHECKOUT = 200;
    private static final int ROUNDS = 10;
    private static final int PER_ROUND = 100;
    /** About the time checkout's card takes (p50 18–23 ms in our runs), so that paced targets idle between commands as checkout does. */
    private static final long PACE_MILLIS = 20;
    /** Held so the JUL configuration is not garbage-collected with its logger. */
    private static final Logger MOCK_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    public static void main(String[] args) throws Exception {
        // The mock Kubernetes API server logs every request at INFO: harness noise, not Rewind's work.
        MOCK_SERVER_LOG.setLevel(Level.WARNING);
        try (RewindFixture rewind = RewindFixture.start();
             SlackStub bareSlack = new SlackStub();
             BareBoltApp bare = BareBoltApp.start(RewindFixture.SECRET, RewindFixture.TOKEN, bareSlack.apiUrl())) {
            rewind.prometheus().returns("errors", 0.18).before(0.004);
            rewind.prometheus().returns("latency", 0.9).before(0.3);
            // Assessments only read the Deployment; the fake controller's polling every 20 ms would only be
            // load on the shared cores that a real API server puts on another machine.
            rewind.kubernetes().pauseController(true);
            AtomicInteger cards = new AtomicInteger();
            rewind.slack().server().addMockServiceRequestListener((request, response) -> {
                if (request.getUrl().equals("/api/chat.postMessage") && request.getBodyAsString().contains("blocks=")) {
                    cards.incrementAndGet();
                }
            });
            SignedSlack toBare = new SignedSlack(bare.url() + "/slack/events", RewindFixture.SECRET, rewind.slack());
            SignedSlack toRewind = rewind.signed();
            Target floor = new Target("bare Bolt app, empty ack", toBare, "help", null, 0);
            Target help = new Target("Rewind /rollback help", toRewind, "help", null, 0);
            Target unknown = new Target("Rewind /rollback chekout (control)", toRewind, "chekout", null, 0);
            Target checkout = new Target("Rewind /rollback checkout", toRewind, "checkout bench", cards, 0);
            Target pacedFloor = new Target("bare Bolt app, " + PACE_MILLIS + " ms apart", toBare, "help", null, PACE_MILLIS);
            Target pacedUnknown = new Target("Rewind /rollback chekout, " + PACE_MILLIS + " ms apart", toRewind, "chekout",
                    null, PACE_MILLIS);
            List<Target> targets = List.of(floor, help, unknown, checkout, pacedFloor, pacedUnknown);

            for (int i = 0; i < WARMUP; i++) {
                floor.once();
                help.once();
                unknown.once();
            }
            for (int i = 0; i < WARMUP_CHECKOUT; i++) {
                checkout.once();
            }
            checkout.cardWaits.clear();
            for (int round = 0; round < ROUNDS; round++) {
                for (Target target : targets) {
                    for (int i = 0; i < PER_ROUND; i++) {
                        target.measured.add(target.once());
                    }
                }
            }

            System.out.println();
            System.out.println("Slack ack latency (signed slash command → HTTP 200 received; one client, sequential; "
                    + WARMUP + " warm-up requests per target (checkout " + WARMUP_CHECKOUT + "), then " + ROUNDS
                    + " interleaved rounds of " + PER_ROUND + "):");
            for (Target target : targets) {
                System.out.println("  " + pad(target.name) + target.measured.summary(2));
            }
            System.out.println(ratios(help, floor));
            System.out.println(ratios(checkout, floor));
            System.out.println(ratios(checkout, pacedFloor));
            System.out.println(ratios(unknown, floor));
            System.out.println(ratios(pacedUnknown, pacedFloor));
            System.out.println(String.format(Locale.ROOT, "  checkout: the next command went once the card was posted, "
                            + "p50 %.1f ms after the previous send; %d cards for %d commands. Bare app: %d auth.test call(s).",
                    checkout.cardWaits.millis(50), cards.get(), WARMUP_CHECKOUT + ROUNDS * PER_ROUND,
                    bareSlack.calls("auth.test").size()));
        }
    }

    private static String ratios(Target target, Target base) {
        Percentiles rewind = target.measured;
        Percentiles bare = base.measured;
        return String.format(Locale.ROOT, "  %s / %s: p50 ×%.2f  p95 ×%.2f  p99 ×%.2f  (p99 − floor p99 = %+.2f ms)",
                target.name, base.name, rewind.millis(50) / bare.millis(50), rewind.millis(95) / bare.millis(95),
                rewind.millis(99) / bare.millis(99), rewind.millis(99) - bare.millis(99));
    }

    private static String pad(String name) {
        return String.format(Locale.ROOT, "%-38s", name);
    }

    /**
     * One kind of slash command sent to one server. After each ack it waits for the next card when
     * {@code cards} is given, else for {@code pauseMillis}, so that a target can be paced like checkout.
     */
    private static final class Target {
        private final String name;
        private final SignedSlack slack;
        private final String text;
        private final AtomicInteger cards;
        private final long pauseMillis;
        private final Percentiles measured = new Percentiles();
        private final Percentiles cardWaits = new Percentiles();
        private int sent;

        Target(String name, SignedSlack slack, String text, AtomicInteger cards, long pauseMillis) {
            this.name = name;
            this.slack = slack;
            this.text = text;
            this.cards = cards;
            this.pauseMillis = pauseMillis;
        }

        /** Sends one command and returns how long the ack took, in nanoseconds. */
        long once() throws InterruptedException {
            int cardsBefore = cards == null ? 0 : cards.get();
            long start = System.nanoTime();
            long elapsed = TimedCommand.ack(slack, text);
            sent++;
            if (cards != null) {
                long deadline = start + TimeUnit.SECONDS.toNanos(15);
                while (cards.get() <= cardsBefore) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(name + ": no card for command " + sent);
                    }
                    Thread.sleep(1);
                }
                cardWaits.add(System.nanoTime() - start);
            }
            if (pauseMillis > 0) {
                Thread.sleep(pauseMillis);
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
            return start(signingSecret, botToken, apiUrl, 0);
        }

        /** @param port 0 for any free port */
        static BareBoltApp start(String signingSecret, String botToken, String apiUrl, int port) {
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
                config.routes.get("/healthz", ctx -> ctx.result("ok"));
            });
            javalin.start(port);
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
