package dev.rewind.adapter.config;

import dev.rewind.store.Database;
import dev.rewind.store.JdbiConfigHistory;
import dev.rewind.testing.RewindFixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Rewind.start records the versions of every configured ConfigMap and Secret, and stops at shutdown. */
class ConfigRecorderWiringIT {

    private static final String CATALOGUE = String.join("\n",
            "services:",
            "  - name: payments",
            "    channel: C0PAY",
            "    approvers: [U0ALICE]",
            "    targets:",
            "      - {type: config, namespace: shop, configMap: payments-config, restart: [payments]}",
            "      - {type: config, namespace: shop, secret: payments-keys, keyEnv: PAYMENTS_CONFIG_KEY}",
            "");

    @Test
    void theRecorderStartsWithRewindAndKeepsSecretsSealed() throws Exception {
        String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        try (RewindFixture rewind = RewindFixture.builder().catalogue(CATALOGUE).database(url).emptyCluster()
                .env("PAYMENTS_CONFIG_KEY", "wiring-test-key").build();
             Database database = Database.open(url, Optional.empty(), Optional.empty())) {
            JdbiConfigHistory history = new JdbiConfigHistory(database);
            ConfigRef map = new ConfigRef(ConfigRef.Kind.CONFIG_MAP, "shop", "payments-config");
            ConfigRef secret = new ConfigRef(ConfigRef.Kind.SECRET, "shop", "payments-keys");

            rewind.kubernetes().configMap("shop", "payments-config", Map.of("LOG_LEVEL", "info"));
            rewind.kubernetes().secret("shop", "payments-keys", Map.of("API_KEY", "sk-wiring"));

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(history.versions(map)).as("versions recorded of the ConfigMap").hasSize(1);
                assertThat(history.versions(secret)).as("versions recorded of the Secret").hasSize(1);
            });
            assertThat(history.versions(map).get(0).data()).containsEntry("LOG_LEVEL", "info");
            assertThat(history.versions(secret).get(0).sealed()).as("keyEnv came from the fixture's environment")
                    .isPresent();
        }
    }
}
