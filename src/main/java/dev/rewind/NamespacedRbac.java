package dev.rewind;

import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.adapter.ApiPermission;
import dev.rewind.adapter.kubernetes.KubernetesSmokeTests;
import dev.rewind.adapter.kubernetes.WorkloadInformers;
import dev.rewind.config.Catalogue;
import dev.rewind.config.ServiceConfig;
import dev.rewind.config.Target;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The least-privilege alternative to the ClusterRole in manifests/rbac/cluster: a Role and a RoleBinding in each
 * namespace the catalogue's targets live in, granting there exactly what those targets need — the calls their
 * adapters declare ({@code permissions}, which RbacIT holds to the calls they make), the deploy guard's informers
 * (list and watch) for guarded workloads, and the smoke-test Jobs of {@code verification.job}. So Secrets may be
 * read only in a namespace with a {@code config} target on a Secret, and Jobs created only where a database migration
 * or a smoke test runs. Written by {@code java -jar rewind.jar --write-rbac FILE}.
 */
final class NamespacedRbac {

    static final String NAME = "rewind-rollback";

    private NamespacedRbac() {
    }

    /** Namespace → (API group, resource) → verbs, from every service of the catalogue. */
    static SortedMap<String, SortedMap<String, SortedSet<String>>> needed(Catalogue catalogue, AdapterRegistry adapters) {
        SortedMap<String, SortedMap<String, SortedSet<String>>> byNamespace = new TreeMap<>();
        for (ServiceConfig service : catalogue.services()) {
            List<ApiPermission> permissions = new ArrayList<>();
            for (Target target : service.targets()) {
                permissions.addAll(adapters.forTarget(target).permissions(target));
            }
            if (service.guard().isPresent()) {
                permissions.addAll(WorkloadInformers.permissions(service.primaryTarget()));
            }
            service.verification().job().ifPresent(job -> permissions.addAll(KubernetesSmokeTests.permissions(job)));
            for (ApiPermission permission : permissions) {
                byNamespace.computeIfAbsent(permission.namespace(), ns -> new TreeMap<>())
                        .computeIfAbsent(permission.group() + "/" + permission.resource(), key -> new TreeSet<>())
                        .add(permission.verb());
            }
        }
        return byNamespace;
    }

    /**
     * The Roles and RoleBindings as one YAML stream.
     *
     * @param source        what the catalogue was read from, for the header
     * @param rewindNamespace the namespace of the ServiceAccount {@code rewind} the bindings name
     */
    static String render(Catalogue catalogue, AdapterRegistry adapters, String source, String rewindNamespace) {
        SortedMap<String, SortedMap<String, SortedSet<String>>> needed = needed(catalogue, adapters);
        List<Object> documents = new ArrayList<>();
        needed.forEach((namespace, rules) -> {
            documents.add(role(namespace, rules));
            documents.add(binding(namespace, rewindNamespace));
        });
        String header = "# Made by `java -jar rewind.jar --write-rbac FILE` from " + source + ": a Role and RoleBinding per\n"
                + "# namespace its targets use, with only the verbs they need there. Make it again when rewind.yml\n"
                + "# gains a target, a namespace, a deploy guard or a smoke-test Job.\n";
        if (documents.isEmpty()) {
            return header + "# (no target in the catalogue talks to Kubernetes: nothing to grant)\n";
        }
        Dump dump = new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).setExplicitStart(true).build());
        return header + dump.dumpAllToString(documents.iterator());
    }

    private static Map<String, Object> role(String namespace, SortedMap<String, SortedSet<String>> rules) {
        List<Object> written = new ArrayList<>();
        rules.forEach((groupResource, verbs) -> {
            int slash = groupResource.indexOf('/');
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("apiGroups", List.of(groupResource.substring(0, slash)));
            rule.put("resources", List.of(groupResource.substring(slash + 1)));
            rule.put("verbs", List.copyOf(verbs));
            written.add(rule);
        });
        Map<String, Object> role = object("Role", namespace);
        role.put("rules", written);
        return role;
    }

    private static Map<String, Object> binding(String namespace, String rewindNamespace) {
        Map<String, Object> binding = object("RoleBinding", namespace);
        binding.put("roleRef", ordered("apiGroup", "rbac.authorization.k8s.io", "kind", "Role", "name", NAME));
        binding.put("subjects", List.of(ordered("kind", "ServiceAccount", "name", "rewind", "namespace", rewindNamespace)));
        return binding;
    }

    /** A map written in the order given (Map.of's order changes from one JVM to the next). */
    private static Map<String, Object> ordered(String... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static Map<String, Object> object(String kind, String namespace) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("apiVersion", "rbac.authorization.k8s.io/v1");
        object.put("kind", kind);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", NAME);
        metadata.put("namespace", namespace);
        metadata.put("labels", ordered("app.kubernetes.io/name", "rewind"));
        object.put("metadata", metadata);
        return object;
    }
}
