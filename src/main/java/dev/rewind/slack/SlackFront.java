package dev.rewind.slack;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.request.Request;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.request.builtin.SlashCommandRequest;
import com.slack.api.app_backend.SlackSignature;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.socket_mode.SocketModeApp;
import com.slack.api.bolt.util.SlackRequestParser;
import com.slack.api.methods.MethodsClient;
import com.slack.api.socket_mode.SocketModeClient;
import dev.rewind.alerts.AlertIntake;
import dev.rewind.assess.ServiceOverview;
import dev.rewind.rollback.AutoRollback;
import dev.rewind.incident.ReportStore;
import dev.rewind.outbox.Delivery;
import dev.rewind.outbox.OutboxSignal;
import dev.rewind.outbox.OutboxStore;
import dev.rewind.rollback.RunViews;
import dev.rewind.rollback.UserDirectory;
import dev.rewind.rollback.AuditLog;
import dev.rewind.rollback.AnnouncementThreads;
import dev.rewind.rollback.Catalogues;
import dev.rewind.rollback.Mentions;
import dev.rewind.rollback.FollowUpService;
import dev.rewind.rollback.RollbackService;
import dev.rewind.rollback.ApprovalStore;
import dev.rewind.rollback.IncidentRooms;
import dev.rewind.rollback.RunAccess;
import dev.rewind.rollback.RunTimeline;
import dev.rewind.rollback.RunOpenings;
import dev.rewind.rollback.RunRepository;
import dev.rewind.readiness.ServiceReadiness;
import dev.rewind.stats.StatsService;
import dev.rewind.outbox.DeliveryLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Rewind's Slack front end: the Bolt app with its listeners, started in the background (its first
 * {@code auth.test} must not delay start-up or any ack), served over HTTP or Socket Mode.
 */
public final class SlackFront implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SlackFront.class);

    /** How far a request's timestamp may be from now, either way (Bolt checks only the past). */
    static final Duration SKEW = Duration.ofMinutes(5);
    static final String TIMESTAMP = "X-Slack-Request-Timestamp";

    private final App app;
    private final SlackRequestParser parser;
    private final boolean verifiesHttp;
    private final Optional<SlackSignature.Generator> signatures;
    private final Clock clock;
    /** Slash commands already handled, by team, user and trigger id: a captured one replayed in the window is ignored. */
    private final Cache<String, Boolean> commandsSeen = Caffeine.newBuilder().expireAfterWrite(SKEW.multipliedBy(2))
            .maximumSize(100_000).build();
    private final AtomicReference<String> problem = new AtomicReference<>("starting: auth.test not answered yet");
    private volatile SocketModeApp socketMode;

    private SlackFront(App app, Optional<String> signingSecret, Clock clock) {
        this.app = app;
        this.verifiesHttp = signingSecret.isPresent();
        this.signatures = signingSecret.map(SlackSignature.Generator::new);
        this.clock = clock;
        this.parser = new SlackRequestParser(app.config());
    }

    /** The Slack Web API client configuration shared by Bolt and Rewind's own calls. */
    public static Slack slack(String apiUrl) {
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(apiUrl);
        config.setPrettyResponseLoggingEnabled(false);
        config.setFailOnUnknownProperties(false);
        return Slack.getInstance(config);
    }

    /** Everything the listeners need. */
    public record Wiring(Catalogues catalogues, RunOpenings openings, RollbackService rollbacks, RunAccess access,
                         FollowUpService followUps, AutoRollback auto,
                         AlertIntake alerts,
                         ServiceOverview overview, RunRepository runs, AuditLog audit, DeliveryLog deliveries,
                         CardRenderer renderer, Mentions mentions, ExecutorService work, Clock clock,
                         StatsService stats, ServiceReadiness readiness, dev.rewind.drill.Drills drills) {
    }

    public static SlackFront create(Slack slack, String botToken, Optional<String> signingSecret, Wiring w) {
        AppConfig config = AppConfig.builder()
                .slack(slack)
                .singleTeamBotToken(botToken)
                .signingSecret(signingSecret.orElse(null))
                .authTestCacheExpirationMillis(-1)
                // Bolt's own check looks other bots up with bots.info before the ack; AlertEvents
                // compares the sender with this bot's ids from auth.test instead.
                .ignoringSelfEventsEnabled(false)
                .build();
        App app = new App(config);
        MethodsClient client = slack.methods(botToken);
        Replies replies = new Replies(slack, client);
        CommandHandler commands = new CommandHandler(w.catalogues(), w.openings(), w.access(), w.overview(), w.runs(), w.audit(),
                replies, w.mentions(), w.work(), w.clock(), w.stats(), w.readiness(), w.drills());
        CardActions actions = new CardActions(w.openings(), w.rollbacks(), w.followUps(), w.auto(), client, replies, w.mentions(),
                w.deliveries(), w.work());
        AlertEvents alerts = new AlertEvents(w.catalogues(), w.alerts(), w.deliveries());
        SlackListeners.register(app, commands, actions, alerts);
        return new SlackFront(app, signingSecret, w.clock());
    }

    /** The outbox deliveries that speak to Slack: cards, the incident room, its timeline, report uploads. */
    public static List<Delivery> deliveries(MethodsClient client, CardRenderer renderer, RunViews views, RunRepository runs,
                                            RunTimeline timeline, IncidentRooms rooms, ApprovalStore approvals,
                                            Catalogues catalogues, UserDirectory directory, ReportStore reports,
                                            OutboxStore outbox, OutboxSignal signal, SlackMentions mentions,
                                            AnnouncementThreads threads, Clock clock) {
        ChannelPacer pacer = new ChannelPacer(clock);
        return List.of(new CardDelivery(client, renderer, views, runs, timeline, catalogues, pacer, threads, clock),
                new IncidentRoomDelivery(client, views, runs, rooms, approvals, catalogues, directory, reports, outbox, signal, pacer,
                        mentions, clock));
    }

    /** Calls {@code auth.test} and readies the middleware; run it off the request path, again until it works. */
    public void start() {
        try {
            app.start();
            problem.set(null);
            LOG.info("Slack: connected (auth.test ok)");
        } catch (RuntimeException e) {
            problem.set("auth.test failed: " + e.getMessage() + " (retrying every 30 s)");
            LOG.warn("Slack: {}", problem.get());
        }
    }

    /** Whether Socket Mode is already connecting, so a retry does not open a second connection. */
    public boolean connecting() {
        return socketMode != null;
    }

    public void startSocketMode(String appToken) {
        try {
            socketMode = new SocketModeApp(appToken, app, SocketModeClient.Backend.JavaWebSocket);
            socketMode.startAsync();
            LOG.info("Slack: Socket Mode connecting");
        } catch (Exception e) {
            problem.set("Socket Mode failed to start: " + e.getMessage());
            LOG.warn("Slack: {}", problem.get());
        }
    }

    /** Empty when Slack is ready; otherwise why not, for /readyz. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem.get());
    }

    /** One HTTP request on /slack/events through Bolt (signature check included). */
    public Response handle(String path, Map<String, List<String>> query, Map<String, List<String>> headers, String body,
                           String remoteAddress) throws Exception {
        if (!verifiesHttp) {
            // Socket Mode without a signing secret: nothing on HTTP could be verified, so nothing is accepted.
            return Response.builder().statusCode(503).contentType("text/plain; charset=utf-8")
                    .body("Slack events arrive over Socket Mode; set SLACK_SIGNING_SECRET to accept them over HTTP too")
                    .build();
        }
        if (problem.get() != null) {
            return Response.builder().statusCode(503).contentType("text/plain; charset=utf-8")
                    .body("Slack is not ready: " + problem.get()).build();
        }
        Request<?> request = parser.parse(SlackRequestParser.HttpRequest.builder()
                .requestUri(path).queryString(query).headers(new RequestHeaders(headers)).requestBody(body)
                .remoteAddress(remoteAddress).build());
        Optional<Long> sentAt = timestamp(request);
        if (sentAt.isPresent() && sentAt.get() > clock.instant().plus(SKEW).getEpochSecond()) {
            // Bolt accepts any timestamp not older than 5 minutes, so a request signed for the future
            // would stay replayable for as long as its author liked.
            return Response.builder().statusCode(401).contentType("text/plain; charset=utf-8")
                    .body("X-Slack-Request-Timestamp is more than 5 minutes in the future").build();
        }
        if (request instanceof SlashCommandRequest command && signed(request, sentAt) && replayed(command)) {
            // Slack never retries a slash command, so a second delivery is a captured one sent again: acknowledged
            // (nothing for its sender to learn) and not run.
            LOG.warn("Ignored a replayed /rollback (team {}, user {}, trigger {})", command.getPayload().getTeamId(),
                    command.getPayload().getUserId(), command.getPayload().getTriggerId());
            return Response.builder().statusCode(200).contentType("text/plain; charset=utf-8").body("").build();
        }
        return app.run(request);
    }

    private static Optional<Long> timestamp(Request<?> request) {
        try {
            return Optional.ofNullable(request.getHeaders().getFirstValue(TIMESTAMP)).map(String::trim).map(Long::parseLong);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether the request carries a valid signature from within the window: only those may be
     * remembered as seen, or a forged request could block the real one.
     */
    private boolean signed(Request<?> request, Optional<Long> sentAt) {
        String signature = request.getHeaders().getFirstValue(SlackSignature.HeaderNames.X_SLACK_SIGNATURE);
        if (signatures.isEmpty() || sentAt.isEmpty() || signature == null) {
            return false;
        }
        long now = clock.instant().getEpochSecond();
        if (Math.abs(now - sentAt.get()) > SKEW.toSeconds()) {
            return false;
        }
        String expected = signatures.get().generate(Long.toString(sentAt.get()), request.getRequestBodyAsString());
        return expected != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                signature.getBytes(StandardCharsets.UTF_8));
    }

    /** Remembers this command; true when the same team, user and trigger id were seen within the window. */
    private boolean replayed(SlashCommandRequest command) {
        var payload = command.getPayload();
        if (payload == null || payload.getTriggerId() == null || payload.getTriggerId().isBlank()) {
            return false;
        }
        String key = payload.getTeamId() + "\0" + payload.getUserId() + "\0" + payload.getTriggerId();
        return commandsSeen.asMap().putIfAbsent(key, Boolean.TRUE) != null;
    }

    @Override
    public void close() {
        try {
            if (socketMode != null) {
                socketMode.stop();
            }
            app.stop();
        } catch (Exception e) {
            LOG.debug("closing Slack: {}", e.getMessage());
        }
    }
}
