package dev.rewind;

import com.slack.api.Slack;
import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.config.Target;
import dev.rewind.adapter.argo.ArgoRolloutAdapter;
import dev.rewind.adapter.argocd.ArgoCdAdapter;
import dev.rewind.adapter.bluegreen.BlueGreenAdapter;
import dev.rewind.adapter.config.ConfigAdapter;
import dev.rewind.adapter.config.ConfigHistory;
import dev.rewind.adapter.config.ConfigVersionRecorder;
import dev.rewind.adapter.flags.FeatureFlagAdapter;
import dev.rewind.adapter.gitrevert.GitRevertAdapter;
import dev.rewind.adapter.http.RetryingHttp;
import dev.rewind.adapter.istio.IstioWeightsAdapter;
import dev.rewind.adapter.kubernetes.KubernetesAccessReviewer;
import dev.rewind.adapter.kubernetes.WorkloadInformers;
import dev.rewind.adapter.kubernetes.KubernetesSmokeTests;
import dev.rewind.guard.DeployGuards;
import dev.rewind.drill.Drills;
import dev.rewind.store.JdbiDrillStore;
import dev.rewind.web.DrillMeters;
import dev.rewind.guard.GuardEvaluator;
import dev.rewind.slack.Replies;
import dev.rewind.store.JdbiGuardStore;
import dev.rewind.web.DeploysRoute;
import dev.rewind.web.GuardMeters;
import dev.rewind.adapter.kubernetes.KubernetesDaemonSetAdapter;
import dev.rewind.adapter.kubernetes.KubernetesDeploymentAdapter;
import dev.rewind.adapter.kubernetes.KubernetesStatefulSetAdapter;
import dev.rewind.adapter.migration.DatabaseMigrationAdapter;
import dev.rewind.adapter.symlink.SymlinkReleaseAdapter;
import dev.rewind.adapter.webhook.WebhookAdapter;
import dev.rewind.adapter.webhook.WebhookCallbacks;
import dev.rewind.alerts.AlertIntake;
import dev.rewind.alerts.AlertRetention;
import dev.rewind.assess.Assessor;
import dev.rewind.assess.ServiceOverview;
import dev.rewind.assess.Tier;
import dev.rewind.config.Catalogue;
import dev.rewind.config.CatalogueParser;
import dev.rewind.config.ConfigException;
import dev.rewind.config.Secrets;
import dev.rewind.config.ServiceConfig;
import dev.rewind.config.Settings;
import com.slack.api.methods.MethodsClient;
import dev.rewind.github.GitHubIssueDelivery;
import dev.rewind.github.GitHubIssuePublisher;
import dev.rewind.rollback.IncidentChannel;
import dev.rewind.rollback.LoggingIncidentChannel;
import dev.rewind.incident.ReportFiler;
import dev.rewind.incident.ReportPublisher;
import dev.rewind.incident.ReportStore;
import dev.rewind.outbox.Delivery;
import dev.rewind.outbox.OutboxSignal;
import dev.rewind.outbox.OutboxWorker;
import dev.rewind.rollback.RunEvent;
import dev.rewind.rollback.FollowUpService;
import dev.rewind.rollback.FollowUpTasks;
import dev.rewind.store.JdbiFollowUpTasks;
import dev.rewind.store.JdbiJobLeases;
import dev.rewind.slack.SlackReportPublisher;
import dev.rewind.store.JdbiOutbox;
import dev.rewind.store.JdbiReportStore;
import dev.rewind.rollback.ApprovalPolicy;
import dev.rewind.rollback.AutoRollback;
import dev.rewind.store.JdbiAlertStore;
import dev.rewind.rollback.Catalogues;
import dev.rewind.rollback.Mentions;
import dev.rewind.rollback.RollbackService;
import dev.rewind.rollback.RunAccess;
import dev.rewind.rollback.OpeningGate;
import dev.rewind.rollback.RunOpenings;
import dev.rewind.rollback.RunExecutor;
import dev.rewind.rollback.RunTimeline;
import dev.rewind.rollback.ApprovalStore;
import dev.rewind.rollback.IncidentRooms;
import dev.rewind.store.JdbiRunTimeline;
import dev.rewind.store.JdbiApprovalStore;
import dev.rewind.store.JdbiIncidentRooms;
import dev.rewind.store.JdbiPolicyLedger;

import dev.rewind.rollback.RunLease;
import dev.rewind.rollback.ChangesElsewhere;
import dev.rewind.rollback.DeadlineWatch;
import dev.rewind.rollback.OtherCardsClosing;
import dev.rewind.rollback.RecoveryWatch;
import dev.rewind.rollback.RecoveryWatches;
import dev.rewind.rollback.Stakeholders;
import dev.rewind.statuspage.SignedStatusWebhook;
import dev.rewind.rollback.RunObserver;
import dev.rewind.rollback.RunRepository;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.RunViews;
import dev.rewind.rollback.UserDirectory;
import dev.rewind.rollback.Verifier;
import dev.rewind.signals.SignalSource;
import dev.rewind.signals.http.HttpProbes;
import dev.rewind.signals.UnconfiguredSignalSource;
import dev.rewind.signals.prometheus.PrometheusSignalSource;
import dev.rewind.slack.CardRenderer;
import dev.rewind.slack.SlackFront;
import dev.rewind.readiness.IncidentRoomCheck;
import dev.rewind.readiness.ServiceReadiness;
import dev.rewind.stats.StatsService;
import dev.rewind.stats.RollbackStats;
import dev.rewind.slack.SlackIncidentChannel;
import dev.rewind.slack.SlackMentions;
import dev.rewind.slack.SlackRoomCheck;
import dev.rewind.slack.SlackUserDirectory;
import dev.rewind.store.Database;
import dev.rewind.store.JdbiAuditLog;
import dev.rewind.store.JdbiConfigHistory;
import dev.rewind.pagerduty.PagerDutyEvents;
import dev.rewind.store.JdbiDeliveryLog;
import dev.rewind.store.JdbiEscalationLedger;
import dev.rewind.store.JdbiRecoveryWatches;
import dev.rewind.store.JdbiAnnouncementThreads;
import dev.rewind.store.JdbiRunHistory;
import dev.rewind.store.JdbiRunRepository;
import dev.rewind.web.BotMetrics;
import dev.rewind.web.Readiness;
import dev.rewind.web.ServiceReadinessRoute;
import dev.rewind.web.StatsRoute;
import dev.rewind.web.WebServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The composition root: reads the configuration, builds every part with {@code new}, starts the
 * web server and the Slack front end, and picks up runs a previous process left unfinished.
 *
 * <p>Longer than most classes on purpose: the composition root builds the whole object graph with
 * {@code new}, in one place and in order (no DI container), so its length is the size of the bot.
 */
public final class Rewind implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Rewind.class);

    private final List<AutoCloseable> closeables;
    private final WebServer web;

    private Rewind(WebServer web, List<AutoCloseable> closeables) {
        this.web = web;
        this.closeables = closeables;
    }

    /** Given as the only argument: start, answer a few requests, stop (the image's class-data training run). */
    static final String EXIT_AFTER_START = "--exit-after-start";

    /** Given with a file name: write the namespaced RBAC for rewind.yml there, then exit. */
    static final String WRITE_RBAC = "--write-rbac";

    public static void main(String[] args) {
        boolean exitAfterStart = args.length == 1 && args[0].equals(EXIT_AFTER_START);
        if (args.length == 2 && args[0].equals(WRITE_RBAC)) {
            System.exit(writeRbac(Settings::fromEnvironment, java.nio.file.Path.of(args[1])));
            return;
        }
        if (args.length > 0 && !exitAfterStart) {
            LOG.error("Cannot start: unknown arguments {}; Rewind takes its settings from the environment (README), "
                    + "and as arguments only {} or {} <file>", List.of(args), EXIT_AFTER_START, WRITE_RBAC);
            System.exit(2);
            return;
        }
        Rewind rewind;
        try {
            Settings settings = Settings.fromEnvironment();
            // Building the Kubernetes client (its model and JSON classes) takes as long as opening the database;
            // on two cores they overlap.
            CompletableFuture<KubernetesClient> kubernetes = CompletableFuture.supplyAsync(
                    () -> new KubernetesClientBuilder().build(), runnable -> {
                        Thread thread = new Thread(runnable, "rewind-start-kubernetes");
                        thread.setDaemon(true);
                        thread.start();
                    });
            rewind = start(settings, kubernetes, Clock.systemUTC());
        } catch (ConfigException e) {
            LOG.error("Cannot start: {}", e.getMessage());
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            LOG.error("Cannot start: {} (details below)", e.getMessage(), e);
            System.exit(1);
            return;
        }
        if (exitAfterStart) {
            System.exit(rehearse(rewind) ? 0 : 1);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(rewind::close, "rewind-shutdown"));
    }

    /**
     * Writes a Role and RoleBinding per namespace that rewind.yml's targets use ({@link NamespacedRbac}); the
     * ServiceAccount's namespace is REWIND_NAMESPACE, else {@code rewind}. Nothing is started or connected.
     * @return the process's exit status
     */
    static int writeRbac(java.util.function.Supplier<Settings> environment, java.nio.file.Path file) {
        try {
            Settings settings = environment.get();
            Clock clock = Clock.systemUTC();
            // The same adapters as a running Rewind, on a throwaway in-memory database (the config adapter keeps its
            // history there); nothing here connects to the cluster or to the service's database.
            try (KubernetesClient unconnected = new KubernetesClientBuilder().build();
                 Database scratch = Database.open("jdbc:h2:mem:rbac-" + java.util.UUID.randomUUID(), Optional.empty(),
                         Optional.empty())) {
                AdapterRegistry adapters = new AdapterRegistry(adapters(unconnected, settings.secrets(),
                        new WebhookCallbacks(clock), settings.publicUrl(), new JdbiConfigHistory(scratch), clock));
                Catalogue catalogue = loadCatalogue(settings.configPath(), adapters);
                java.nio.file.Files.writeString(file, NamespacedRbac.render(catalogue, adapters,
                        settings.configPath().getFileName().toString(), settings.namespace()));
                LOG.info("Wrote the namespaced RBAC for {} service(s) to {}", catalogue.services().size(), file);
                return 0;
            }
        } catch (ConfigException e) {
            LOG.error("Cannot write RBAC: {}", e.getMessage());
            return 2;
        } catch (java.io.IOException | RuntimeException e) {
            // NoSuchFileException's message is only the path: the exception's name says what went wrong.
            LOG.error("Cannot write RBAC to {}: {}: {}", file, e.getClass().getSimpleName(), e.getMessage());
            return 1;
        }
    }

    /**
     * The Docker image's training run: with everything started, ask the endpoints a probe and a scrape would ask
     * (so their classes are loaded too), then stop as on SIGTERM. The JVM's -XX:ArchiveClassesAtExit writes the
     * classes it loaded to the archive the image starts from. @return whether every answer was 200
     */
    static boolean rehearse(Rewind rewind) {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        boolean ok = true;
        for (String path : List.of("/healthz", "/readyz?verbose", "/metrics")) {
            try {
                int status = http.send(java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create("http://127.0.0.1:" + rewind.port() + path)).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
                LOG.info("{}: GET {} answered {}", EXIT_AFTER_START, path, status);
                // /readyz may say 503 (no Slack, no cluster where the image is built); it answered, which is the point.
                ok &= status == 200 || path.startsWith("/readyz");
            } catch (java.io.IOException e) {
                LOG.error("{}: GET {} failed: {}", EXIT_AFTER_START, path, e.getMessage());
                ok = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ok = false;
            }
        }
        rewind.close();
        LOG.info("{}: stopped", EXIT_AFTER_START);
        return ok;
    }

    /** Builds and starts everything; the caller owns {@code kubernetes} only until this returns. */
    public static Rewind start(Settings settings, KubernetesClient kubernetes, Clock clock) {
        return start(settings, CompletableFuture.completedFuture(kubernetes), clock);
    }

    private static Rewind start(Settings settings, CompletableFuture<KubernetesClient> kubernetesBeingBuilt, Clock clock) {
        long started = System.nanoTime();
        Secrets secrets = settings.secrets();
        LOG.info("Starting Rewind with {}", settings);
        List<AutoCloseable> closeables = new ArrayList<>();
        WebhookCallbacks webhooks = new WebhookCallbacks(clock);
        Database database;
        try {
            database = Database.open(settings.databaseUrl(), settings.databaseUser(), settings.databasePassword());
        } catch (RuntimeException e) {
            kubernetesBeingBuilt.thenAccept(KubernetesClient::close);
            throw e;
        }
        long databaseReady = System.nanoTime();
        KubernetesClient kubernetes;
        try {
            kubernetes = kubernetesBeingBuilt.join();
        } catch (CompletionException e) {
            database.close();
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        closeables.add(kubernetes);
        closeables.add(0, database);
        LOG.info("Kubernetes API: {}", kubernetes.getMasterUrl());
        JdbiConfigHistory configHistory = new JdbiConfigHistory(database);
        AdapterRegistry adapters = new AdapterRegistry(adapters(kubernetes, secrets, webhooks, settings.publicUrl(),
                configHistory, clock));
        Catalogue catalogue;
        java.util.function.Function<java.nio.file.Path, Catalogue> loadCatalogue = path -> loadCatalogue(path, adapters);
        try {
            catalogue = loadCatalogue.apply(settings.configPath());
        } catch (ConfigException e) {
            database.close();
            throw e;
        }
        LOG.info("Catalogue: {} service(s): {}", catalogue.services().size(), String.join(", ", catalogue.names()));
        CatalogueFile catalogueFile = new CatalogueFile(settings.configPath(), catalogue, loadCatalogue, clock);
        Catalogues catalogues = new Catalogues(catalogueFile::current);
        ConfigVersionRecorder configRecorder = new ConfigVersionRecorder(kubernetes, configHistory, secrets, clock);
        configRecorder.start(catalogue.services().stream().flatMap(service -> service.targets().stream()).toList());
        closeables.add(0, configRecorder);
        RunRepository runs = new JdbiRunRepository(database);
        RunTimeline timeline = new JdbiRunTimeline(database);
        ApprovalStore approvals = new JdbiApprovalStore(database);
        IncidentRooms rooms = new JdbiIncidentRooms(database);
        JdbiAuditLog audit = new JdbiAuditLog(database, clock, settings.auditKey());
        if (settings.auditKey().isEmpty()) {
            LOG.warn("REWIND_AUDIT_KEY is not set: the audit chain is keyed with a key kept in the database, so someone "
                    + "who can read and write the database could rewrite it undetected");
        }
        JdbiDeliveryLog slackDeliveries = new JdbiDeliveryLog(database, clock);
        webhooks.connect(runId -> runs.find(runId).flatMap(run -> catalogues.service(run.service()))
                .map(service -> WebhookAdapter.secretsOf(service.targets(), secrets)).orElse(List.of()));

        // Lease renewals get a thread of their own: nothing slow on the shared timers may let a lease run out.
        // Stopped after the pools below (closeables run first-added last), so a run still draining keeps its lease.
        ScheduledExecutorService leaseRenewals = Executors.newSingleThreadScheduledExecutor(threads("rewind-leases"));
        closeables.add(0, () -> shutdown(leaseRenewals));
        ExecutorService work = Executors.newFixedThreadPool(16, threads("rewind-work"));
        ExecutorService runWorkers = Executors.newCachedThreadPool(threads("rewind-run"));
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, threads("rewind-timer"));
        closeables.add(0, () -> shutdown(work, runWorkers, timers));

        SignalSource signals = settings.prometheusUrl()
                .<SignalSource>map(url -> new PrometheusSignalSource(url, Duration.ofSeconds(2)))
                .orElseGet(UnconfiguredSignalSource::new);
        if (!signals.configured()) {
            LOG.warn("Metrics: PROMETHEUS_URL is not set; cards will say that no metrics source is configured");
        }

        SlackMentions mentions = new SlackMentions();
        CardRenderer renderer = new CardRenderer(mentions);
        JdbiOutbox outbox = new JdbiOutbox(database);
        OutboxSignal outboxSignal = new OutboxSignal();
        ReportStore reportStore = new JdbiReportStore(database);
        List<String> slackProblems = settings.slackProblems();
        Optional<Slack> slack = settings.slackBotToken().isPresent()
                ? Optional.of(SlackFront.slack(settings.slackApiUrl())) : Optional.empty();
        Optional<MethodsClient> client = slack.map(s -> s.methods(settings.slackBotToken().orElseThrow()));
        IncidentChannel channel = client.<IncidentChannel>map(c -> new SlackIncidentChannel(c, renderer, outbox,
                outboxSignal, clock)).orElseGet(LoggingIncidentChannel::new);
        UserDirectory directory = client.<UserDirectory>map(c -> new SlackUserDirectory(c, Duration.ofMinutes(5)))
                .orElse(UserDirectory.NONE);

        BotMetrics metrics = new BotMetrics(database.whileAnswering(() -> runs.inStates(RunState.holding()).size()));
        catalogueFile.metrics(metrics.registry());
        metrics.preset(catalogues.get());
        List<ReportPublisher> publishers = new ArrayList<>();
        client.ifPresent(c -> publishers.add(new SlackReportPublisher(outbox, outboxSignal, clock)));
        publishers.add(new GitHubIssuePublisher(catalogues, outbox, outboxSignal, clock));
        ApprovalPolicy policy = new ApprovalPolicy(directory);
        JdbiAlertStore alertStore = new JdbiAlertStore(database);
        FollowUpTasks followUps = new JdbiFollowUpTasks(database);
        RunViews views = new RunViews(catalogues, runs, rooms, approvals, timeline, policy, channel, settings.publicUrl(), alertStore::digestForRun,
                followUps);
        // Not a secret: where PagerDuty's Events API is (tests point it at a stand-in).
        String pagerDutyUrl = secrets.get("PAGERDUTY_EVENTS_URL").orElse(PagerDutyEvents.DEFAULT_URL);
        RecoveryWatches watches = new JdbiRecoveryWatches(database);
        DeadlineWatch deadlines = new DeadlineWatch(catalogues, runs, new JdbiEscalationLedger(database), channel, timeline, audit,
                new PagerDutyEvents(pagerDutyUrl, secrets), clock);
        // Assessments fan out to Kubernetes and Prometheus on a pool of their own, so callers on `work` never wait on it.
        ExecutorService assessing = Executors.newCachedThreadPool(threads("rewind-assess"));
        closeables.add(0, () -> shutdown(assessing));
        ServiceOverview overview = new ServiceOverview(adapters, assessing, Duration.ofSeconds(5));
        java.util.concurrent.atomic.AtomicReference<RunObserver> drillsObserver = new java.util.concurrent.atomic.AtomicReference<>(
                RunObserver.NONE);
        RunObserver ended = RunObserver.all(metrics, new ReportFiler(reportStore, publishers, clock),
                new OtherCardsClosing(runs, timeline, audit, views, clock), deadlines,
                RecoveryWatch.starter(catalogues, watches, clock),
                new Stakeholders(catalogues, channel, rooms, new SignedStatusWebhook(secrets, clock), settings.publicUrl()),
                new ChangesElsewhere(catalogues, overview, timeline, views, work, clock),
                // Drills are built after the engine they drive; they hear of its runs through this.
                RunObserver.later(drillsObserver::get));
        Assessor assessor = new Assessor(adapters, signals, assessing, clock, Duration.ofSeconds(5), Duration.ofHours(1));
        HttpProbes probes = new HttpProbes();
        Verifier verifier = new Verifier(adapters, signals, probes, new KubernetesSmokeTests(kubernetes), clock,
                Verifier.Sleeper.REAL);
        JdbiJobLeases jobLeases = new JdbiJobLeases(database);
        RunLease.Owner owner = RunLease.Owner.of(hostName(), Long.toString(ProcessHandle.current().pid()));
        RunLease lease = new RunLease(runs, owner, leaseRenewals, clock);
        RunExecutor executor = new RunExecutor(catalogues, adapters, runs, timeline, audit, verifier, views, channel, runWorkers,
                clock, lease, ended, followUps);
        RunAccess access = new RunAccess(policy, audit);
        RunOpenings openings = new RunOpenings(catalogues, assessor, runs, timeline, audit, access, channel, views,
                new OpeningGate(jobLeases, owner.name(), clock), clock);
        RollbackService rollbacks = new RollbackService(catalogues, runs, approvals, timeline, audit, policy, access, channel, executor,
                clock, views, ended);

        List<Delivery> deliveries = new ArrayList<>();
        client.ifPresent(c -> {
            deliveries.addAll(SlackFront.deliveries(c, renderer, views, runs, timeline, rooms, approvals, catalogues, directory, reportStore, outbox,
                    outboxSignal, mentions, new JdbiAnnouncementThreads(database), clock));
        });
        deliveries.add(new GitHubIssueDelivery(catalogues, runs, reportStore, settings.secrets(), (runId, url) -> {
            RunEvent note = new RunEvent(runId, clock.instant(), RunEvent.Kind.NOTE, "Report filed as GitHub issue " + url);
            timeline.append(note);
            views.progress(note);
        }));
        OutboxWorker outboxWorker = new OutboxWorker(outbox, deliveries, outboxSignal, clock, owner.name(),
                (kind, why) -> metrics.slackError(why.contains(":") ? why.substring(0, why.indexOf(':')) : kind));
        outboxWorker.start();
        closeables.add(0, outboxWorker);
        StatsService stats = new StatsService(new JdbiRunHistory(database), clock, service -> catalogues.service(service)
                .map(config -> {
                    Map<Tier, Duration> byTier = new EnumMap<>(Tier.class);
                    config.deadlines().forEach((tier, deadline) -> byTier.put(Tier.valueOf(tier), deadline));
                    return byTier;
                }).orElse(RollbackStats.DEADLINES));
        ServiceReadiness readiness = new ServiceReadiness(adapters, new KubernetesAccessReviewer(kubernetes), signals, directory,
                client.<IncidentRoomCheck>map(SlackRoomCheck::new).orElse(IncidentRoomCheck.NONE), probes, clock);
        Drills drills = new Drills(catalogues, adapters, new JdbiDrillStore(database), openings, rollbacks, runs, timeline, views,
                policy, channel, audit, new DrillMeters(metrics.registry()).preset(catalogues.get()), work, clock);
        drillsObserver.set(drills);
        AutoRollback auto = new AutoRollback(runs, new JdbiPolicyLedger(database), timeline, audit, signals, probes, rollbacks, access, views, catalogues, clock);
        AlertIntake alerts = new AlertIntake(catalogues, alertStore, openings, views, channel, auto, clock,
                metrics::alertReceived);
        closeables.add(0, alerts);

        // The deploy guard: new revisions noticed by informers (every replica; one guard per revision in the
        // database), by a periodic describe, or posted by pipelines; evaluated on one replica at a time.
        JdbiGuardStore guardStore = new JdbiGuardStore(database);
        DeployGuards deployGuards = new DeployGuards(catalogues, adapters, guardStore, runs, audit, clock);
        // Its size is the most queries and probes the guard has in flight against Prometheus and services at once.
        ExecutorService guardQueries = Executors.newFixedThreadPool(8, threads("rewind-guard"));
        closeables.add(0, () -> shutdown(guardQueries));
        GuardEvaluator guardEvaluator = new GuardEvaluator(catalogues, guardStore, signals, probes, openings, auto,
                audit, channel, new GuardMeters(metrics.registry(), database.whileAnswering(guardStore::watchingCount)).preset(catalogues.get()), guardQueries,
                Duration.ofSeconds(5), clock);
        WorkloadInformers informers = new WorkloadInformers(kubernetes, deployGuards::targetChanged);
        closeables.add(0, informers);
        List<Target> guardedWorkloads = catalogues.get().services().stream().filter(s -> s.guard().isPresent())
                .map(ServiceConfig::primaryTarget).filter(WorkloadInformers::watches).toList();
        if (!guardedWorkloads.isEmpty()) {
            // Informers list their namespaces before they report: off the start-up path, so a slow API server is no hold-up.
            work.submit(() -> Housekeeping.guarded("starting the deploy guard's informers", () -> informers.watch(guardedWorkloads)));
        }

        Optional<SlackFront> front = Optional.empty();
        if (slackProblems.isEmpty()) {
            front = Optional.of(SlackFront.create(slack.orElseThrow(), settings.slackBotToken().orElseThrow(),
                    settings.slackSigningSecret(), new SlackFront.Wiring(catalogues, openings, rollbacks, access,
                            new FollowUpService(catalogues, adapters, runs, timeline, followUps, policy, audit, views,
                            ended, clock), auto, alerts, overview, runs, audit,
                            slackDeliveries, renderer, mentions, work, clock, stats, readiness, drills)));
            closeables.add(0, front.get());
        } else {
            LOG.warn("Slack: not configured ({}); /slack/events answers 503 and cards are only logged",
                    String.join("; ", slackProblems));
        }
        Optional<SlackFront> slackFront = front;
        WebServer web = new WebServer(new WebServer.Routes(front, String.join("; ", slackProblems), rollbacks, metrics,
                Readiness.of(database, slackFront, String.join("; ", slackProblems), signals, catalogueFile::problem, clock),
                webhooks, alerts,
                settings.alertmanagerToken(), new StatsRoute(stats, catalogues, settings.apiToken()),
                new ServiceReadinessRoute(readiness, catalogues, settings.apiToken()),
                new DeploysRoute(deployGuards, catalogues, settings.apiToken(), card -> client.flatMap(c ->
                        new Replies(slack.orElseThrow(), c).permalink(card.channel(), card.messageId())), clock)));
        web.start(settings.port());
        closeables.add(0, web);
        LOG.info("Listening on port {} (public URL {}), {} ms after start ({} ms of them opening the database)", web.port(),
                settings.publicUrl(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                TimeUnit.NANOSECONDS.toMillis(databaseReady - started));

        // Jobs on one replica at a time change shared rows; jobs on every replica tend this process's own state.
        Housekeeping housekeeping = new Housekeeping(jobLeases, owner.name(), clock);
        // After the timers stop, before the database closes: a restarted or other replica takes the jobs at once.
        closeables.add(closeables.indexOf(database), () -> {
            if (database.lastProbeAnswered()) {
                housekeeping.releaseLeases();
            }
        });
        // Every replica: each process keeps its own Slack connection.
        // auth.test until it answers: Slack being down at start-up must not leave the bot deaf for good.
        front.ifPresent(f -> housekeeping.every(Duration.ofSeconds(30), Duration.ZERO, "connecting to Slack", () -> {
            if (f.problem().isPresent() && !f.connecting()) {
                f.start();
                if (f.problem().isEmpty()) {
                    settings.slackAppToken().ifPresent(f::startSocketMode);
                }
            }
        }));
        housekeeping
                // Every replica reads its own mounted file.
                .every(Duration.ofSeconds(5), Duration.ofSeconds(5), "reloading rewind.yml when it changes",
                        catalogueFile::reloadIfChanged)
                .everyOnOneReplica(Duration.ofSeconds(5), Duration.ofSeconds(5), "re-assessing monitored cards", openings::reassessDue)
                .everyOnOneReplica(Duration.ofSeconds(1), Duration.ofSeconds(1), "starting automatic rollbacks", auto::runDue)
                .everyOnOneReplica(Duration.ofMinutes(1), Duration.ofMinutes(1), "withdrawing expired requests", rollbacks::expireRequests)
                .everyOnOneReplica(Duration.ofSeconds(5), Duration.ofSeconds(5), "reminding and escalating undecided cards",
                        deadlines::check)
                .everyOnOneReplica(Duration.ofSeconds(5), Duration.ofSeconds(5), "watching recovered services",
                        new RecoveryWatch(catalogues, runs, watches, verifier, openings, timeline, views, audit, ended,
                                clock)::check)
                .everyOnOneReplica(Duration.ofMinutes(5), Duration.ofMinutes(5), "closing quiet alert incidents",
                        () -> alerts.expireQuiet(Optional.empty()))
                .everyOnOneReplica(Duration.ofSeconds(5), Duration.ofSeconds(5), "announcing unrouted alerts", alerts::announceUnrouted)
                .everyOnOneReplica(Duration.ofMillis(250), Duration.ofSeconds(1), "evaluating deploy guards", guardEvaluator::evaluateDue)
                .everyOnOneReplica(Duration.ofSeconds(5), Duration.ofSeconds(5), "tending drills", drills::tend)
                .everyOnOneReplica(Duration.ofSeconds(15), Duration.ofSeconds(5), "starting scheduled drills", drills::runScheduled)
                .everyOnOneReplica(Duration.ofSeconds(30), Duration.ofSeconds(30), "looking for new revisions of unwatched targets",
                        () -> deployGuards.pollUnwatched(WorkloadInformers::watches))
                .everyOnOneReplica(Duration.ofMinutes(60), Duration.ofMinutes(2), "deleting alerts older than the retention",
                        new AlertRetention(alertStore, () -> catalogues.get().retention(), clock)::run)
                .everyOnOneReplica(Duration.ofMinutes(60), Duration.ofMinutes(1), "forgetting old Slack deliveries and sent messages", () -> {
                    slackDeliveries.forgetOlderThan(Duration.ofDays(1));
                    outbox.forgetSentBefore(clock.instant(), Duration.ofDays(1));
                })
                // Every replica: each run's own lease already lets one process take it over.
                .every(Duration.ofSeconds(30), Duration.ZERO, "resuming abandoned runs", () -> {
                    List<String> resumed = executor.resumeAbandoned();
                    if (!resumed.isEmpty()) {
                        LOG.info("Resumed run(s) left unfinished: {}", resumed);
                    }
                })
                .start(timers);
        work.submit(() -> Housekeeping.guarded("resuming stored alerts", () -> {
            int resumed = alerts.resume(settings.alertmanagerToken().isPresent());
            if (resumed > 0) {
                LOG.info("Processed {} alert payload(s) stored before a restart", resumed);
            }
        }));
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
    private static List<RollbackAdapter> adapters(KubernetesClient kubernetes, Secrets secrets, WebhookCallbacks webhooks,
                                                  String publicUrl, ConfigHistory configHistory, Clock clock) {
        RetryingHttp http = new RetryingHttp(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build(), RetryingHttp.Backoff.DEFAULT);
        return List.of(
                new KubernetesDeploymentAdapter(kubernetes),
                new KubernetesStatefulSetAdapter(kubernetes),
                new KubernetesDaemonSetAdapter(kubernetes),
                new BlueGreenAdapter(kubernetes),
                new ArgoRolloutAdapter(kubernetes),
                new IstioWeightsAdapter(kubernetes),
                new ConfigAdapter(kubernetes, configHistory, secrets, clock),
                new DatabaseMigrationAdapter(kubernetes, clock),
                new FeatureFlagAdapter(secrets, http),
                new ArgoCdAdapter(secrets, http),
                new GitRevertAdapter(secrets, http, kubernetes),
                new WebhookAdapter(secrets, http, webhooks, publicUrl),
                // 4s per host read keeps describe inside the assessor's 5s budget for a card
                new SymlinkReleaseAdapter(Duration.ofSeconds(4)));
    }

    /** rewind.yml parsed and every target checked by its adapter; warnings are logged. */
    private static Catalogue loadCatalogue(java.nio.file.Path path, AdapterRegistry adapters) {
        Catalogue loaded = new CatalogueParser(warning -> LOG.warn("rewind.yml: {}", warning), adapters::destructive).load(path);
        validateTargets(loaded, path.toString(), adapters);
        return loaded;
    }

    private static void validateTargets(Catalogue catalogue, String source, AdapterRegistry adapters) {
        for (int i = 0; i < catalogue.services().size(); i++) {
            ServiceConfig service = catalogue.services().get(i);
            List<Target> targets = service.targets();
            for (int j = 0; j < targets.size(); j++) {
                String place = source + ".services[" + i + "] (" + service.name() + ")"
                        + (targets.size() == 1 ? ".target" : ".targets[" + j + "]");
                try {
                    adapters.validate(targets.get(j), place, warning -> LOG.warn("rewind.yml: {}", warning));
                } catch (Target.InvalidTargetException e) {
                    throw new ConfigException("rewind.yml: service " + service.name() + ": " + e.getMessage());
                }
            }
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown-host";
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

    /** Stops the pools and gives running rollbacks a moment to hand their runs over before the database closes. */
    private static void shutdown(ExecutorService... executors) {
        for (ExecutorService executor : executors) {
            executor.shutdownNow();
        }
        for (ExecutorService executor : executors) {
            try {
                executor.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
