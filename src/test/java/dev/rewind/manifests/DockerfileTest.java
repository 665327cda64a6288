package dev.rewind.manifests;

import dev.rewind.testing.ImageJvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The image: pinned bases, OCI labels, no HEALTHCHECK (Kubernetes probes instead), exit on OutOfMemoryError. */
class DockerfileTest {

    static List<String> instructions() throws IOException {
        return ImageJvm.instructions();
    }

    @Test
    void everyBaseImageIsPinnedToAnExactVersion() throws IOException {
        Map<String, String> args = new HashMap<>();
        Pattern arg = Pattern.compile("ARG (\\w+)=(\\S+)");
        List<String> images = new ArrayList<>();
        for (String line : instructions()) {
            Matcher defined = arg.matcher(line);
            if (defined.matches()) {
                args.putIfAbsent(defined.group(1), defined.group(2));
            }
            if (line.startsWith("FROM ")) {
                String image = line.split("\\s+")[1];
                Matcher reference = Pattern.compile("\\$\\{(\\w+)}").matcher(image);
                images.add(reference.matches() ? args.get(reference.group(1)) : image);
            }
        }
        assertThat(images).hasSize(2).allSatisfy(image -> {
            assertThat(image).as("a tag, not the implicit latest").contains(":");
            String tag = image.substring(image.indexOf(':') + 1);
            assertThat(tag).as(image).doesNotContain("latest");
            assertThat(tag).as("%s: a patch version, not a moving major tag", image).containsPattern("\\d+\\.\\d+\\.\\d+");
        });
    }

    @Test
    void noHealthcheckOciLabelsAndTheJvmExitsOnOutOfMemory() throws IOException {
        List<String> instructions = instructions();
        assertThat(instructions).as("Kubernetes ignores HEALTHCHECK; the probes do that job")
                .noneMatch(line -> line.toUpperCase(Locale.ROOT).startsWith("HEALTHCHECK"));
        String labels = String.join(" ", instructions.stream().filter(line -> line.startsWith("LABEL ")).toList());
        assertThat(labels).contains("org.opencontainers.image.title=", "org.opencontainers.image.version=",
                "org.opencontainers.image.revision=", "org.opencontainers.image.description=");
        String entrypoint = instructions.stream().filter(line -> line.startsWith("ENTRYPOINT ")).findFirst().orElseThrow();
        assertThat(entrypoint).contains("\"-XX:+ExitOnOutOfMemoryError\"");
    }

    @Test
    void theClassDataTrainingRunUsesTheFlagsTheImageStartsWithAndWritesTheArchiveItMaps() throws IOException {
        List<String> entrypoint = ImageJvm.entrypoint();
        List<String> training = ImageJvm.training();
        assertThat(entrypoint).as("the image starts from the archive").contains("-XX:SharedArchiveFile=/app/rewind.jsa");
        assertThat(training).as("the training run writes that archive").contains("-XX:ArchiveClassesAtExit=/app/rewind.jsa");
        assertThat(ImageJvm.withoutArchive(training)).as("a JVM with other GC or compiler settings may refuse the archive")
                .isSubsetOf(ImageJvm.withoutArchive(entrypoint))
                .containsAll(ImageJvm.withoutArchive(entrypoint).stream().filter(f -> f.startsWith("-XX:+Use")
                        || f.startsWith("-XX:Tiered")).toList());
    }

    @Test
    void everythingTheImageCopiesIsThere() throws IOException {
        List<String> copied = new ArrayList<>();
        for (String line : instructions().stream().filter(l -> l.startsWith("COPY ")).toList()) {
            String[] words = line.split("\\s+");
            if (words[1].startsWith("--from=")) {
                String source = words[2];
                assertThat(source).as("%s: the build stage has only what it copied and what Maven made", line)
                        .satisfiesAnyOf(s -> assertThat(s).startsWith("/src/target/"),
                                s -> assertThat(copied).anyMatch(c -> s.equals("/src/" + c) || s.startsWith("/src/" + c + "/")));
            } else {
                assertThat(Path.of(words[1])).as("%s: in the build context", line).exists();
                copied.add(words[1]);
            }
        }
    }
}
