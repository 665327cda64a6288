package dev.rewind.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM flags the Docker image runs Rewind with, read from the Dockerfile so that tests and benchmarks use exactly
 * what ships: the ENTRYPOINT's, and the class-data training run's (which must match them).
 */
public final class ImageJvm {

    private static final String SHARED_ARCHIVE = "-XX:SharedArchiveFile=";
    private static final String ARCHIVE_AT_EXIT = "-XX:ArchiveClassesAtExit=";

    private ImageJvm() {
    }

    /** The ENTRYPOINT's flags between {@code java} and {@code -jar}. */
    public static List<String> entrypoint() throws IOException {
        String line = instructions().stream().filter(l -> l.startsWith("ENTRYPOINT ")).findFirst().orElseThrow();
        Matcher item = Pattern.compile("\"([^\"]*)\"").matcher(line);
        List<String> items = new java.util.ArrayList<>();
        while (item.find()) {
            items.add(item.group(1));
        }
        return between(items);
    }

    /** The training run's flags between {@code java} and {@code -jar} (the RUN that writes the archive). */
    public static List<String> training() throws IOException {
        String line = instructions().stream().filter(l -> l.startsWith("RUN ") && l.contains(ARCHIVE_AT_EXIT))
                .findFirst().orElseThrow(() -> new IllegalStateException("no class-data training RUN in the Dockerfile"));
        return between(Arrays.asList(line.split("\\s+")));
    }

    /** How a {@code --exit-after-start} run of the jar ended: its exit status (-1: it did not stop) and its output. */
    public record Run(int status, String output) {
    }

    /**
     * Runs {@code java <flags> -jar target/rewind.jar --exit-after-start} in {@code dir} (the rewind.yml there, an H2
     * file under it, no Slack, no cluster), as the Dockerfile's training step does.
     */
    public static Run exitAfterStart(Path dir, List<String> flags, String name) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(flags);
        command.addAll(List.of("-jar", Path.of("target/rewind.jar").toAbsolutePath().toString(), "--exit-after-start"));
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("DATABASE_URL", "jdbc:h2:file:" + dir.resolve("data/rewind"));
        builder.environment().put("PORT", "0");
        builder.environment().remove("SLACK_BOT_TOKEN");
        builder.environment().remove("KUBECONFIG");
        Process process = builder.start();
        if (!process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            return new Run(-1, "did not stop within 120 s:\n" + Files.readString(log));
        }
        return new Run(process.exitValue(), Files.readString(log));
    }

    /** {@code flags} with the image's archive path replaced by {@code archive} (for a run outside the image). */
    public static List<String> withArchive(List<String> flags, Path archive) {
        return flags.stream().map(flag -> flag.startsWith(SHARED_ARCHIVE) ? SHARED_ARCHIVE + archive
                : flag.startsWith(ARCHIVE_AT_EXIT) ? ARCHIVE_AT_EXIT + archive : flag).toList();
    }

    /** {@code flags} without the archive (what the same JVM settings give with no class-data archive). */
    public static List<String> withoutArchive(List<String> flags) {
        return flags.stream().filter(flag -> !flag.startsWith(SHARED_ARCHIVE) && !flag.startsWith(ARCHIVE_AT_EXIT)).toList();
    }

    /**
     * {@code -XX:MaxRAM} at the container memory limit in manifests/base/deployment.yaml: outside a container, what
     * the JVM's ergonomics see inside the pod (its initial heap is a share of that, not of this machine's memory).
     */
    public static String podMemory() throws IOException {
        Matcher limit = Pattern.compile("limits:\\s*\\n\\s*memory:\\s*(\\d+)Mi")
                .matcher(Files.readString(Path.of("manifests/base/deployment.yaml")));
        if (!limit.find()) {
            throw new IllegalStateException("no memory limit in manifests/base/deployment.yaml");
        }
        return "-XX:MaxRAM=" + limit.group(1) + "m";
    }

    private static List<String> between(List<String> items) {
        int java = items.indexOf("java");
        int jar = items.indexOf("-jar");
        if (java < 0 || jar < java) {
            throw new IllegalStateException("expected java <flags> -jar in " + items);
        }
        return List.copyOf(items.subList(java + 1, jar));
    }

    /** The Dockerfile's instructions, continuation lines joined and comments dropped. */
    public static List<String> instructions() throws IOException {
        String text = Files.readString(Path.of("Dockerfile")).replaceAll("\\\\\\n", " ");
        return text.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    }
}
