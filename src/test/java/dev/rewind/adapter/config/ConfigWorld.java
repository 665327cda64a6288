package dev.rewind.adapter.config;

import dev.rewind.config.Target;
import dev.rewind.config.Secrets;
import dev.rewind.store.Database;
import dev.rewind.store.JdbiConfigHistory;
import dev.rewind.testing.KubernetesWorld;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A shop namespace on fabric8's mock server with the payments Deployment, a fresh H2 history, the
 * version recorder watching the target, and the adapter under test.
 */
final class ConfigWorld implements AutoCloseable {

    static final String KEY_ENV = "REWIND_CONFIG_KEY";

    final KubernetesWorld kubernetes = new KubernetesWorld();
    final Database database = Database.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
            Optional.empty(), Optional.empty());
    final JdbiConfigHistory history = new JdbiConfigHistory(database);
    final ConfigVersionRecorder recorder;
    final ConfigAdapter adapter;

    ConfigWorld(Secrets secrets) {
        kubernetes.deployment("shop", "payments", 2, "shop/payments:1.0.0");
        recorder = new ConfigVersionRecorder(kubernetes.newClient(), history, secrets, Clock.systemUTC());
        adapter = new ConfigAdapter(kubernetes.newClient(), history, secrets, Clock.systemUTC());
    }

    static ConfigWorld withKey() {
        return new ConfigWorld(Secrets.of(Map.of(KEY_ENV, "a-long-random-test-key-0123456789")));
    }

    void record(Target target) {
        recorder.start(List.of(target));
    }

    /** Waits until the recorder has stored this many versions of the object. */
    void awaitVersions(ConfigRef ref, int count) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(history.versions(ref))
                .as("versions recorded of " + ref).hasSizeGreaterThanOrEqualTo(count));
    }

    Deployment payments() {
        return kubernetes.get("shop", "payments");
    }

    Map<String, String> paymentsTemplateAnnotations() {
        Map<String, String> annotations = payments().getSpec().getTemplate().getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    @Override
    public void close() {
        recorder.close();
        kubernetes.close();
        database.close();
    }
}
