package dev.rewind.bench;

import dev.rewind.testing.RewindFixture;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deploy guard at scale: 50, 200 and 500 services deployed at once (a release train posted to
 * {@code /api/v1/deploys}), each guarded every {@value #INTERVAL_S} s by two rules that share one signal (an
 * absolute limit and a limit against the baseline). For each size, on a fresh bot: the Slack ack of a signed
 * {@code /rollback help} every 20 ms for 10 s with no guard (the baseline, same run), then the same probe for
 * {@value #MEASURE_S} s while every guard is evaluated; reported are the evaluation lag p99 (from
 * {@code rewind_guard_evaluation_lag_seconds}, as the smallest bucket bound holding 99%), the Prometheus queries per
 * second and per evaluation (shared queries asked once, baselines kept), and the ack p99 ratio against idle.
 * The interval is shorter than the 30 s default so that 500 guards make 50 evaluations a second: a stress
 * figure. Rerun: {@code mvn -B -q -Pbench test -DskipTests -Dbench=dev.rewind.bench.GuardBench}
 */
public final class GuardBench {

    private static final int[] SIZES = {50, 200, 500};
    private static final int INTERVAL_S = 10;
    private static final int MEASURE_S = 40;
    private static final Duration IDLE = Duration.ofSeconds(10);
    private static final String TOKEN = "bench-api-token";
    private static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    public static void main(String[] args) throws Exception {
        MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
        System.out.println("GuardBench: services | evaluations/s | lag p99 | Prometheus queries/s (per evaluation) "
                + "| ack p99 idle → guarding (ratio)");
        for (int size : SIZES) {
            run(size);
        }
    }

    private static void run(int services) throws Exception {
        try (RewindFixture rewind = RewindFixture.builder().catalogue(catalogue(services)).emptyCluster()
                .env("REWIND_API_TOKEN", TOKEN).build()) {
            for (int s = 0; s < services; s++) {
                rewind.prometheus().returns(query(s), 0.004).before(0.004);
            }
            for (int i = 0; i < 300; i++) {
                TimedCommand.ack(rewind.signed(), "help");
            }
            Percentiles idle = probe(rewind, IDLE);

            HttpClient http = HttpClient.newHttpClient();
            for (int s = 0; s < services; s++) {
                HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(rewind.url("/api/v1/deploys")))
                        .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString(
                                "{\"service\":\"" + service(s) + "\",\"revision\":\"r2\",\"by\":\"bench\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (posted.statusCode() != 202) {
                    throw new IllegalStateException("POST /api/v1/deploys: " + posted.statusCode() + " " + posted.body());
                }
            }
            Map<String, Double> before = metrics(rewind);
            int queriesBefore = rewind.prometheus().queries();
            Percentiles guarding = probe(rewind, Duration.ofSeconds(MEASURE_S));
            Map<String, Double> after = metrics(rewind);
            int queries = rewind.prometheus().queries() - queriesBefore;

            double evaluations = sum(after, "rewind_guard_evaluations_total") - sum(before, "rewind_guard_evaluations_total");
            String lagP99 = p99Bucket(after, before);
            System.out.println(String.format(Locale.ROOT,
                    "  %3d | %5.1f/s (%.0f in %d s) | %s | %5.1f/s (%.2f) | %.1f → %.1f ms (×%.2f); p50 %.1f → %.1f ms",
                    services, evaluations / MEASURE_S, evaluations, MEASURE_S, lagP99, queries / (double) MEASURE_S,
                    evaluations == 0 ? 0 : queries / evaluations, idle.millis(99), guarding.millis(99),
                    guarding.millis(99) / idle.millis(99), idle.millis(50), guarding.millis(50)));
            if (evaluations < services * (MEASURE_S / INTERVAL_S - 1)) {
                throw new IllegalStateException("guards fell behind: " + evaluations + " evaluations of " + services
                        + " guards in " + MEASURE_S + " s");
            }
        }
    }

    /** Acks of {@code /rollback help} every 20 ms for {@code length}. */
    private static Percentiles probe(RewindFixture rewind, Duration length) throws InterruptedException {
        Percentiles acks = new Percentiles();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread thread = new Thread(() -> {
            long next = System.nanoTime();
            while (running.get()) {
                acks.add(TimedCommand.ack(rewind.signed(), "help"));
                next += 20_000_000L;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            }
        }, "bench-probe");
        thread.start();
        Thread.sleep(length.toMillis());
        running.set(false);
        thread.join();
        return acks;
    }

    private static final Pattern SAMPLE = Pattern.compile("^(rewind_guard_[a-z_]+)(\\{[^}]*})? ([0-9.eE+-]+)$");

    private static Map<String, Double> metrics(RewindFixture rewind) {
        Map<String, Double> values = new TreeMap<>();
        for (String line : rewind.get("/metrics").body().split("\n")) {
            Matcher matcher = SAMPLE.matcher(line);
            if (matcher.matches()) {
                values.put(matcher.group(1) + (matcher.group(2) == null ? "" : matcher.group(2)), Double.parseDouble(matcher.group(3)));
            }
        }
        return values;
    }

    private static double sum(Map<String, Double> values, String name) {
        return values.entrySet().stream().filter(e -> e.getKey().startsWith(name + "{") || e.getKey().equals(name))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** The smallest lag bucket bound holding 99% of the evaluations made between the two scrapes. */
    private static String p99Bucket(Map<String, Double> after, Map<String, Double> before) {
        String prefix = "rewind_guard_evaluation_lag_seconds_bucket{le=\"";
        List<double[]> buckets = new ArrayList<>();
        after.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                String le = key.substring(prefix.length(), key.indexOf('"', prefix.length()));
                double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
                buckets.add(new double[]{bound, value - before.getOrDefault(key, 0.0)});
            }
        });
        buckets.sort((a, b) -> Double.compare(a[0], b[0]));
        double total = buckets.isEmpty() ? 0 : buckets.get(buckets.size() - 1)[1];
        for (double[] bucket : buckets) {
            if (bucket[1] >= 0.99 * total) {
                return "≤ " + (Double.isInfinite(bucket[0]) ? "∞" : bucket[0] + " s");
            }
        }
        return "n/a";
    }

    private static String service(int s) {
        return String.format(Locale.ROOT, "svc-%03d", s + 1);
    }

    private static String query(int s) {
        return "sum(rate(http_errors_total{service=\"" + service(s) + "\"}[1m]))";
    }

    private static String catalogue(int services) {
        StringBuilder yaml = new StringBuilder("services:\n");
        for (int s = 0; s < services; s++) {
            yaml.append("  - name: ").append(service(s)).append('\n')
                    .append("    channel: C0SVC").append(String.format(Locale.ROOT, "%03d", s + 1)).append('\n')
                    .append("    target: {type: kubernetes-deployment, namespace: bench, deployment: ").append(service(s)).append("}\n")
                    .append("    signals: {errorRate: '").append(query(s).replace("'", "''")).append("'}\n")
                    .append("    approvers: [").append(RewindFixture.ALICE).append("]\n")
                    .append("    guard: {window: 10m, interval: ").append(INTERVAL_S).append("s}\n")
                    .append("    policy:\n")
                    .append("      - {name: errors far too high, when: {signal: errorRate, above: 5%}, action: auto}\n")
                    .append("      - {name: errors above the last release, when: {signal: errorRate, aboveBaseline: 3x, above: 2%},")
                    .append(" action: propose}\n");
        }
        return yaml.toString();
    }
}
