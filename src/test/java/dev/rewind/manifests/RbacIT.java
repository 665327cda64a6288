package dev.rewind.manifests;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.argo.ArgoRolloutAdapter;
import dev.rewind.adapter.bluegreen.BlueGreenAdapter;
import dev.rewind.adapter.istio.IstioWeightsAdapter;
import dev.rewind.adapter.kubernetes.KubernetesDaemonSetAdapter;
import dev.rewind.adapter.kubernetes.KubernetesDeploymentAdapter;
import dev.rewind.adapter.kubernetes.WorkloadInformers;
import dev.rewind.adapter.kubernetes.KubernetesStatefulSetAdapter;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.config.ConfigAdapter;
import dev.rewind.adapter.config.ConfigRef;
import dev.rewind.adapter.config.ConfigVersionRecorder;
import dev.rewind.adapter.gitrevert.GitHubWorld;
import dev.rewind.adapter.gitrevert.GitRevertAdapter;
import dev.rewind.adapter.http.RetryingHttp;
import dev.rewind.adapter.migration.DatabaseMigrationAdapter;
import dev.rewind.config.Secrets;
import dev.rewind.store.Database;
import dev.rewind.store.JdbiConfigHistory;
import dev.rewind.testing.ArgoRolloutsWorld;
import dev.rewind.testing.ControllerRevisionWorld;
import dev.rewind.testing.FluxWorld;
import dev.rewind.testing.KubernetesWorld;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The ClusterRole in manifests/base grants exactly the API calls the adapters make: every call each
 * Kubernetes adapter makes during describe, execute (a successful one and a failing one) and verify is
 * recorded by the mock server and must be allowed, and nothing else is granted. Only the adapters'
 * own calls count (they use {@link KubernetesWorld#botClient()}), not the fake controllers'. The config
 * version recorder's reads and watches count too, and so do git-revert's reads of a Flux Kustomization.
 */
class RbacIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Target BLUE_GREEN = new Target(BlueGreenAdapter.TYPE, Map.of("namespace", "shop", "service", "storefront",
            "slotLabel", "slot", "slots", Map.of("blue", "storefront-blue", "green", "storefront-green")));
    private static final Target ISTIO = new Target(IstioWeightsAdapter.TYPE, Map.of("namespace", "shop", "virtualService", "reviews",
            "stableSubset", "stable", "canarySubset", "canary"));

    @Test
    void clusterRoleGrantsExactlyWhatTheAdaptersCall() throws Exception {
        Set<String> used = new TreeSet<>();
        Map<String, Set<String>> usedBy = new java.util.LinkedHashMap<>();
        try (KubernetesWorld world = new KubernetesWorld();
             ArgoRolloutsWorld argo = new ArgoRolloutsWorld(world);
             ControllerRevisionWorld controllers = new ControllerRevisionWorld(world);
             Database database = Database.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                     Optional.empty(), Optional.empty())) {
            world.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata()
                    .build()).create();
            world.deployment("shop", "payments", 2, "shop/payments:1");
            world.drainBotCalls();
            config(world, world.botClient(), new JdbiConfigHistory(database));
            usedBy.put("config", calls(world));
            databaseMigration(world, world.botClient());
            usedBy.put("database-migration", calls(world));
            blueGreen(world);
            usedBy.put("blue-green", calls(world));
            istioWeights(world);
            usedBy.put("istio-weights", calls(world));
            argoRollout(world, argo);
            usedBy.put("argo-rollout", calls(world));
            statefulSetAndDaemonSet(world, controllers);
            usedBy.put("statefulset+daemonset", calls(world));
            deployment(world);
            usedBy.put("kubernetes-deployment", calls(world));
            gitRevertWithFlux(world);
            usedBy.put("git-revert", calls(world));
            deployGuardInformers(world);
            usedBy.put("deploy guard informers", calls(world));
            usedBy.values().forEach(used::addAll);
        }
        // Each adapter declares (for /rollback ready's access reviews) every call it was seen to make.
        Target configMap = new Target(ConfigAdapter.TYPE, Map.of("namespace", "shop", "configMap", "payments-config",
                "restart", List.of("payments")));
        Target secret = new Target(ConfigAdapter.TYPE, Map.of("namespace", "shop", "secret", "payments-keys",
                "keyEnv", "RBAC_TEST_KEY", "restart", List.of("payments")));
        Map<String, Set<String>> declared = Map.of(
                "config", declared(new ConfigAdapter(null, null, null, Clock.systemUTC()), configMap, secret),
                "database-migration", declared(new DatabaseMigrationAdapter(null), new Target(DatabaseMigrationAdapter.TYPE,
                        Map.of("namespace", "shop", "deployment", "payments"))),
                "blue-green", declared(new BlueGreenAdapter(null), BLUE_GREEN),
                "istio-weights", declared(new IstioWeightsAdapter(null), ISTIO),
                "argo-rollout", declared(new ArgoRolloutAdapter(null), new Target(ArgoRolloutAdapter.TYPE,
                        Map.of("namespace", "shop", "rollout", "search"))),
                "kubernetes-deployment", declared(new KubernetesDeploymentAdapter(null), new Target(KubernetesDeploymentAdapter.TYPE,
                        Map.of("namespace", "shop", "deployment", "checkout"))),
                "git-revert", declared(new GitRevertAdapter(Secrets.of(Map.of()), null, null), new Target(GitRevertAdapter.TYPE,
                        Map.of("apiUrl", "https://api.github.example", "repo", "org/gitops", "path", "apps/checkout",
                                "tokenEnv", "GITHUB_TOKEN", "sync", Map.of("flux", Map.of("namespace", FluxWorld.NAMESPACE,
                                        "kustomization", "checkout"))))));
        Set<String> statefulAndDaemon = new TreeSet<>(declared(new KubernetesStatefulSetAdapter(null),
                new Target(KubernetesStatefulSetAdapter.TYPE, Map.of("namespace", "shop", "statefulSet", "ledger"))));
        statefulAndDaemon.addAll(declared(new KubernetesDaemonSetAdapter(null),
                new Target(KubernetesDaemonSetAdapter.TYPE, Map.of("namespace", "shop", "daemonSet", "log-agent"))));
        assertThat(statefulAndDaemon).as("statefulset and daemonset declare what they call")
                .containsAll(usedBy.get("statefulset+daemonset"));
        declared.forEach((adapter, permissions) -> assertThat(permissions).as("%s declares what it calls", adapter)
                .containsAll(usedBy.get(adapter)));
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

    /** What an adapter declares for targets, written as calls are ({@code apps/deployments:patch}). */
    private static Set<String> declared(RollbackAdapter adapter, Target... targets) {
        Set<String> declared = new TreeSet<>();
        for (Target target : targets) {
            adapter.permissions(target).forEach(p -> declared.add(p.group() + "/" + p.resource() + ":" + p.verb()));
        }
        return declared;
    }

    private static Set<String> calls(KubernetesWorld world) {
        Set<String> calls = new TreeSet<>();
        world.drainBotCalls().forEach(call -> calls.add(permission(call)));
        return calls;
    }

    /** The deploy guard's informers list and watch each kind of workload in a namespace in use. */
    private static void deployGuardInformers(KubernetesWorld world) throws InterruptedException {
        try (WorkloadInformers informers = new WorkloadInformers(world.botClient(), target -> { })) {
            informers.watch(List.of(
                    new Target(KubernetesDeploymentAdapter.TYPE, Map.of("namespace", "shop", "deployment", "checkout")),
                    new Target(KubernetesStatefulSetAdapter.TYPE, Map.of("namespace", "shop", "statefulSet", "ledger")),
                    new Target(KubernetesDaemonSetAdapter.TYPE, Map.of("namespace", "shop", "daemonSet", "log-agent")),
                    new Target(ArgoRolloutAdapter.TYPE, Map.of("namespace", "shop", "rollout", "search"))));
            Thread.sleep(500);
        }
    }

    private static void deployment(KubernetesWorld world) throws InterruptedException {
        world.deployment("shop", "checkout", 2, "shop/checkout:1", "shop/checkout:2", "shop/checkout:3");
        RollbackAdapter adapter = new KubernetesDeploymentAdapter(world.botClient());
        Target target = new Target(KubernetesDeploymentAdapter.TYPE, Map.of("namespace", "shop", "deployment", "checkout"));
        adapter.describe(target);
        adapter.verify(target);
        adapter.execute(target, Change.to("rb-rbac000001", "2"), Progress.NONE, TIMEOUT);
        world.pauseController(true);
        Thread.sleep(100);
        assertThatThrownBy(() -> adapter.execute(target, Change.to("rb-rbac000002", "1"), Progress.NONE,
                Duration.ofMillis(600))).isInstanceOf(AdapterException.class);
        world.pauseController(false);
    }

    /** git-revert with a Flux sync block reads the Kustomization in describe and verify (GitHub is a stand-in). */
    private static void gitRevertWithFlux(KubernetesWorld world) {
        FluxWorld flux = new FluxWorld(world);
        try (GitHubWorld github = new GitHubWorld()) {
            String good = github.commit("main", "checkout 1", Map.of("apps/checkout/app.yaml", "v1"));
            String bad = github.commit("main", "checkout 2", Map.of("apps/checkout/app.yaml", "v2"));
            flux.kustomization("checkout", bad);
            RollbackAdapter adapter = new GitRevertAdapter(Secrets.of(Map.of("GITHUB_TOKEN", GitHubWorld.TOKEN)),
                    new RetryingHttp(HttpClient.newHttpClient(), RetryingHttp.Backoff.DEFAULT), world.botClient());
            Target target = new Target(GitRevertAdapter.TYPE, Map.of("apiUrl", github.url(), "repo", "org/gitops",
                    "path", "apps/checkout", "tokenEnv", "GITHUB_TOKEN",
                    "sync", Map.of("flux", Map.of("namespace", FluxWorld.NAMESPACE, "kustomization", "checkout"))));
            adapter.describe(target);
            adapter.execute(target, Change.to("rb-rbac000030", good), Progress.NONE, TIMEOUT);
            flux.applied("checkout", github.merge(1));
            assertThat(adapter.verify(target).isHealthy()).isTrue();
        }
    }

    private static void blueGreen(KubernetesWorld world) {
        world.deployment("shop", "storefront-blue", Map.of("app", "storefront", "slot", "blue"), 2, "shop/storefront:2");
        world.deployment("shop", "storefront-green", Map.of("app", "storefront", "slot", "green"), 0, "shop/storefront:1");
        world.service("shop", "storefront", Map.of("app", "storefront", "slot", "blue"));
        RollbackAdapter adapter = new BlueGreenAdapter(world.botClient());
        Target target = BLUE_GREEN;
        adapter.describe(target);
        adapter.execute(target, Change.to("rb-rbac000003", "green"), Progress.NONE, TIMEOUT);
        adapter.verify(target);
        world.crashPods("shop", "storefront-blue");
        assertThatThrownBy(() -> adapter.execute(target, Change.to("rb-rbac000004", "blue"), Progress.NONE,
                Duration.ofMillis(600))).isInstanceOf(AdapterException.class);
    }

    private static void istioWeights(KubernetesWorld world) throws IOException {
        try (var yaml = RbacIT.class.getResourceAsStream("/istio/reviews-virtualservice.yaml")) {
            world.client().genericKubernetesResources(new ResourceDefinitionContext.Builder()
                            .withGroup("networking.istio.io").withVersion("v1beta1").withKind("VirtualService")
                            .withPlural("virtualservices").withNamespaced(true).build())
                    .inNamespace("shop").resource(Serialization.unmarshal(yaml, GenericKubernetesResource.class)).create();
        }
        RollbackAdapter adapter = new IstioWeightsAdapter(world.botClient());
        Target target = ISTIO;
        adapter.describe(target);
        assertThatThrownBy(() -> adapter.execute(target, Change.to("rb-rbac000005", "canary-50"), Progress.NONE,
                TIMEOUT)).isInstanceOf(AdapterException.class);
        adapter.execute(target, Change.to("rb-rbac000006", "stable-100"), Progress.NONE, TIMEOUT);
        adapter.verify(target);
    }

    private static void argoRollout(KubernetesWorld world, ArgoRolloutsWorld argo) {
        argo.rollout("shop", "search", 2, "shop/search:1", "shop/search:2");
        argo.startCanary("shop", "search", "shop/search:3");
        RollbackAdapter adapter = new ArgoRolloutAdapter(world.botClient());
        Target target = new Target(ArgoRolloutAdapter.TYPE, Map.of("namespace", "shop", "rollout", "search"));
        TargetState state = adapter.describe(target);
        adapter.execute(target, Change.to("rb-rbac000007", state.previous().orElseThrow().id()), Progress.NONE, TIMEOUT);
        adapter.verify(target);
        // an undo to r1 goes through the canary steps again and pauses: a failing execute
        assertThatThrownBy(() -> adapter.execute(target, Change.to("rb-rbac000008", "1"), Progress.NONE,
                Duration.ofMillis(600))).isInstanceOf(AdapterException.class);
    }

    private static void statefulSetAndDaemonSet(KubernetesWorld world, ControllerRevisionWorld controllers) {
        controllers.statefulSet("shop", "ledger", 2, "shop/ledger:1", "shop/ledger:2", "shop/ledger:3");
        controllers.daemonSet("shop", "log-agent", "shop/agent:1", "shop/agent:2", "shop/agent:3");
        world.breakImage("shop/ledger:1");
        world.breakImage("shop/agent:1");
        List<Target> targets = List.of(
                new Target(KubernetesStatefulSetAdapter.TYPE, Map.of("namespace", "shop", "statefulSet", "ledger")),
                new Target(KubernetesDaemonSetAdapter.TYPE, Map.of("namespace", "shop", "daemonSet", "log-agent")));
        List<RollbackAdapter> adapters = List.of(new KubernetesStatefulSetAdapter(world.botClient()),
                new KubernetesDaemonSetAdapter(world.botClient()));
        for (int i = 0; i < targets.size(); i++) {
            RollbackAdapter adapter = adapters.get(i);
            Target target = targets.get(i);
            String run = "rb-rbac0000" + (20 + i);
            adapter.describe(target);
            adapter.execute(target, Change.to("rb-rbac00001" + i, "2"), Progress.NONE, TIMEOUT);
            adapter.verify(target);
            assertThatThrownBy(() -> adapter.execute(target, Change.to(run, "1"), Progress.NONE,
                    Duration.ofMillis(600))).isInstanceOf(AdapterException.class);
        }
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
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(history.versions(mapRef)).as("versions recorded of the ConfigMap").hasSize(1);
                assertThat(history.versions(secretRef)).as("versions recorded of the Secret").hasSize(1);
            });
            world.configMap("shop", "payments-config", Map.of("LOG_LEVEL", "debug"));
            world.secret("shop", "payments-keys", Map.of("API_KEY", "two"));
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(history.versions(mapRef)).as("versions recorded of the ConfigMap").hasSize(2);
                assertThat(history.versions(secretRef)).as("versions recorded of the Secret").hasSize(2);
            });

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

    /**
     * The card's listing (started by one describe, read by the next, which follows the app's Deployment),
     * a migration rollback that succeeds, and one whose backup fails, so its log is read.
     */
    private static void databaseMigration(KubernetesWorld world, KubernetesClient client) {
        DatabaseMigrationAdapter adapter = new DatabaseMigrationAdapter(client);
        Target target = new Target(DatabaseMigrationAdapter.TYPE, Map.of("namespace", "shop", "deployment", "payments",
                "list", Map.of("image", "shop/migrate:1", "command", List.of("migrate", "status")),
                "backup", Map.of("image", "shop/migrate:1", "command", List.of("backup-db")),
                "rollback", Map.of("image", "shop/migrate:1", "command", List.of("migrate", "down"))));
        world.jobPrints("migrate status", "0042_add_refunds");
        adapter.describe(target);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(adapter.describe(target).facts())
                .as("facts of the migration target").anyMatch(f -> f.value().contains("0042_add_refunds")));
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
