package dev.rewind.bench;

import dev.rewind.testing.ImageJvm;
import dev.rewind.testing.KubernetesWorld;
import dev.rewind.testing.PrometheusStub;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SignedSlack;
import dev.rewind.testing.SlackStub;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;

/**
 * Start-up time and memory of the shipped jar against the floor: a bare Bolt-for-Java app on Javalin 7
 * ({@link AckLatencyBench.BareBoltApp}, one route for Slack and a {@code /healthz}), started from the same jar in the
 * same run. Each round starts, in turn, with {@code -Xmx256m} (the measurement):
 * <ul>
 *   <li>the bare app (the floor);</li>
 *   <li>Rewind on an empty H2 file database (every migration runs);</li>
 *   <li>Rewind again on the database the previous start left (a restart: migrations only validated);</li>
 * </ul>
 * then the same three as the Docker image runs them in the pod: the ENTRYPOINT's JVM flags, read from the Dockerfile,
 * with the class-data archive made by the Dockerfile's training run (done once here, the same way) and
 * {@code -XX:MaxRAM} at the pod's memory limit (manifests/base/deployment.yaml) standing in for the container's
 * cgroup limit, so the JVM sizes its heap as it would there; the bare app gets the same flags without an archive. Rewind runs with a catalogued Kubernetes Deployment under a deploy guard (fabric8
 * mock server: the informers start), a Prometheus stub and a Slack stub.
 * <p>
 * Measured: from {@code exec} to the first 200 from {@code /healthz}; then, once Slack is connected, after the same
 * load for both (200 signed {@code /rollback help} and 20 {@code /rollback checkout}, which for Rewind open and
 * refresh a card) and a two-second settle, the process's resident memory ({@code VmRSS}). Medians of the rounds;
 * ratios against the floor, and against the floor with the same flags.
 * <p>
 * Needs the jar: {@code mvn -B -q package -DskipTests && mvn -B -q -Pbench test -DskipTests
 * -Dbench=dev.rewind.bench.StartupBench}. Options: {@code -Drounds=5}; {@code -Dnmt=true} prints each process's
 * native memory summary, heap, class histogram and threads after the load; {@code -Dextra="-XX:..."} adds JVM
 * flags to every process (for trying one).
 */
public final class StartupBench {

    private static final int ROUNDS = Integer.getInteger("rounds", 5);
    /** {@code -Dnmt=true}: Native Memory Tracking on in every process, its summary printed after the load. */
    private static final boolean NMT = Boolean.getBoolean("nmt");
    private static final List<String> JVM = jvm();

    private static List<String> jvm() {
        List<String> flags = new ArrayList<>(List.of("-Xmx256m"));
        if (NMT) {
            flags.add("-XX:NativeMemoryTracking=summary");
        }
        String extra = System.getProperty("extra", "");
        if (!extra.isBlank()) {
            flags.addAll(List.of(extra.trim().split("\\s+")));
        }
        return flags;
    }
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Held so the JUL configuration is not garbage-collected with its logger. */
    private static final Logger MOCK_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    record Sample(double startSeconds, double rssMegabytes) {
    }

    public static void main(String[] args) throws Exception {
        MOCK_SERVER_LOG.setLevel(Level.WARNING);
        Path jar = Path.of("target/rewind.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException("no " + jar + ": run mvn -B -q package -DskipTests first");
        }
        Path dir = Files.createTempDirectory("rewind-startup");
        try (SlackStub slack = new SlackStub(); PrometheusStub prometheus = new PrometheusStub();
             KubernetesWorld kubernetes = new KubernetesWorld()) {
            prometheus.returns("errors", 0.001).before(0.001);
            kubernetes.deployment("shop", "checkout", 3, "shop/checkout:1.4.0", "shop/checkout:1.4.1", "shop/checkout:1.4.2");
            Files.writeString(dir.resolve("rewind.yml"), String.join("\n",
                    "services:",
                    "  - name: checkout",
                    "    channel: " + CHANNEL,
                    "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                    "    signals: {errorRate: 'errors'}",
                    "    approvers: [" + ALICE + "]",
                    "    guard: {window: 30m, interval: 30s}",
                    "    policy:",
                    "      - name: errors well above the last release",
                    "        when: {signal: errorRate, aboveBaseline: 3x, above: 2%, for: 1m}",
                    "        action: propose",
                    ""));
            Path kubeconfig = kubernetes.kubeconfig(dir);
            String testClasses = Path.of("target/test-classes").toAbsolutePath().toString();
            List<String> bareLaunch = List.of("-cp", jar + ":" + testClasses, BareMain.class.getName());
            List<String> rewindLaunch = List.of("-jar", jar.toString());
            List<String> imageFlags = new ArrayList<>(ImageJvm.withArchive(ImageJvm.entrypoint(), dir.resolve("rewind.jsa")));
            imageFlags.add(ImageJvm.podMemory());
            train(dir);

            Map<String, List<Sample>> samples = new java.util.LinkedHashMap<>();
            for (int round = 0; round < ROUNDS; round++) {
                Map<String, String> rewindEnv = Map.of(
                        "PROMETHEUS_URL", prometheus.url(),
                        "DATABASE_URL", "jdbc:h2:file:" + dir.resolve("data-" + round + "/rewind"),
                        "KUBECONFIG", kubeconfig.toString(),
                        "REWIND_PUBLIC_URL", "https://rewind.example.com");
                Map<String, String> imageEnv = new java.util.HashMap<>(rewindEnv);
                imageEnv.put("DATABASE_URL", "jdbc:h2:file:" + dir.resolve("image-data-" + round + "/rewind"));
                sample(samples, FLOOR, measure(slack, dir, List.of(), bareLaunch, Map.of()));
                sample(samples, "rewind, empty database", measure(slack, dir, List.of(), rewindLaunch, rewindEnv));
                sample(samples, "rewind, restart", measure(slack, dir, List.of(), rewindLaunch, rewindEnv));
                sample(samples, FLOOR_IMAGE_FLAGS, measure(slack, dir, ImageJvm.withoutArchive(imageFlags), bareLaunch, Map.of()));
                sample(samples, "image: rewind, empty database", measure(slack, dir, imageFlags, rewindLaunch, imageEnv));
                sample(samples, "image: rewind, restart", measure(slack, dir, imageFlags, rewindLaunch, imageEnv));
                System.out.printf(Locale.ROOT, "round %d: %s%n", round + 1, String.join("; ", samples.entrySet().stream()
                        .map(e -> String.format(Locale.ROOT, "%s %.2f s %.0f MB", e.getKey(),
                                e.getValue().get(e.getValue().size() - 1).startSeconds(),
                                e.getValue().get(e.getValue().size() - 1).rssMegabytes())).toList()));
            }
            Sample floor = median(samples.get(FLOOR));
            Sample floorImageFlags = median(samples.get(FLOOR_IMAGE_FLAGS));
            System.out.printf(Locale.ROOT, "%nJVM flags: %s; image: %s%n", String.join(" ", JVM), String.join(" ", imageFlags));
            System.out.printf(Locale.ROOT, "%n%-34s %12s %9s %9s %15s %9s %9s%n", "medians of " + ROUNDS, "to /healthz",
                    "× floor", "× same", "RSS after load", "× floor", "× same");
            samples.forEach((name, list) -> report(name, median(list), floor,
                    name.startsWith("image") ? floorImageFlags : floor));
        }
    }

    private static final String FLOOR = "bare Bolt app (the floor)";
    private static final String FLOOR_IMAGE_FLAGS = "image flags: bare Bolt app";

    private static void sample(Map<String, List<Sample>> samples, String name, Sample sample) {
        samples.computeIfAbsent(name, n -> new ArrayList<>()).add(sample);
    }

    /** The Dockerfile's training run, here: the example catalogue, no Slack, no cluster, then stop. */
    private static void train(Path dir) throws Exception {
        Path train = Files.createDirectories(dir.resolve("train"));
        Files.copy(Path.of("rewind.example.yml"), train.resolve("rewind.yml"));
        List<String> flags = new ArrayList<>(JVM);
        flags.addAll(ImageJvm.withArchive(ImageJvm.training(), dir.resolve("rewind.jsa")));
        ImageJvm.Run run = ImageJvm.exitAfterStart(train, flags, "training");
        if (run.status() != 0) {
            throw new IllegalStateException("the training run failed: " + run.output());
        }
    }

    /** @param same the floor started with the same JVM flags */
    private static void report(String name, Sample sample, Sample floor, Sample same) {
        System.out.printf(Locale.ROOT, "%-34s %10.2f s %8.2f× %8.2f× %12.0f MB %8.2f× %8.2f×%n", name, sample.startSeconds(),
                sample.startSeconds() / floor.startSeconds(), sample.startSeconds() / same.startSeconds(),
                sample.rssMegabytes(), sample.rssMegabytes() / floor.rssMegabytes(), sample.rssMegabytes() / same.rssMegabytes());
    }

    private static Sample measure(SlackStub slack, Path dir, List<String> flags, List<String> launch,
                                  Map<String, String> env) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(JVM);
        command.addAll(flags);
        command.addAll(launch);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("process.log").toFile());
        builder.environment().putAll(env);
        builder.environment().put("SLACK_BOT_TOKEN", RewindFixture.TOKEN);
        builder.environment().put("SLACK_SIGNING_SECRET", RewindFixture.SECRET);
        builder.environment().put("SLACK_API_URL", slack.apiUrl());
        builder.environment().put("PORT", Integer.toString(port));
        long started = System.nanoTime();
        Process process = builder.start();
        try {
            URI healthz = URI.create("http://127.0.0.1:" + port + "/healthz");
            while (!answers(healthz)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the process exited: " + Files.readString(dir.resolve("process.log")));
                }
                if (System.nanoTime() - started > TimeUnit.SECONDS.toNanos(60)) {
                    throw new IllegalStateException("no /healthz within 60 s: " + Files.readString(dir.resolve("process.log")));
                }
                Thread.sleep(5);
            }
            double startSeconds = (System.nanoTime() - started) / 1e9;
            awaitSlack(URI.create("http://127.0.0.1:" + port + "/readyz?verbose"));
            SignedSlack signed = new SignedSlack("http://127.0.0.1:" + port + "/slack/events", RewindFixture.SECRET, slack);
            for (int i = 0; i < 200; i++) {
                expectOk(signed.command(ALICE, CHANNEL, "help"));
            }
            for (int i = 0; i < 20; i++) {
                expectOk(signed.command(ALICE, CHANNEL, "checkout"));
            }
            Thread.sleep(2_000);
            if (NMT) {
                System.out.println(String.join(" ", command));
                for (String what : List.of("VM.native_memory summary", "GC.heap_info", "GC.class_histogram", "Thread.print")) {
                    List<String> jcmd = new ArrayList<>(List.of("jcmd", Long.toString(process.pid())));
                    jcmd.addAll(List.of(what.split(" ")));
                    Process answer = new ProcessBuilder(jcmd).redirectErrorStream(true).start();
                    List<String> lines = new String(answer.getInputStream().readAllBytes()).lines().toList();
                    if (what.equals("Thread.print")) {
                        System.out.println("threads: " + lines.stream().filter(l -> l.startsWith("\"")).count() + " " + lines.stream().filter(l -> l.startsWith("\"")).map(l -> l.replaceAll("\"([^\"]*)\".*", "$1")
                                .replaceAll("[0-9]+", "N")).collect(java.util.stream.Collectors.groupingBy(n -> n,
                                java.util.TreeMap::new, java.util.stream.Collectors.counting())));
                    } else if (what.startsWith("GC.class")) {
                        lines.stream().limit(30).forEach(System.out::println);
                        System.out.println(lines.get(lines.size() - 1));
                    } else {
                        lines.forEach(System.out::println);
                    }
                }
            }
            return new Sample(startSeconds, residentMegabytes(process.pid()));
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** Rewind refuses commands until Slack's auth.test has answered; the bare app has no /readyz (404). */
    private static void awaitSlack(URI readyz) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.ofString());
            if (ready.statusCode() == 404 || ready.body().contains("- slack: ok")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("Slack not ready within 30 s");
    }

    private static boolean answers(URI uri) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void expectOk(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException("a command was answered " + response.statusCode() + ": " + response.body());
        }
    }

    private static double residentMegabytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for process " + pid);
    }

    private static Sample median(List<Sample> samples) {
        List<Double> starts = new ArrayList<>(samples.stream().map(Sample::startSeconds).toList());
        List<Double> rss = new ArrayList<>(samples.stream().map(Sample::rssMegabytes).toList());
        Collections.sort(starts);
        Collections.sort(rss);
        return new Sample(starts.get(starts.size() / 2), rss.get(rss.size() / 2));
    }

    /** The floor as its own process: the bare app on PORT, until it is stopped. */
    public static final class BareMain {
        public static void main(String[] args) throws Exception {
            AckLatencyBench.BareBoltApp.start(System.getenv("SLACK_SIGNING_SECRET"), System.getenv("SLACK_BOT_TOKEN"),
                    System.getenv("SLACK_API_URL"), Integer.parseInt(System.getenv("PORT")));
            Thread.currentThread().join();
        }
    }
}
