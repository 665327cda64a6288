package dev.rewind.manifests;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code promtool test rules} on the groups of manifests/base/prometheusrule.yaml: the first failure of a fresh
 * label set pages, and the SLO alerts (success rate below 99% over 30 days, time-to-recovery p90 above
 * 300 s over 7 days) fire and stay quiet as their cases say. Skipped where promtool is not installed;
 * {@code .ci/run} installs Debian's {@code prometheus} package for it.
 */
class PrometheusRulesTest {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    @BeforeAll
    static void promtoolIsInstalled() {
        assumeTrue(run(Path.of("."), "promtool", "--version").exit() == 0,
                "promtool is not installed (apt-get install prometheus); the rule tests are skipped");
    }

    @Test
    void theRulesPassTheirPromtoolCases(@TempDir Path dir) throws IOException {
        JsonNode rule = YAML.readTree(Files.readString(Path.of("manifests/base/prometheusrule.yaml")));
        Files.writeString(dir.resolve("rewind-rules.yaml"), YAML.writeValueAsString(rule.path("spec")));
        Files.copy(Path.of("src/test/resources/prometheus/rewind-rules-test.yaml"), dir.resolve("rewind-rules-test.yaml"));

        Result check = run(dir, "promtool", "check", "rules", "rewind-rules.yaml");
        Result test = run(dir, "promtool", "test", "rules", "rewind-rules-test.yaml");

        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(test.exit()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    private record Result(int exit, String output) {
    }

    private static Result run(Path dir, String... command) {
        try {
            Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(dir.toFile())
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "promtool took over a minute:\n" + output);
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            return new Result(-1, command[0] + " could not be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
