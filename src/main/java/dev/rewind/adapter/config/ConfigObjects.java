package dev.rewind.adapter.config;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.kubernetes.KubernetesErrors;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

import java.util.Optional;
import java.util.function.Consumer;

/** Reads, watches and patches one ConfigMap or Secret, whichever kind the reference names. */
final class ConfigObjects {

    private final KubernetesClient client;

    ConfigObjects(KubernetesClient client) {
        this.client = client;
    }

    Optional<HasMetadata> find(ConfigRef ref) {
        try {
            return Optional.ofNullable(ref.kind() == ConfigRef.Kind.CONFIG_MAP ? configMap(ref).get() : secret(ref).get());
        } catch (KubernetesClientException e) {
            throw new AdapterException("cannot read " + ref + ": " + KubernetesErrors.describe(e), e);
        }
    }

    HasMetadata get(ConfigRef ref) {
        return find(ref).orElseThrow(() -> new AdapterException(ref + " not found"));
    }

    /** Applies a JSON Patch (RFC 6902) to the object. */
    void patch(ConfigRef ref, String jsonPatch) {
        try {
            if (ref.kind() == ConfigRef.Kind.CONFIG_MAP) {
                configMap(ref).patch(PatchContext.of(PatchType.JSON), jsonPatch);
            } else {
                secret(ref).patch(PatchContext.of(PatchType.JSON), jsonPatch);
            }
        } catch (KubernetesClientException e) {
            throw new AdapterException("Kubernetes refused to restore " + ref + ": " + KubernetesErrors.describe(e), e);
        }
    }

    /** Watches the object from {@code resourceVersion} (or now, when null). */
    Watch watch(ConfigRef ref, String resourceVersion, Consumer<HasMetadata> changed, Consumer<WatcherException> closed) {
        if (ref.kind() == ConfigRef.Kind.CONFIG_MAP) {
            return configMap(ref).watch(resourceVersion, new Forwarder<>(changed, closed));
        }
        return secret(ref).watch(resourceVersion, new Forwarder<>(changed, closed));
    }

    private Resource<ConfigMap> configMap(ConfigRef ref) {
        return client.configMaps().inNamespace(ref.namespace()).withName(ref.name());
    }

    private Resource<Secret> secret(ConfigRef ref) {
        return client.secrets().inNamespace(ref.namespace()).withName(ref.name());
    }

    private static final class Forwarder<T extends HasMetadata> implements Watcher<T> {
        private final Consumer<HasMetadata> changed;
        private final Consumer<WatcherException> closed;

        Forwarder(Consumer<HasMetadata> changed, Consumer<WatcherException> closed) {
            this.changed = changed;
            this.closed = closed;
        }

        @Override
        public void eventReceived(Action action, T resource) {
            if (action == Action.ADDED || action == Action.MODIFIED) {
                changed.accept(resource);
            }
        }

        @Override
        public void onClose(WatcherException cause) {
            closed.accept(cause);
        }
    }
}
