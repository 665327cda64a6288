package dev.rewind.manifests;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.adapter.Target;
import dev.rewind.adapter.kubernetes.KubernetesDeploymentAdapter;
import dev.rewind.testing.KubernetesWorld;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import org.junit.jupiter.api.Test;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ClusterRole in manifests/ grants exactly the API calls the adapters make: every call Rewind
 * makes during describe, execute (including a failed rollout) and verify is recorded by the mock
 * server and must be allowed, and nothing else is granted.
 */
class RbacIT {

    @Test
    void clusterRoleGrantsExactlyWhatTheAdaptersCall() throws Exception {
        Set<String> used = new TreeSet<>();
        try (KubernetesWorld world = new KubernetesWorld()) {
            world.deployment("shop", "checkout", 2, "shop/checkout:1", "shop/checkout:2", "shop/checkout:3");
            RollbackAdapter adapter = new KubernetesDeploymentAdapter(world.newClient());
            Target target = new Target(KubernetesDeploymentAdapter.TYPE, Map.of("namespace", "shop", "deployment", "checkout"));
            world.pauseController(true);
            Thread.sleep(100);
            world.drainRequests();

            adapter.describe(target);
            adapter.verify(target);
            assertThatThrownBy(() -> adapter.execute(target, dev.rewind.adapter.Change.to("rb-0000000000", "2"), Progress.NONE, Duration.ofMillis(600)))
                    .isInstanceOf(AdapterException.class);
            world.drainRequests().forEach(call -> used.add(permission(call)));
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

    /** {@code "GET /apis/apps/v1/namespaces/shop/deployments?watch=true…"} → {@code apps/deployments:watch}. */
    static String permission(String call) {
        String method = call.substring(0, call.indexOf(' '));
        String url = URLDecoder.decode(call.substring(call.indexOf(' ') + 1), StandardCharsets.UTF_8);
        String path = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
        String query = url.contains("?") ? url.substring(url.indexOf('?') + 1) : "";
        String[] parts = path.split("/");
        int index = path.startsWith("/api/") ? 3 : 4;
        String group = path.startsWith("/api/") ? "" : parts[2];
        if (parts.length > index && parts[index].equals("namespaces")) {
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
