package dev.rewind.manifests;

import dev.rewind.testing.ImageJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Docker image's class-data steps, run here with the Dockerfile's own flags (no Docker engine needed): the
 * training run starts Rewind on the example catalogue, answers, stops with status 0 and leaves an archive; a start
 * with the ENTRYPOINT's flags maps it ({@code -Xshare:on} makes a JVM that cannot use the archive fail instead of
 * quietly starting without it).
 */
class ClassDataArchiveIT {

    @TempDir
    Path dir;

    @Test
    void theTrainingRunWritesAnArchiveThatTheImagesStartUses() throws Exception {
        Files.copy(Path.of("rewind.example.yml"), dir.resolve("rewind.yml"));
        Path archive = dir.resolve("rewind.jsa");

        Run training = run(ImageJvm.withArchive(ImageJvm.training(), archive), "training");
        assertThat(training.status()).as("the training run's exit status; it said:%n%s", training.output()).isZero();
        assertThat(training.output()).contains("--exit-after-start: GET /healthz answered 200",
                "--exit-after-start: GET /metrics answered 200", "--exit-after-start: stopped");
        assertThat(archive).as("the class-data archive").isNotEmptyFile();

        List<String> image = new ArrayList<>(ImageJvm.withArchive(ImageJvm.entrypoint(), archive));
        image.add("-Xshare:on");
        Run started = run(image, "image");
        assertThat(started.status()).as("a start from the archive; it said:%n%s", started.output()).isZero();
        assertThat(started.output()).doesNotContain("Unable to use shared archive");
    }

    private record Run(int status, String output) {
    }

    private Run run(List<String> flags, String name) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx256m");
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
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            return new Run(-1, "did not stop within 90 s:\n" + Files.readString(log));
        }
        return new Run(process.exitValue(), Files.readString(log));
    }
}
