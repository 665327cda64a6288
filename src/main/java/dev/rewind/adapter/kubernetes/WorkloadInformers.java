package dev.rewind.adapter.kubernetes;

import dev.rewind.adapter.ApiPermission;
import dev.rewind.adapter.TargetChanges;
import dev.rewind.config.Target;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches the catalogued Deployments, StatefulSets, DaemonSets and Argo Rollouts with fabric8 informers — one per
 * namespace and kind in use, not one per service — and reports a changed workload to {@link TargetChanges}. A
 * rollout changes a workload many times (each pod that becomes ready), so changes are coalesced: one report per
 * target within {@link #COALESCE_MS} of its first change. The informers' own resync re-reports every target each
 * {@link #RESYNC_MS}; listeners must be idempotent (the deploy guard is: one guard per revision).
 */
public final class WorkloadInformers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WorkloadInformers.class);
    static final long COALESCE_MS = 500;
    static final long RESYNC_MS = 10 * 60_000;

    /** A workload kind: the target type that names it, its spec field, and how to inform on a namespace. */
    private enum Kind {
        DEPLOYMENT(KubernetesDeploymentAdapter.TYPE, "deployment", "apps", "deployments"),
        STATEFUL_SET(KubernetesStatefulSetAdapter.TYPE, "statefulSet", "apps", "statefulsets"),
        DAEMON_SET(KubernetesDaemonSetAdapter.TYPE, "daemonSet", "apps", "daemonsets"),
        // The argo adapter's type; named here as text because adapters do not depend on each other.
        ROLLOUT("argo-rollout", "rollout", "argoproj.io", "rollouts");

        final String type;
        final String field;
        final String group;
        final String resource;

        Kind(String type, String field, String group, String resource) {
            this.type = type;
            this.field = field;
            this.group = group;
            this.resource = resource;
        }
    }

    /** Argo Rollouts, named in full so that no API discovery is needed (nor granted). */
    private static final ResourceDefinitionContext ROLLOUTS = new ResourceDefinitionContext.Builder().withGroup("argoproj.io")
            .withVersion("v1alpha1").withKind("Rollout").withPlural("rollouts").withNamespaced(true).build();

    private final KubernetesClient client;
    private final TargetChanges listener;
    private final ScheduledExecutorService coalescer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "rewind-workload-changes");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<Target> pending = new LinkedHashSet<>();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    public WorkloadInformers(KubernetesClient client, TargetChanges listener) {
        this.client = client;
        this.listener = listener;
    }

    /** Whether {@code target} is a workload these informers watch. */
    public static boolean watches(Target target) {
        return kind(target).isPresent();
    }

    /** What an informer on {@code target}'s kind in its namespace needs (list, then watch); none for other targets. */
    public static List<ApiPermission> permissions(Target target) {
        Optional<Kind> kind = kind(target);
        Optional<String> namespace = target.optionalString("namespace");
        if (kind.isEmpty() || namespace.isEmpty()) {
            return List.of();
        }
        return List.of(new ApiPermission("list", kind.get().group, kind.get().resource, namespace.get()),
                new ApiPermission("watch", kind.get().group, kind.get().resource, namespace.get()));
    }

    /** Starts the informers the targets need; targets of other types are left out. */
    public void watch(List<Target> targets) {
        Map<String, Map<Kind, Map<String, Target>>> byNamespace = new HashMap<>();
        for (Target target : targets) {
            Optional<Kind> kind = kind(target);
            Optional<String> namespace = target.optionalString("namespace");
            Optional<String> name = kind.flatMap(k -> target.optionalString(k.field));
            if (kind.isPresent() && namespace.isPresent() && name.isPresent()) {
                byNamespace.computeIfAbsent(namespace.get(), ns -> new HashMap<>())
                        .computeIfAbsent(kind.get(), k -> new HashMap<>()).put(name.get(), target);
            }
        }
        byNamespace.forEach((namespace, kinds) -> kinds.forEach((kind, byName) -> {
            try {
                informers.add(inform(kind, namespace, new Handler(byName)));
            } catch (RuntimeException e) {
                LOG.warn("Deploy guard: cannot watch {} in {} ({}); its new revisions start a guard only through the API "
                        + "or the periodic describe", kind.type, namespace, e instanceof KubernetesClientException k
                        ? KubernetesErrors.describe(k) : e.getMessage());
            }
        }));
        LOG.info("Deploy guard: watching {} namespace(s) with {} informer(s)", byNamespace.size(), informers.size());
    }

    private SharedIndexInformer<?> inform(Kind kind, String namespace, Handler handler) {
        return switch (kind) {
            case DEPLOYMENT -> client.apps().deployments().inNamespace(namespace).inform(handler.typed(), RESYNC_MS);
            case STATEFUL_SET -> client.apps().statefulSets().inNamespace(namespace).inform(handler.typed(), RESYNC_MS);
            case DAEMON_SET -> client.apps().daemonSets().inNamespace(namespace).inform(handler.typed(), RESYNC_MS);
            case ROLLOUT -> client.genericKubernetesResources(ROLLOUTS).inNamespace(namespace).inform(handler.typed(), RESYNC_MS);
        };
    }

    private static Optional<Kind> kind(Target target) {
        for (Kind kind : Kind.values()) {
            if (kind.type.equals(target.type())) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /** Reports one changed workload of a namespace, if it is catalogued. */
    private final class Handler {
        private final Map<String, Target> byName;

        Handler(Map<String, Target> byName) {
            this.byName = Map.copyOf(byName);
        }

        <T extends HasMetadata> ResourceEventHandler<T> typed() {
            return new ResourceEventHandler<>() {
                @Override
                public void onAdd(T workload) {
                    changed(workload);
                }

                @Override
                public void onUpdate(T before, T after) {
                    changed(after);
                }

                @Override
                public void onDelete(T workload, boolean finalStateUnknown) {
                    // a deleted workload has no revision to guard
                }
            };
        }

        private void changed(HasMetadata workload) {
            Target target = byName.get(workload.getMetadata().getName());
            if (target == null) {
                return;
            }
            synchronized (pending) {
                if (!pending.add(target)) {
                    return;
                }
            }
            coalescer.schedule(() -> report(target), COALESCE_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void report(Target target) {
        synchronized (pending) {
            pending.remove(target);
        }
        try {
            listener.changed(target);
        } catch (RuntimeException e) {
            LOG.error("Deploy guard: handling a change of {} failed", target.key(), e);
        }
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        coalescer.shutdownNow();
    }
}
