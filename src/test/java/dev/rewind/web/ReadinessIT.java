package dev.rewind.web;

import dev.rewind.testing.RewindFixture;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * /readyz means "can take traffic": the database answers. Slack and Prometheus outages are listed by
 * /readyz?verbose and rewind_dependency_up, and never take the replica out of its Service, so
 * Alertmanager's webhooks still reach it.
 */
class ReadinessIT {

    private static final String ALERT = "{\"version\":\"4\",\"status\":\"firing\",\"receiver\":\"rewind\",\"alerts\":[{"
            + "\"status\":\"firing\",\"labels\":{\"alertname\":\"HighErrorRate\",\"service\":\"checkout\"},"
            + "\"annotations\":{\"summary\":\"5xx above 5%\"},\"startsAt\":\"2026-11-26T03:00:00Z\","
            + "\"endsAt\":\"0001-01-01T00:00:00Z\",\"fingerprint\":\"a11ce\"}]}";

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aReplicaStartedDuringASlackOutageIsReadyTakesAlertsAndSaysSlackIsFailing() throws Exception {
        try (RewindFixture rewind = RewindFixture.builder().slack(slack -> slack.server().stubFor(
                post(urlEqualTo("/api/auth.test")).willReturn(okJson("{\"ok\":false,\"error\":\"invalid_auth\"}")))).build()) {
            HttpResponse<String> ready = rewind.get("/readyz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("ready\n");

            HttpResponse<String> verbose = rewind.get("/readyz?verbose");
            assertThat(verbose.statusCode()).isEqualTo(200);
            assertThat(verbose.body()).startsWith("ready\n")
                    .contains("- database: ok\n")
                    .containsPattern("- slack: failing: auth\\.test failed: .*invalid_auth.* \\(does not affect readiness\\)\n")
                    .contains("- prometheus: ok\n");

            assertThat(rewind.get("/metrics").body())
                    .contains("rewind_dependency_up{dependency=\"database\"} 1.0")
                    .contains("rewind_dependency_up{dependency=\"slack\"} 0.0")
                    .contains("rewind_dependency_up{dependency=\"prometheus\"} 1.0");

            HttpResponse<String> alert = http.send(HttpRequest.newBuilder(URI.create(rewind.url("/alerts/alertmanager")))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(ALERT)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(alert.statusCode()).as("Alertmanager's webhook is acknowledged: %s", alert.body()).isEqualTo(200);
        }
    }

    @Test
    void alertsTakenWhileSlackIsDownGetTheirCardWhenItReturns() throws Exception {
        try (RewindFixture rewind = RewindFixture.builder().slack(slack -> slack.beFlaky("auth.test", "chat.postMessage")).build()) {
            assertThat(rewind.get("/readyz").statusCode()).as("ready while Slack is down").isEqualTo(200);
            HttpResponse<String> alert = http.send(HttpRequest.newBuilder(URI.create(rewind.url("/alerts/alertmanager")))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(ALERT)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(alert.statusCode()).as("stored and acknowledged: %s", alert.body()).isEqualTo(200);
            Thread.sleep(1_500);
            assertThat(rewind.cards()).as("no card while Slack fails").isEmpty();

            rewind.slack().recover();
            await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> assertThat(rewind.cards()).as("the alert's card, once Slack is back")
                    .singleElement().satisfies(card -> assertThat(card.form().get("channel")).isEqualTo(RewindFixture.CHANNEL)));
        }
    }

    @Test
    void prometheusBeingDownIsReportedButDoesNotFailReadiness() throws Exception {
        try (RewindFixture rewind = RewindFixture.start()) {
            rewind.prometheus().close();

            assertThat(rewind.get("/readyz").statusCode()).isEqualTo(200);
            HttpResponse<String> verbose = rewind.get("/readyz?verbose");
            assertThat(verbose.statusCode()).isEqualTo(200);
            assertThat(verbose.body()).contains("- database: ok\n").contains("- slack: ok\n")
                    .containsPattern("- prometheus: failing: Prometheus unreachable: .* \\(does not affect readiness\\)\n");
            assertThat(rewind.get("/metrics").body()).contains("rewind_dependency_up{dependency=\"prometheus\"} 0.0");
        }
    }

    @Test
    void aReplicaWhoseDatabaseIsGoneIsNotReadyAndSaysWhy() throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        try (RewindFixture rewind = RewindFixture.builder().database(postgres.getJdbcUrl("postgres", "postgres"))
                .env("DATABASE_USER", "postgres").build()) {
            assertThat(rewind.get("/readyz").statusCode()).isEqualTo(200);

            postgres.close();

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HttpResponse<String> ready = rewind.get("/readyz");
                assertThat(ready.statusCode()).as("GET /readyz status; it said:%n%s", ready.body()).isEqualTo(503);
            });
            assertThat(rewind.get("/readyz").body()).startsWith("not ready\n").contains("- database: failing: ");
            long asked = System.nanoTime();
            HttpResponse<String> verbose = rewind.get("/readyz?verbose");
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).as("the answer comes within the readinessProbe's "
                    + "timeoutSeconds (5), not after the connection pool's timeout").isLessThan(Duration.ofSeconds(5));
            assertThat(verbose.statusCode()).isEqualTo(503);
            assertThat(verbose.body()).contains("- database: failing: ").contains("- slack: ok\n");
            HttpResponse<String> metrics = rewind.get("/metrics");
            assertThat(metrics.statusCode()).as("metrics still answer, so the outage can be scraped").isEqualTo(200);
            assertThat(metrics.body()).contains("rewind_dependency_up{dependency=\"database\"} 0.0");
        } finally {
            postgres.close();
        }
    }
}
