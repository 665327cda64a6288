package dev.rewind.manifests;

import dev.rewind.testing.ImageJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

        ImageJvm.Run training = run(ImageJvm.withArchive(ImageJvm.training(), archive), "training");
        assertThat(training.status()).as("the training run's exit status; it said:%n%s", training.output()).isZero();
        assertThat(training.output()).contains("--exit-after-start: GET /healthz answered 200",
                "--exit-after-start: GET /metrics answered 200", "--exit-after-start: stopped");
        assertThat(archive).as("the class-data archive").isNotEmptyFile();

        List<String> image = new ArrayList<>(ImageJvm.withArchive(ImageJvm.entrypoint(), archive));
        image.add("-Xshare:on");
        ImageJvm.Run started = run(image, "image");
        assertThat(started.status()).as("a start from the archive; it said:%n%s", started.output()).isZero();
        assertThat(started.output()).doesNotContain("Unable to use shared archive");
    }

    private ImageJvm.Run run(List<String> flags, String name) throws IOException, InterruptedException {
        List<String> withHeap = new ArrayList<>(List.of("-Xmx256m"));
        withHeap.addAll(flags);
        return ImageJvm.exitAfterStart(dir, withHeap, name);
    }
}
