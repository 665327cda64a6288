package dev.rewind;

import dev.rewind.testing.RewindFixture;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;

import static dev.rewind.testing.RewindFixture.ALICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A changed rewind.yml is taken without a restart; a broken one keeps the catalogue that works and says why. */
class ConfigReloadIT {

    private static final String TOKEN = "reload-api-token";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aValidChangeIsTakenAndABrokenOneKeepsTheOldCatalogueAndSaysWhy() throws Exception {
        try (RewindFixture rewind = RewindFixture.builder().env("REWIND_API_TOKEN", TOKEN).build()) {
            assertThat(readiness(rewind, "payments").statusCode()).as("not in the catalogue yet").isEqualTo(404);

            Files.writeString(rewind.configFile(), RewindFixture.CATALOGUE + String.join("\n",
                    "  - name: payments",
                    "    channel: C0PAYMENTS",
                    "    target: {type: kubernetes-deployment, namespace: shop, deployment: payments}",
                    "    approvers: [" + ALICE + "]",
                    ""));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(readiness(rewind, "payments").statusCode())
                    .as("payments is known without a restart").isEqualTo(200));
            assertThat(rewind.get("/readyz?verbose").body()).contains("- config: ok");

            Files.writeString(rewind.configFile(), RewindFixture.CATALOGUE + "  - name: broken\n    approvals: two\n");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.get("/readyz?verbose").body())
                    .contains("- config: failing: ").contains("(the previous catalogue is kept)"));
            assertThat(rewind.get("/readyz").statusCode()).as("still ready: the previous catalogue serves").isEqualTo(200);
            assertThat(readiness(rewind, "payments").statusCode()).as("the previous catalogue is kept").isEqualTo(200);
            assertThat(rewind.get("/metrics").body()).contains("rewind_config_reload_failures_total 1.0");
        }
    }

    private HttpResponse<String> readiness(RewindFixture rewind, String service) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(rewind.url("/api/v1/services/" + service + "/readiness")))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }
}
