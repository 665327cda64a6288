package dev.rewind;

import com.slack.api.Slack;
import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.adapter.Target;
import dev.rewind.adapter.config.ConfigAdapter;
import dev.rewind.adapter.config.ConfigHistory;
import dev.rewind.adapter.config.ConfigVersionRecorder;
import dev.rewind.adapter.kubernetes.KubernetesDeploymentAdapter;
import dev.rewind.adapter.migration.DatabaseMigrationAdapter;
import dev.rewind.assess.Assessor;
import dev.rewind.assess.ServiceOverview;
import dev.rewind.config.Catalogue;
import dev.rewind.config.CatalogueParser;
import dev.rewind.config.ConfigException;
import dev.rewind.config.Secrets;
import dev.rewind.config.ServiceConfig;
import dev.rewind.config.Settings;
import dev.rewind.incident.IncidentChannel;
import dev.rewind.incident.LoggingIncidentChannel;
import dev.rewind.rollback.ApprovalPolicy;
import dev.rewind.rollback.Catalogues;
import dev.rewind.rollback.Mentions;
import dev.rewind.rollback.RollbackService;
import dev.rewind.rollback.RunExecutor;
import dev.rewind.rollback.RunRepository;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.RunViews;
import dev.rewind.rollback.UserDirectory;
import dev.rewind.rollback.Verifier;
import dev.rewind.signals.SignalSource;
import dev.rewind.signals.UnconfiguredSignalSource;
import dev.rewind.signals.prometheus.PrometheusSignalSource;
import dev.rewind.slack.CardRenderer;
import dev.rewind.slack.SlackFront;
import dev.rewind.slack.SlackIncidentChannel;
import dev.rewind.slack.SlackMentions;
import dev.rewind.slack.SlackUserDirectory;
import dev.rewind.store.Database;
import dev.rewind.store.JdbiAuditLog;
import dev.rewind.store.JdbiConfigHistory;
import dev.rewind.store.JdbiDeliveryLog;
import dev.rewind.store.JdbiRunRepository;
import dev.rewind.web.BotMetrics;
import dev.rewind.web.WebServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The composition root: reads the configuration, builds every part with {@code new}, starts the
 * web server and the Slack front end, and picks up runs a previous process left unfinished.
 */
public final class Rewind implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Rewind.class);

    private final List<AutoCloseable> closeables;
    private final WebServer web;

    private Rewind(WebServer web, List<AutoCloseable> closeables) {
        this.web = web;
        this.closeables = closeables;
    }

    public static void main(String[] args) {
        Rewind rewind;
        try {
            Settings settings = Settings.fromEnvironment();
            rewind = start(settings, new KubernetesClientBuilder().build(), Clock.systemUTC());
        } catch (ConfigException e) {
            LOG.error("Cannot start: {}", e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(rewind::close, "rewind-shutdown"));
    }

    /** Builds and starts everything; the caller owns {@code kubernetes} only until this returns. */
    public static Rewind start(Settings settings, KubernetesClient kubernetes, Clock clock) {
        return start(settings, Secrets.fromEnvironment(), kubernetes, clock);
    }

    /** As {@link #start(Settings, KubernetesClient, Clock)}, with the secrets named in rewind.yml looked up in {@code secrets}. */
    public static Rewind start(Settings settings, Secrets secrets, KubernetesClient kubernetes, Clock clock) {
        LOG.info("Starting Rewind with {}", settings);
        List<AutoCloseable> closeables = new ArrayList<>();
        closeables.add(kubernetes);
        LOG.info("Kubernetes API: {}", kubernetes.getMasterUrl());

        Catalogue catalogue = new CatalogueParser(warning -> LOG.warn("rewind.yml: {}", warning))
                .load(settings.configPath());
        Database database = Database.open(settings.databaseUrl(), settings.databaseUser(), settings.databasePassword());
        closeables.add(0, database);
        JdbiConfigHistory configHistory = new JdbiConfigHistory(database.jdbi());
        AdapterRegistry adapters = new AdapterRegistry(adapters(kubernetes, configHistory, secrets, clock));
        try {
            validateTargets(catalogue, adapters);
        } catch (ConfigException e) {
            database.close();
            throw e;
        }
        LOG.info("Catalogue: {} service(s): {}", catalogue.services().size(), String.join(", ", catalogue.names()));
        Catalogues catalogues = new Catalogues(() -> catalogue);
        ConfigVersionRecorder configRecorder = new ConfigVersionRecorder(kubernetes, configHistory, secrets, clock);
        configRecorder.start(catalogue.services().stream().flatMap(service -> service.targets().stream()).toList());
        closeables.add(0, configRecorder);
        RunRepository runs = new JdbiRunRepository(database.jdbi());
        JdbiAuditLog audit = new JdbiAuditLog(database.jdbi(), clock);
        JdbiDeliveryLog deliveries = new JdbiDeliveryLog(database.jdbi(), clock);

        ExecutorService work = Executors.newFixedThreadPool(16, threads("rewind-work"));
        ExecutorService runWorkers = Executors.newCachedThreadPool(threads("rewind-run"));
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, threads("rewind-timer"));
        ExecutorService slackWorker = Executors.newSingleThreadExecutor(threads("rewind-slack"));
        closeables.add(0, () -> shutdown(work, runWorkers, timers, slackWorker));

        SignalSource signals = settings.prometheusUrl()
                .<SignalSource>map(url -> new PrometheusSignalSource(url, Duration.ofSeconds(2)))
                .orElseGet(UnconfiguredSignalSource::new);
        if (!signals.configured()) {
            LOG.warn("Metrics: PROMETHEUS_URL is not set; cards will say that no metrics source is configured");
        }

        Mentions mentions = new SlackMentions();
        CardRenderer renderer = new CardRenderer(mentions);
        List<String> slackProblems = settings.slackProblems();
        Optional<Slack> slack = slackProblems.isEmpty() || settings.slackBotToken().isPresent()
                ? Optional.of(SlackFront.slack(settings.slackApiUrl())) : Optional.empty();
        IncidentChannel channel;
        UserDirectory directory;
        if (settings.slackBotToken().isPresent()) {
            var client = slack.orElseThrow().methods(settings.slackBotToken().get());
            channel = new SlackIncidentChannel(client, renderer, clock, slackWorker);
            directory = new SlackUserDirectory(client, Duration.ofMinutes(5));
        } else {
            channel = new LoggingIncidentChannel();
            directory = UserDirectory.NONE;
        }

        BotMetrics metrics = new BotMetrics(() -> runs.inStates(RunState.holding()).size());
        ApprovalPolicy policy = new ApprovalPolicy(directory);
        RunViews views = new RunViews(catalogues, runs, policy, channel, settings.publicUrl());
        Assessor assessor = new Assessor(adapters, signals, work, clock, Duration.ofSeconds(5), Duration.ofHours(1));
        Verifier verifier = new Verifier(adapters, signals, clock, Verifier.Sleeper.REAL);
        String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        RunExecutor executor = new RunExecutor(catalogues, adapters, runs, audit, verifier, views, channel, runWorkers,
                timers, clock, owner, metrics);
        RollbackService rollbacks = new RollbackService(catalogues, assessor, runs, audit, policy, channel, executor,
                clock, views);
        ServiceOverview overview = new ServiceOverview(adapters, work, Duration.ofSeconds(5));

        Optional<SlackFront> front = Optional.empty();
        if (slackProblems.isEmpty()) {
            front = Optional.of(SlackFront.create(slack.orElseThrow(), settings.slackBotToken().orElseThrow(),
                    settings.slackSigningSecret(), new SlackFront.Wiring(catalogues, rollbacks, overview, runs, audit,
                            deliveries, renderer, mentions, work, clock)));
            closeables.add(0, front.get());
        } else {
            LOG.warn("Slack: not configured ({}); /slack/events answers 503 and cards are only logged",
                    String.join("; ", slackProblems));
        }
        Optional<SlackFront> slackFront = front;
        WebServer web = new WebServer(new WebServer.Routes(front, String.join("; ", slackProblems), rollbacks, metrics,
                () -> notReady(database, slackFront, slackProblems)));
        web.start(settings.port());
        closeables.add(0, web);
        LOG.info("Listening on port {} (public URL {})", web.port(), settings.publicUrl());

        front.ifPresent(f -> work.submit(() -> {
            f.start();
            settings.slackAppToken().ifPresent(f::startSocketMode);
        }));
        timers.scheduleWithFixedDelay(() -> guarded("re-assessing monitored cards", rollbacks::reassessDue),
                15, 15, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(() -> guarded("forgetting old Slack deliveries",
                () -> deliveries.forgetOlderThan(Duration.ofDays(1))), 1, 60, TimeUnit.MINUTES);
        timers.scheduleWithFixedDelay(() -> guarded("resuming abandoned runs", () -> {
            List<String> resumed = executor.resumeAbandoned();
            if (!resumed.isEmpty()) {
                LOG.info("Resumed run(s) left unfinished: {}", resumed);
            }
        }), 0, 30, TimeUnit.SECONDS);
        return new Rewind(web, closeables);
    }

    public int port() {
        return web.port();
    }

    @Override
    public void close() {
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.debug("closing {}: {}", closeable, e.getMessage());
            }
        }
    }

    /** Every adapter Rewind knows; adding one is one line here. */
    private static List<RollbackAdapter> adapters(KubernetesClient kubernetes, ConfigHistory configHistory,
                                                  Secrets secrets, Clock clock) {
        return List.of(
                new KubernetesDeploymentAdapter(kubernetes),
                new ConfigAdapter(kubernetes, configHistory, secrets, clock),
                new DatabaseMigrationAdapter(kubernetes));
    }

    private static void validateTargets(Catalogue catalogue, AdapterRegistry adapters) {
        for (ServiceConfig service : catalogue.services()) {
            for (Target target : service.targets()) {
                try {
                    adapters.validate(target);
                } catch (Target.InvalidTargetException e) {
                    throw new ConfigException("rewind.yml: service " + service.name() + ": " + e.getMessage());
                }
            }
        }
    }

    private static Map<String, String> notReady(Database database, Optional<SlackFront> slack, List<String> slackProblems) {
        Map<String, String> problems = new LinkedHashMap<>();
        database.problem().ifPresent(p -> problems.put("database", p));
        if (slack.isEmpty()) {
            problems.put("slack", "not configured: " + String.join("; ", slackProblems));
        } else {
            slack.get().problem().ifPresent(p -> problems.put("slack", p));
        }
        return problems;
    }

    private static void guarded(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("{} failed", what, e);
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static void shutdown(ExecutorService... executors) {
        for (ExecutorService executor : executors) {
            executor.shutdownNow();
        }
    }
}
