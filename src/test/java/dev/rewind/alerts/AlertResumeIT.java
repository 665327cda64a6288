package dev.rewind.alerts;

import dev.rewind.store.Database;
import dev.rewind.store.JdbiAlertStore;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SlackStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Alerts stored but not processed when Rewind stopped (from the webhook and from a watched channel)
 * open their cards when it starts again.
 */
class AlertResumeIT {

    @TempDir
    Path dir;
    private RewindFixture rewind;

    @AfterEach
    void stop() {
        if (rewind != null) {
            rewind.close();
        }
    }

    @Test
    void alertsStoredBeforeACrashAreProcessedOnTheNextStart() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("rewind");
        try (Database database = Database.open(url, Optional.empty(), Optional.empty())) {
            JdbiAlertStore store = new JdbiAlertStore(database);
            store.savePayload(AlertmanagerPayload.SOURCE, AlertsIT.payload("firing",
                    Map.of("alertname", "HighErrorRate", "service", "checkout")), Instant.now());
            Alert fromChat = new Alert("f-cart", "CartDown", Alert.Status.FIRING, Map.of("app", "cart-api"),
                    Map.of("summary", "cart answers 503"), Instant.parse("2026-11-26T03:00:00Z"), Optional.empty(),
                    "slack:alertmanager");
            store.savePayload(fromChat.source(), SlackAlertPayload.write("C0ALERTS", "[FIRING:1] CartDown",
                    List.of(fromChat)), Instant.now());
        }

        rewind = RewindFixture.builder().database(url).withoutPrometheus().catalogue(String.join("\n",
                "alerts:",
                "  watchedChannels: [C0ALERTS]",
                "services:",
                "  - name: checkout",
                "    channel: " + CHANNEL,
                "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                "    approvers: [" + ALICE + "]",
                "  - name: cart",
                "    channel: C0CART",
                "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                "    alerts: {match: {app: cart-api}}",
                "    approvers: [" + ALICE + "]",
                "")).build();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.cards()).as("cards posted").hasSize(2));
        assertThat(rewind.cards()).extracting(post -> post.form().get("channel")).containsExactlyInAnyOrder(CHANNEL, "C0CART");
        assertThat(rewind.cards()).anySatisfy(post -> assertThat(SlackStub.readable(post.form()))
                .contains("alert CartDown").contains("cart answers 503"));
        assertThat(rewind.cards()).anySatisfy(post -> assertThat(SlackStub.readable(post.form()))
                .contains("alert HighErrorRate"));
    }

    @Test
    void aPayloadHandledAgainAfterACrashDoesNotCountItsAlertTwice() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("rewind");
        Alert fromChat = new Alert("f-cart", "CartDown", Alert.Status.FIRING, Map.of("app", "cart-api"),
                Map.of("summary", "cart answers 503"), Instant.parse("2026-11-26T03:00:00Z"), Optional.empty(),
                "slack:alertmanager");
        try (Database database = Database.open(url, Optional.empty(), Optional.empty())) {
            JdbiAlertStore store = new JdbiAlertStore(database);
            long payload = store.savePayload(fromChat.source(), SlackAlertPayload.write("C0ALERTS", "[FIRING:1] CartDown",
                    List.of(fromChat)), Instant.now());
            // The alert was recorded on its incident, then the process died before the payload was marked processed.
            AlertStore.Incident incident = store.openOrCreate("cart", "in-crashed0001", Instant.now());
            store.record(incident.id(), fromChat, Instant.now(), payload);
        }

        rewind = RewindFixture.builder().database(url).withoutPrometheus().catalogue(String.join("\n",
                "alerts:",
                "  watchedChannels: [C0ALERTS]",
                "services:",
                "  - name: cart",
                "    channel: C0CART",
                "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                "    alerts: {match: {app: cart-api}}",
                "    approvers: [" + ALICE + "]",
                "")).build();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.cards()).as("cards posted").hasSize(1));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(SlackStub.readable(
                rewind.slack().updates().isEmpty() ? rewind.cards().get(0).form()
                        : rewind.slack().updates().get(rewind.slack().updates().size() - 1)))
                .as("the card, as last drawn").contains("1 notification").doesNotContain("2 notifications"));
    }
}
