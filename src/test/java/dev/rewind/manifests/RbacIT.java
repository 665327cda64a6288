package dev.rewind.manifests;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.adapter.Target;
import dev.rewind.adapter.config.ConfigAdapter;
import dev.rewind.adapter.config.ConfigRef;
import dev.rewind.adapter.config.ConfigVersionRecorder;
import dev.rewind.adapter.kubernetes.KubernetesDeploymentAdapter;
import dev.rewind.adapter.migration.DatabaseMigrationAdapter;
import dev.rewind.config.Secrets;
import dev.rewind.store.Database;
import dev.rewind.store.JdbiConfigHistory;
import dev.rewind.testing.KubernetesWorld;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The ClusterRole in manifests/ grants exactly the API calls the adapters make: every call Rewind
 * makes during describe, execute (including a failed one) and verify — and the config version
 * recorder's reads and watches — is recorded by the mock server and must be allowed, and nothing
 * else is granted. Rewind's client is told apart from the stand-in controllers by its User-Agent.
 */
class RbacIT {

    private static final String REWIND = "rewind-under-test";

    @Test
    void clusterRoleGrantsExactlyWhatTheAdaptersCall() throws Exception {
        Set<String> used = new TreeSet<>();
        try (KubernetesWorld world = new KubernetesWorld();
             Database database = Database.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                     Optional.empty(), Optional.empty())) {
            world.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata()
                    .build()).create();
            world.deployment("shop", "checkout", 2, "shop/checkout:1", "shop/checkout:2", "shop/checkout:3");
            world.deployment("shop", "payments", 2, "shop/payments:1");
            KubernetesClient client = world.newClient(REWIND);

            kubernetesDeployment(world, client);
            config(world, client, new JdbiConfigHistory(database.jdbi()));
            databaseMigration(world, client);

            world.pauseController(true);
            Thread.sleep(100);
            world.drainRequests(REWIND).forEach(call -> used.add(permission(call)));
        }
        ClusterRole role = ManifestsTest.only(ManifestsTest.load(), ClusterRole.class);
        Set<String> granted = new TreeSet<>();
        for (PolicyRule rule : role.getRules()) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        granted.add(group + "/" + resource + ":" + verb);
                    }
                }
            }
        }
        assertThat(granted).containsAll(used);
        assertThat(used).containsAll(granted);
    }

    private static void kubernetesDeployment(KubernetesWorld world, KubernetesClient client) throws InterruptedException {
        RollbackAdapter adapter = new KubernetesDeploymentAdapter(client);
        Target target = new Target(KubernetesDeploymentAdapter.TYPE, Map.of("namespace", "shop", "deployment", "checkout"));
        world.pauseController(true);
        Thread.sleep(100);
        adapter.describe(target);
        adapter.verify(target);
        assertThatThrownBy(() -> adapter.execute(target, Change.to("rb-0000000000", "2"), Progress.NONE, Duration.ofMillis(600)))
                .isInstanceOf(AdapterException.class);
        world.pauseController(false);
    }

    /** The recorder on a ConfigMap and a Secret, a rollback of each with a restart, and a refused rollback. */
    private static void config(KubernetesWorld world, KubernetesClient client, JdbiConfigHistory history) {
        Target configMap = new Target(ConfigAdapter.TYPE, Map.of("namespace", "shop", "configMap", "payments-config",
                "restart", List.of("payments")));
        Target secret = new Target(ConfigAdapter.TYPE, Map.of("namespace", "shop", "secret", "payments-keys",
                "keyEnv", "RBAC_TEST_KEY", "restart", List.of("payments")));
        ConfigRef mapRef = new ConfigRef(ConfigRef.Kind.CONFIG_MAP, "shop", "payments-config");
        ConfigRef secretRef = new ConfigRef(ConfigRef.Kind.SECRET, "shop", "payments-keys");
        Secrets secrets = Secrets.of(Map.of("RBAC_TEST_KEY", "rbac-test-key"));
        try (ConfigVersionRecorder recorder = new ConfigVersionRecorder(client, history, secrets, Clock.systemUTC())) {
            world.configMap("shop", "payments-config", Map.of("LOG_LEVEL", "info"));
            world.secret("shop", "payments-keys", Map.of("API_KEY", "one"));
            recorder.start(List.of(configMap, secret));
            await().atMost(Duration.ofSeconds(15)).until(() -> history.versions(mapRef).size() == 1
                    && history.versions(secretRef).size() == 1);
            world.configMap("shop", "payments-config", Map.of("LOG_LEVEL", "debug"));
            world.secret("shop", "payments-keys", Map.of("API_KEY", "two"));
            await().atMost(Duration.ofSeconds(15)).until(() -> history.versions(mapRef).size() == 2
                    && history.versions(secretRef).size() == 2);

            ConfigAdapter adapter = new ConfigAdapter(client, history, secrets, Clock.systemUTC());
            Map.of("rb-rbac-configmap", configMap, "rb-rbac-secret", secret).forEach((runId, target) -> {
                Revision previous = adapter.describe(target).previous().orElseThrow();
                adapter.execute(target, Change.to(runId, previous.id()), Progress.NONE, Duration.ofSeconds(10));
                adapter.verify(target);
            });
            Target missingRestart = new Target(ConfigAdapter.TYPE, Map.of("namespace", "shop", "configMap",
                    "payments-config", "restart", List.of("ledger")));
            Revision previous = adapter.describe(missingRestart).previous().orElseThrow();
            assertThatThrownBy(() -> adapter.execute(missingRestart, Change.to("rb-rbac000009", previous.id()),
                    Progress.NONE, Duration.ofSeconds(5)))
                    .isInstanceOf(AdapterException.class);
        }
    }

    /** A migration rollback that succeeds (with the list Job) and one whose backup fails, so its log is read. */
    private static void databaseMigration(KubernetesWorld world, KubernetesClient client) {
        DatabaseMigrationAdapter adapter = new DatabaseMigrationAdapter(client);
        Target target = new Target(DatabaseMigrationAdapter.TYPE, Map.of("namespace", "shop",
                "list", Map.of("image", "shop/migrate:1", "command", List.of("migrate", "status")),
                "backup", Map.of("image", "shop/migrate:1", "command", List.of("backup-db")),
                "rollback", Map.of("image", "shop/migrate:1", "command", List.of("migrate", "down"))));
        world.jobPrints("migrate status", "0042_add_refunds");
        adapter.describe(target);
        adapter.execute(target, Change.to("rb-rbac000003", DatabaseMigrationAdapter.PREVIOUS), Progress.NONE,
                Duration.ofSeconds(20));
        adapter.verify(target);
        world.jobFails("backup-db", "pg_dump: error");
        assertThatThrownBy(() -> adapter.execute(target, Change.to("rb-rbac000004", DatabaseMigrationAdapter.PREVIOUS),
                Progress.NONE, Duration.ofSeconds(20)))
                .isInstanceOf(AdapterException.class);
    }

    /** {@code "GET /apis/apps/v1/namespaces/shop/deployments?watch=true…"} → {@code apps/deployments:watch}. */
    static String permission(String call) {
        String method = call.substring(0, call.indexOf(' '));
        String url = URLDecoder.decode(call.substring(call.indexOf(' ') + 1), StandardCharsets.UTF_8);
        String path = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
        String query = url.contains("?") ? url.substring(url.indexOf('?') + 1) : "";
        String[] parts = path.split("/");
        int index = path.startsWith("/api/") ? 3 : 4;
        String group = path.startsWith("/api/") ? "" : parts[2];
        if (parts.length > index && parts[index].equals("namespaces") && parts.length > index + 2) {
            index += 2;
        }
        String resource = parts[index];
        boolean named = parts.length > index + 1;
        if (parts.length > index + 2) {
            resource = resource + "/" + parts[index + 2];
        }
        String verb = switch (method) {
            case "GET" -> query.contains("watch=true") ? "watch" : named ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> "delete";
            default -> method.toLowerCase();
        };
        return group + "/" + resource + ":" + verb;
    }
}
