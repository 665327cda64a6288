package dev.rewind.alerts;

import dev.rewind.config.Catalogue;
import dev.rewind.config.CatalogueParser;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Alert messages from Alertmanager and Grafana in Slack, and text written to stall the parser. */
class AlertMessageParserTest {

    private static final Catalogue CATALOGUE = new CatalogueParser(warning -> { }, type -> false).parse("""
            alerts:
              watchedChannels: [C0ALERTS]
            services:
              - name: checkout
                channel: C0CHECKOUT
                target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}
              - name: cart
                channel: C0CART
                target: {type: kubernetes-deployment, namespace: shop, deployment: cart}
            """, "rewind.yml");
    private static final Instant NOW = Instant.parse("2026-12-04T21:00:00Z");

    /**
     * About 78 KB a bot could post: a status, label lines with no value after long runs of spaces, a
     * value with a stray backtick after 200 spaces, then empty lines to the end. On the old pattern
     * ({@code \s} crossing lines under MULTILINE) every line start re-scanned the rest of the text:
     * minutes for one message.
     */
    public static String hostile() {
        StringBuilder text = new StringBuilder("[FIRING:1] HighErrorRate\n");
        for (int i = 0; i < 20; i++) {
            text.append("a: ").append(" ".repeat(300)).append('\n');
            text.append("a=").append(" ".repeat(200)).append("x ` y\n");
        }
        return text.append("\n".repeat(78_000 - text.length())).toString();
    }

    private static Optional<Alert> parse(String source, String text, List<AlertMessageParser.Message.Part> parts) {
        return AlertMessageParser.parse(new AlertMessageParser.Message(source, text, parts), CATALOGUE, NOW);
    }

    @Test
    void aHostileMessageOf78KbIsReadInUnder100Milliseconds() {
        String text = hostile();
        assertThat(text.length()).isEqualTo(78_000);
        List<AlertMessageParser.Message.Part> parts = List.of(new AlertMessageParser.Message.Part(text, text, Map.of()));
        // A generous first run warms the JIT (and fails in seconds, not minutes, on a pattern that backtracks).
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> parse("slack:alertmanager", text, parts));

        Optional<Alert> alert = assertTimeoutPreemptively(Duration.ofMillis(100),
                () -> parse("slack:alertmanager", text, parts));
        assertThat(alert).as("no service named: not an alert Rewind can route").isEmpty();
    }

    @Test
    void labelsAfterTheFirst8KbAreNotRead() {
        String text = "[FIRING:1] HighErrorRate\n" + "x\n".repeat(5_000) + "service: checkout\n";
        assertThat(parse("slack:alertmanager", text, List.of())).isEmpty();
        assertThat(parse("slack:alertmanager", "[FIRING:1] HighErrorRate\nservice: checkout\n", List.of()))
                .map(Alert::labels).hasValue(Map.of("alertname", "HighErrorRate", "service", "checkout"));
    }

    @Test
    void readsAlertmanagersSlackNotification() {
        AlertMessageParser.Message.Part attachment = new AlertMessageParser.Message.Part(
                "[FIRING:1] HighErrorRate checkout (production page)",
                "*Alert:* 5xx above 5%\n*Labels:*\n• alertname: `HighErrorRate`\n• service: `checkout`\n• severity: `page`",
                Map.of());

        Alert alert = parse("slack:alertmanager", "", List.of(attachment)).orElseThrow();

        assertThat(alert.name()).isEqualTo("HighErrorRate");
        assertThat(alert.firing()).isTrue();
        assertThat(alert.labels()).containsEntry("service", "checkout").containsEntry("severity", "page")
                .containsEntry("alertname", "HighErrorRate").doesNotContainKey("labels");
    }

    @Test
    void readsGrafanasSlackNotificationWithAnEmptyLabelsLineBeforeTheLabels() {
        String text = "[RESOLVED] CartDown (cart)\n**Resolved**\n\nValue: B=0\nLabels:\n - alertname = CartDown\n"
                + " - service = cart\r\n - team = `shop`\nAnnotations:\n - summary = cart answers 503\n";

        Alert alert = parse("slack:grafana", text, List.of()).orElseThrow();

        assertThat(alert.firing()).isFalse();
        assertThat(alert.labels()).isEqualTo(Map.of("alertname", "CartDown", "service", "cart", "team", "shop"));
        assertThat(alert.summary()).isEqualTo("cart answers 503");
    }

    @Test
    void aValueWithABacktickInsideIsProseNotALabelAndTheServiceIsFoundByName() {
        String text = "[FIRING:2] HighLatency\nnote: run `kubectl get pods` first\nwhere: checkout pods are slow\n";

        Alert alert = parse("slack:alertmanager", text, List.of()).orElseThrow();

        assertThat(alert.labels()).doesNotContainKey("note").containsEntry("service", "checkout")
                .containsEntry("alertname", "HighLatency");
    }
}
