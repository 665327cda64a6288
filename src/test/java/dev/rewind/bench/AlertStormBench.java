package dev.rewind.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SignedSlack;
import org.slf4j.LoggerFactory;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The alert-storm issue as a benchmark: 5,000 alerts in 10 seconds for 20 services must all be
 * stored, open at most one card per service, and leave Slack acks on {@code /slack/events} under
 * 100 ms p99 meanwhile.
 * <p>
 * Rewind runs with a catalogue of 20 services ({@code shop-01} … {@code shop-20}, each a
 * kubernetes-deployment target with its own channel and an error-rate signal); the 20 Deployments
 * exist in the mock cluster with two revisions each, so every card is a real assessment (the fake
 * Deployment controller is paused once they exist: nothing changes them, and its polling would only
 * add harness load to the shared cores). 500
 * Alertmanager v4 payloads of 10 firing alerts (one alertname, 10 services each) are POSTed to
 * {@code /alerts/alertmanager}, one every 20 ms, by 8 sender threads; across the storm every service
 * gets 250 notifications of 25 distinct alerts (5 names × 5 instances). Meanwhile one thread sends a
 * signed {@code /rollback help} every 20 ms and records each ack. The same probe runs for 10 s with no
 * storm first, in the same run, as the baseline. Afterwards the bench waits for every payload to be
 * processed and the outbox to drain, then reads the database (a named in-memory H2 it opens itself)
 * and the Slack stub. Rerun:
 * {@code mvn -B -q -Pbench test -DskipTests -Dbench=dev.rewind.bench.AlertStormBench}
 */
public final class AlertStormBench {

    private static final int SERVICES = 20;
    private static final int PAYLOADS = 500;
    private static final int ALERTS_PER_PAYLOAD = 10;
    private static final int ALERTS = PAYLOADS * ALERTS_PER_PAYLOAD;
    private static final Duration STORM = Duration.ofSeconds(10);
    private static final int SENDERS = 8;
    private static final String[] ALERT_NAMES = {"HighErrorRate", "HighLatency", "PodCrashLooping", "SaturationHigh",
            "ErrorBudgetBurn"};
    private static final int INSTANCES = 5;
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(20);
    private static final int PROBE_WARMUP = 1_000;
    private static final double ACK_TARGET_MS = 100;
    private static final String DATABASE = "jdbc:h2:mem:storm;DB_CLOSE_DELAY=-1";
    /** Held so the JUL configuration is not garbage-collected with its logger. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    public static void main(String[] args) throws Exception {
        MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
        LogCounter logs = LogCounter.attach();
        try (RewindFixture rewind = RewindFixture.builder().catalogue(catalogue()).emptyCluster().database(DATABASE).build();
             Connection db = DriverManager.getConnection(DATABASE)) {
            rewind.prometheus().returns("errors", 0.12).before(0.004);
            for (int s = 0; s < SERVICES; s++) {
                rewind.kubernetes().deployment("shop", service(s), 2, "shop/" + service(s) + ":1.0.0",
                        "shop/" + service(s) + ":1.1.0");
            }
            // Nothing changes a Deployment from here on; the fake controller's polling every 20 ms would
            // only be load on the shared 2 cores that a real API server puts on another machine.
            rewind.kubernetes().pauseController(true);
            List<String> bodies = new ArrayList<>();
            Instant startsAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            for (int i = 0; i < PAYLOADS; i++) {
                bodies.add(payload(i, startsAt));
            }

            Probe probe = new Probe(rewind.signed());
            for (int i = 0; i < PROBE_WARMUP; i++) {
                TimedCommand.ack(rewind.signed(), "help");
            }
            Usage quietStart = Usage.now();
            ThreadCpu quietThreads = ThreadCpu.snapshot();
            Thread quietProbe = probe.start();
            Thread.sleep(STORM.toMillis());
            probe.stop(quietProbe);
            Usage quietEnd = Usage.now();
            Map<String, Long> quietCpu = quietThreads.since();
            List<Probe.Sample> quiet = probe.drain();

            logs.reset();
            ThreadCpu threads = ThreadCpu.snapshot();
            Usage before = Usage.now();
            Thread stormProbe = probe.start();
            Storm storm = Storm.run(rewind.url("/alerts/alertmanager"), bodies);
            Usage afterSending = Usage.now();
            long processedAt = waitUntilProcessed(db, Duration.ofMinutes(3));
            probe.stop(stormProbe);
            Usage afterProcessing = Usage.now();
            Map<String, Long> cpuByThread = threads.since();
            List<Probe.Sample> duringStorm = probe.drain();
            long drained = waitUntilOutboxEmpty(db, Duration.ofMinutes(2));

            List<String> problems = report(rewind, db, storm, quiet, duringStorm, processedAt, drained);
            System.out.println("  JVM (Rewind, its stubs and this bench share it; " + Runtime.getRuntime().availableProcessors()
                    + " CPUs): no storm " + quietStart.to(quietEnd) + "; while sending " + before.to(afterSending)
                    + "; until processed " + afterSending.to(afterProcessing));
            System.out.println("  CPU by thread group, no storm: " + ThreadCpu.format(quietCpu));
            System.out.println("  CPU by thread group, storm start → every payload processed: " + ThreadCpu.format(cpuByThread));
            System.out.println(String.format(Locale.ROOT, "  alert lanes (rewind-alerts-*): %.2f ms of CPU per alert",
                    cpuByThread.getOrDefault("rewind-alerts", 0L) / 1e6 / ALERTS));
            System.out.println("  Rewind log lines at WARN or above during the storm: " + logs.count() + logs.firstFew());
            if (!problems.isEmpty()) {
                throw new IllegalStateException("alert storm: " + problems);
            }
            System.out.println("  nothing lost, no second card");
        }
    }

    // ---- the storm ------------------------------------------------------------------------------

    /** Payload {@code i}: 10 firing alerts with one alertname, for services {@code i*10 % 20 …}, as Alertmanager v4 sends them. */
    static String payload(int i, Instant startsAt) {
        StringBuilder alerts = new StringBuilder();
        String name = null;
        for (int k = 0; k < ALERTS_PER_PAYLOAD; k++) {
            int j = i * ALERTS_PER_PAYLOAD + k;
            String service = service(j % SERVICES);
            name = ALERT_NAMES[(j / SERVICES) % ALERT_NAMES.length];
            String instance = "pod-" + (j / (SERVICES * ALERT_NAMES.length)) % INSTANCES;
            Map<String, String> labels = new TreeMap<>(Map.of("alertname", name, "service", service,
                    "instance", instance, "severity", "page"));
            if (k > 0) {
                alerts.append(',');
            }
            alerts.append("{\"status\":\"firing\",\"labels\":").append(json(labels))
                    .append(",\"annotations\":{\"summary\":\"").append(name).append(" on ").append(service).append(' ')
                    .append(instance).append("\"},\"startsAt\":\"").append(startsAt)
                    .append("\",\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":\"http://prometheus:9090/graph\"")
                    .append(",\"fingerprint\":\"").append(fingerprint(labels)).append("\"}");
        }
        return "{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"" + name + "\\\"}\",\"status\":\"firing\","
                + "\"receiver\":\"rewind\",\"groupLabels\":{\"alertname\":\"" + name + "\"},\"commonLabels\":{\"alertname\":\""
                + name + "\",\"severity\":\"page\"},\"commonAnnotations\":{},\"externalURL\":\"http://alertmanager:9093\","
                + "\"truncatedAlerts\":0,\"alerts\":[" + alerts + "]}";
    }

    private static String json(Map<String, String> labels) {
        return labels.entrySet().stream().map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                .collect(Collectors.joining(",", "{", "}"));
    }

    /** As Alertmanager does: a hash of the label set, 16 hex digits. */
    private static String fingerprint(Map<String, String> labels) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(labels.toString().getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String service(int s) {
        return String.format(Locale.ROOT, "shop-%02d", s + 1);
    }

    static String channel(int s) {
        return String.format(Locale.ROOT, "C0SHOP%02d", s + 1);
    }

    static String catalogue() {
        StringBuilder yaml = new StringBuilder("services:\n");
        for (int s = 0; s < SERVICES; s++) {
            yaml.append("  - name: ").append(service(s)).append('\n')
                    .append("    channel: ").append(channel(s)).append('\n')
                    .append("    environment: production\n")
                    .append("    target: {type: kubernetes-deployment, namespace: shop, deployment: ").append(service(s)).append("}\n")
                    .append("    signals: {errorRate: 'errors'}\n")
                    .append("    approvers: [").append(RewindFixture.ALICE).append("]\n");
        }
        return yaml.toString();
    }

    /** 500 payloads, payload i due at start + i × 20 ms, taken in order by 8 sender threads. */
    record Storm(long startNanos, long lastSentNanos, long endNanos, List<Long> latencies, Map<Integer, Integer> statuses,
                 List<String> failures, long maxLagNanos, int alertsAccepted) {

        static Storm run(String url, List<String> bodies) throws InterruptedException {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            long spacing = STORM.toNanos() / bodies.size();
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            AtomicInteger next = new AtomicInteger();
            ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
            Map<Integer, Integer> statuses = new java.util.concurrent.ConcurrentHashMap<>();
            List<String> failures = new CopyOnWriteArrayList<>();
            AtomicLong maxLag = new AtomicLong();
            AtomicLong lastSent = new AtomicLong();
            AtomicLong end = new AtomicLong();
            AtomicInteger accepted = new AtomicInteger();
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < SENDERS; t++) {
                Thread sender = new Thread(() -> {
                    for (int i = next.getAndIncrement(); i < bodies.size(); i = next.getAndIncrement()) {
                        long due = start + i * spacing;
                        parkUntil(due);
                        long sent = System.nanoTime();
                        maxLag.accumulateAndGet(sent - due, Math::max);
                        lastSent.accumulateAndGet(sent, Math::max);
                        try {
                            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i))).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            long done = System.nanoTime();
                            latencies.add(done - sent);
                            end.accumulateAndGet(done, Math::max);
                            statuses.merge(response.statusCode(), 1, Integer::sum);
                            if (response.statusCode() == 200 && response.body().contains("\"alerts\":" + ALERTS_PER_PAYLOAD)) {
                                accepted.addAndGet(ALERTS_PER_PAYLOAD);
                            } else {
                                failures.add("payload " + i + ": HTTP " + response.statusCode() + " " + response.body());
                            }
                        } catch (Exception e) {
                            end.accumulateAndGet(System.nanoTime(), Math::max);
                            failures.add("payload " + i + ": " + e);
                        }
                    }
                }, "storm-sender-" + t);
                sender.start();
                senders.add(sender);
            }
            for (Thread sender : senders) {
                sender.join();
            }
            return new Storm(start, lastSent.get(), end.get(), List.copyOf(latencies), Map.copyOf(statuses),
                    List.copyOf(failures), maxLag.get(), accepted.get());
        }
    }

    // ---- the Slack ack probe ----------------------------------------------------------------------

    /**
     * A signed {@code /rollback help} every 20 ms on one thread. When an ack takes longer than the
     * interval the next command goes at once (no catch-up burst); {@link Sample#lagNanos()} keeps how
     * late it went, so slow acks that hid further samples are visible.
     */
    static final class Probe {
        record Sample(long sentNanos, long latencyNanos, long lagNanos) {
        }

        private final SignedSlack slack;
        private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean running = new AtomicBoolean();

        Probe(SignedSlack slack) {
            this.slack = slack;
        }

        Thread start() {
            running.set(true);
            Thread thread = new Thread(() -> {
                long due = System.nanoTime();
                while (running.get()) {
                    parkUntil(due);
                    long sent = System.nanoTime();
                    long latency = TimedCommand.ack(slack, "help");
                    samples.add(new Sample(sent, latency, sent - due));
                    due = Math.max(due + PROBE_INTERVAL.toNanos(), System.nanoTime());
                }
            }, "ack-probe");
            thread.start();
            return thread;
        }

        void stop(Thread thread) throws InterruptedException {
            running.set(false);
            thread.join();
        }

        List<Sample> drain() {
            List<Sample> out = new ArrayList<>(samples);
            samples.clear();
            return out;
        }
    }

    private static void parkUntil(long nanos) {
        for (long wait = nanos - System.nanoTime(); wait > 0; wait = nanos - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
    }

    // ---- waiting and reading back --------------------------------------------------------------------

    /** @return System.nanoTime() when every payload was stored and marked processed */
    private static long waitUntilProcessed(Connection db, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            if (count(db, "SELECT COUNT(*) FROM alert_payloads WHERE processed_at IS NOT NULL") >= PAYLOADS) {
                return System.nanoTime();
            }
            Thread.sleep(20);
        }
        System.out.println("!! not every payload was processed within " + atMost.toSeconds() + " s");
        return System.nanoTime();
    }

    /** @return System.nanoTime() when no outbox message was left unsent (card redraws done) */
    private static long waitUntilOutboxEmpty(Connection db, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            if (count(db, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == 0) {
                return System.nanoTime();
            }
            Thread.sleep(50);
        }
        System.out.println("!! the outbox still had unsent messages after " + atMost.toSeconds() + " s");
        return System.nanoTime();
    }

    private static long count(Connection db, String sql) throws SQLException {
        try (Statement statement = db.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** Prints what happened; returns what went wrong in what must hold whatever the timing (nothing lost, ≤ 1 card). */
    private static List<String> report(RewindFixture rewind, Connection db, Storm storm, List<Probe.Sample> quiet,
                                       List<Probe.Sample> probed, long processedAt, long drainedAt) throws Exception {
        List<String> problems = new ArrayList<>();
        System.out.println();
        System.out.println("Alert storm: " + ALERTS + " alerts in " + PAYLOADS + " Alertmanager payloads over "
                + STORM.toSeconds() + " s for " + SERVICES + " services (" + SENDERS + " sender threads); "
                + "Deployments present in the mock cluster");
        System.out.println(String.format(Locale.ROOT, "  sending: first due → last sent %.2f s (max %.0f ms behind "
                        + "schedule); last webhook answer %.2f s after the first was due; every payload processed "
                        + "%.2f s after the last answer; outbox drained %.2f s after that",
                seconds(storm.lastSentNanos() - storm.startNanos()), storm.maxLagNanos() / 1e6,
                seconds(storm.endNanos() - storm.startNanos()), seconds(processedAt - storm.endNanos()),
                seconds(drainedAt - processedAt)));
        System.out.println("  webhook answers: " + storm.statuses() + (storm.failures().isEmpty() ? ""
                : "; failures: " + storm.failures().subList(0, Math.min(5, storm.failures().size()))));
        Percentiles webhook = new Percentiles();
        storm.latencies().forEach(webhook::add);
        System.out.println("  webhook response latency: " + webhook.summary());

        long stored = count(db, "SELECT COUNT(*) FROM alert_payloads");
        long processed = count(db, "SELECT COUNT(*) FROM alert_payloads WHERE processed_at IS NOT NULL");
        long seen = count(db, "SELECT COALESCE(SUM(seen), 0) FROM incident_alerts");
        long distinct = count(db, "SELECT COUNT(*) FROM incident_alerts");
        long unrouted = count(db, "SELECT COUNT(*) FROM unrouted_alerts");
        long incidents = count(db, "SELECT COUNT(*) FROM alert_incidents");
        long open = count(db, "SELECT COUNT(*) FROM open_alert_incidents");
        long runs = count(db, "SELECT COUNT(*) FROM runs");
        System.out.println(String.format(Locale.ROOT, "  stored: %d of %d payloads (%d processed); alerts accounted for: "
                        + "sum(seen) = %d of %d sent (%d accepted by the webhook), %d distinct alerts (expected %d), "
                        + "%d unrouted; %d incidents (%d open), %d runs",
                stored, PAYLOADS, processed, seen, ALERTS, storm.alertsAccepted(), distinct,
                SERVICES * ALERT_NAMES.length * INSTANCES, unrouted, incidents, open, runs));
        check(stored == PAYLOADS && processed == PAYLOADS, "payloads stored/processed " + stored + "/" + processed, problems);
        check(seen == ALERTS, "sum(seen) " + seen + " != " + ALERTS, problems);
        check(incidents == SERVICES && open == SERVICES && runs == SERVICES, "incidents/open/runs " + incidents + "/"
                + open + "/" + runs + ", expected " + SERVICES, problems);

        Map<String, Long> cards = new TreeMap<>();
        Map<String, Long> redraws = new TreeMap<>();
        for (Map<String, String> post : rewind.slack().posted()) {
            if (post.containsKey("blocks")) {
                cards.merge(post.get("channel"), 1L, Long::sum);
            }
        }
        for (Map<String, String> update : rewind.slack().updates()) {
            redraws.merge(update.get("channel"), 1L, Long::sum);
        }
        long maxCards = cards.values().stream().mapToLong(Long::longValue).max().orElse(0);
        System.out.println("  cards posted per service channel (must be ≤ 1): " + cards.size() + " channels, max "
                + maxCards + " → " + compact(cards));
        System.out.println("  card redraws (chat.update) per channel: min "
                + redraws.values().stream().mapToLong(Long::longValue).min().orElse(0) + ", max "
                + redraws.values().stream().mapToLong(Long::longValue).max().orElse(0) + ", total "
                + redraws.values().stream().mapToLong(Long::longValue).sum());
        check(maxCards <= 1, "a channel got " + maxCards + " cards", problems);
        check(cards.size() == SERVICES, "cards in " + cards.size() + " of " + SERVICES + " channels", problems);
        String expected = ALERT_NAMES.length * INSTANCES + " of " + ALERT_NAMES.length * INSTANCES + " alerts firing · "
                + ALERTS / SERVICES + " notifications";
        long upToDate = rewind.slack().postedWithTs().stream().filter(p -> p.form().containsKey("blocks"))
                .filter(p -> rewind.latestCardText(p.ts()).contains(expected)).count();
        System.out.println("  final card text says \"" + expected + "\": " + upToDate + " of " + cards.values().stream()
                .mapToLong(Long::longValue).sum() + " cards");
        check(upToDate == SERVICES, "only " + upToDate + " cards show the final count", problems);

        Percentiles quietAcks = percentiles(quiet);
        List<Probe.Sample> during = probed.stream().filter(s -> s.sentNanos() >= storm.startNanos()
                && s.sentNanos() <= storm.endNanos()).toList();
        List<Probe.Sample> after = probed.stream().filter(s -> s.sentNanos() > storm.endNanos()).toList();
        Percentiles stormAcks = percentiles(during);
        System.out.println("  Slack ack (/rollback help every " + PROBE_INTERVAL.toMillis() + " ms, send → 200):");
        System.out.println("    no storm (10 s, same run):          " + quietAcks.summary());
        System.out.println("    during the storm:                   " + stormAcks.summary() + lag(during));
        if (!after.isEmpty()) {
            System.out.println("    after sending, still processing:    " + percentiles(after).summary() + lag(after));
        }
        System.out.println("    acks over " + (int) ACK_TARGET_MS + " ms: " + during.stream()
                .filter(x -> x.latencyNanos() > ACK_TARGET_MS * 1e6).count() + " of " + during.size() + " during the storm, "
                + quiet.stream().filter(x -> x.latencyNanos() > ACK_TARGET_MS * 1e6).count() + " of " + quiet.size() + " without");
        System.out.println(String.format(Locale.ROOT, "    storm / no storm: p50 ×%.2f p95 ×%.2f p99 ×%.2f; "
                        + "p99 %.1f ms vs target %.0f ms → %s",
                stormAcks.millis(50) / quietAcks.millis(50), stormAcks.millis(95) / quietAcks.millis(95),
                stormAcks.millis(99) / quietAcks.millis(99), stormAcks.millis(99), ACK_TARGET_MS,
                stormAcks.millis(99) < ACK_TARGET_MS ? "met" : "MISSED"));
        check(storm.failures().isEmpty(), storm.failures().size() + " webhook calls failed", problems);
        return problems;
    }

    private static String lag(List<Probe.Sample> samples) {
        long late = samples.stream().filter(s -> s.lagNanos() > PROBE_INTERVAL.toNanos() / 2).count();
        double maxLag = samples.stream().mapToLong(Probe.Sample::lagNanos).max().orElse(0) / 1e6;
        return late == 0 ? "" : String.format(Locale.ROOT, " (%d sent late, up to %.0f ms, behind a slow ack)", late, maxLag);
    }

    private static String compact(Map<String, Long> perChannel) {
        Map<Long, Long> histogram = perChannel.values().stream()
                .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
        return histogram.entrySet().stream().map(e -> e.getValue() + " channel(s) with " + e.getKey())
                .collect(Collectors.joining(", "));
    }

    private static Percentiles percentiles(List<Probe.Sample> samples) {
        Percentiles p = new Percentiles();
        samples.forEach(s -> p.add(s.latencyNanos()));
        return p;
    }

    private static void check(boolean ok, String problem, List<String> problems) {
        if (!ok) {
            problems.add(problem);
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** CPU and GC time of this JVM at one moment. */
    record Usage(long wallNanos, long cpuNanos, long gcCount, long gcMillis) {
        static Usage now() {
            long count = 0;
            long millis = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                count += Math.max(0, gc.getCollectionCount());
                millis += Math.max(0, gc.getCollectionTime());
            }
            long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
            return new Usage(System.nanoTime(), cpu, count, millis);
        }

        String to(Usage later) {
            double wall = (later.wallNanos - wallNanos) / 1e9;
            double cpu = (later.cpuNanos - cpuNanos) / 1e9;
            return String.format(Locale.ROOT, "%.1f s wall, %.1f CPU-s (%.0f%% of %d cores), %d GCs %d ms",
                    wall, cpu, 100 * cpu / wall / Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().availableProcessors(), later.gcCount - gcCount, later.gcMillis - gcMillis);
        }
    }

    /** CPU time per thread, grouped by name without its number, to say where a saturated CPU went. */
    record ThreadCpu(Map<Long, Long> cpu) {
        static ThreadCpu snapshot() {
            java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            Map<Long, Long> cpu = new java.util.HashMap<>();
            for (long id : mx.getAllThreadIds()) {
                cpu.put(id, mx.getThreadCpuTime(id));
            }
            return new ThreadCpu(cpu);
        }

        /** CPU nanoseconds used since the snapshot, per thread name without its trailing number. */
        Map<String, Long> since() {
            java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            Map<String, Long> groups = new java.util.HashMap<>();
            for (java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
                if (info == null) {
                    continue;
                }
                long now = mx.getThreadCpuTime(info.getThreadId());
                long used = now - cpu.getOrDefault(info.getThreadId(), 0L);
                if (now > 0 && used > 0) {
                    groups.merge(info.getThreadName().replaceAll("[-_]?\\d+$", ""), used, Long::sum);
                }
            }
            return groups;
        }

        static String format(Map<String, Long> groups) {
            long all = groups.values().stream().mapToLong(Long::longValue).sum();
            return groups.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(10)
                    .map(e -> String.format(Locale.ROOT, "%s %.1f s (%.0f%%)", e.getKey(), e.getValue() / 1e9,
                            100.0 * e.getValue() / all))
                    .collect(Collectors.joining(", ", String.format(Locale.ROOT, "%.1f CPU-s in live threads: ", all / 1e9), ""));
        }
    }

    /** Counts Rewind's log events at WARN and above (and keeps the first few), to tell a clean storm from a noisy one. */
    static final class LogCounter extends AppenderBase<ILoggingEvent> {
        private final AtomicInteger count = new AtomicInteger();
        private final Map<String, Integer> first = java.util.Collections.synchronizedMap(new LinkedHashMap<>());

        static LogCounter attach() {
            LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
            LogCounter counter = new LogCounter();
            counter.setContext(context);
            counter.start();
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(counter);
            return counter;
        }

        @Override
        protected void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
                count.incrementAndGet();
                synchronized (first) {
                    if (first.size() < 5 || first.containsKey(event.getLoggerName() + ": " + event.getMessage())) {
                        first.merge(event.getLoggerName() + ": " + event.getMessage(), 1, Integer::sum);
                    }
                }
            }
        }

        void reset() {
            count.set(0);
            first.clear();
        }

        int count() {
            return count.get();
        }

        String firstFew() {
            synchronized (first) {
                return first.isEmpty() ? "" : " " + first;
            }
        }
    }
}
