package dev.rewind.adapter.gitrevert;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.kubernetes.KubernetesErrors;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sync: {flux: …}}: a Flux {@code Kustomization} ({@code kustomize.toolkit.fluxcd.io/v1}),
 * read through the Kubernetes API as a generic resource: {@code status.lastAppliedRevision}
 * ({@code main@sha1:<sha>}) says what it runs, its {@code Ready} condition whether that worked.
 */
final class FluxSync implements GitOpsSync {

    static final ResourceDefinitionContext KUSTOMIZATION = new ResourceDefinitionContext.Builder()
            .withGroup("kustomize.toolkit.fluxcd.io").withVersion("v1").withKind("Kustomization")
            .withPlural("kustomizations").withNamespaced(true).build();

    /** Ready=False reasons that mean "not yet", not "failed". */
    private static final Set<String> WAITING = Set.of("Progressing", "DependencyNotReady");
    /** {@code main@sha1:<sha>} (Flux 2.x), {@code main/<sha>} (before 2.0), or a bare SHA. */
    private static final Pattern COMMIT = Pattern.compile("^(?:.*@sha1:|.*/)?([0-9a-f]{40})$");

    private final KubernetesClient client;
    private final String namespace;
    private final String kustomization;

    FluxSync(KubernetesClient client, SyncSpec.Flux spec) {
        this.client = client;
        this.namespace = spec.namespace();
        this.kustomization = spec.kustomization();
    }

    @Override
    public String name() {
        return "Flux Kustomization " + namespace + "/" + kustomization;
    }

    @Override
    public SyncStatus read() {
        GenericKubernetesResource resource;
        try {
            resource = client.genericKubernetesResources(KUSTOMIZATION).inNamespace(namespace).withName(kustomization).get();
        } catch (KubernetesClientException e) {
            throw new AdapterException("cannot read " + name() + ": " + KubernetesErrors.describe(e), e);
        }
        if (resource == null) {
            throw new AdapterException(name() + " not found (Rewind reads kustomize.toolkit.fluxcd.io/v1, Flux 2.0 or later)");
        }
        return Status.of(namespace, kustomization, resource);
    }

    /** The Kustomization's Ready condition; {@code status} is True, False or Unknown. */
    record Ready(String status, String reason, String message) {
        static final Ready UNKNOWN = new Ready("Unknown", "", "no Ready condition yet");

        boolean failed() {
            return status.equals("False") && !WAITING.contains(reason);
        }

        String describe() {
            String why = (reason.isEmpty() ? "" : reason + ": ") + message;
            return switch (status) {
                case "True" -> "Ready" + (message.isEmpty() ? "" : " (" + message + ")");
                case "False" -> "not Ready: " + why;
                default -> "reconciling: " + why;
            };
        }
    }

    /** One read of the Kustomization. */
    record Status(String namespace, String kustomization, boolean suspended, String appliedRevision,
                  String attemptedRevision, Ready ready) implements SyncStatus {

        static Status of(String namespace, String kustomization, GenericKubernetesResource resource) {
            Map<String, Object> spec = map(resource.getAdditionalProperties().get("spec"));
            Map<String, Object> status = map(resource.getAdditionalProperties().get("status"));
            Ready ready = Ready.UNKNOWN;
            if (status.get("conditions") instanceof List<?> conditions) {
                for (Object item : conditions) {
                    Map<String, Object> condition = map(item);
                    if ("Ready".equals(condition.get("type"))) {
                        ready = new Ready(text(condition.get("status"), "Unknown"), text(condition.get("reason"), ""),
                                text(condition.get("message"), ""));
                    }
                }
            }
            return new Status(namespace, kustomization, Boolean.TRUE.equals(spec.get("suspend")),
                    text(status.get("lastAppliedRevision"), ""), text(status.get("lastAttemptedRevision"), ""), ready);
        }

        @Override
        public String summary() {
            return commit(appliedRevision).map(c -> "at " + GitRevertAdapter.shortSha(c) + ": ").orElse("nothing applied yet: ")
                    + ready.describe() + (suspended ? " (suspended)" : "");
        }

        @Override
        public Health judge(LandedRevert revert) {
            String name = "Flux Kustomization " + namespace + "/" + kustomization;
            Optional<String> applied = commit(appliedRevision);
            String revertSha = revert.shortSha();
            if (applied.isPresent() && revert.isIn(applied.get())) {
                String at = name + " at " + GitRevertAdapter.shortSha(applied.get());
                if (ready.status().equals("True")) {
                    return Health.healthy(at + ", which contains the revert " + revertSha + ": " + ready.describe());
                }
                return ready.failed()
                        ? Health.unhealthy(at + " applied the revert " + revertSha + " but is " + ready.describe())
                        : Health.progressing(at + " (with the revert " + revertSha + "): " + ready.describe());
            }
            Optional<String> attempted = commit(attemptedRevision).filter(a -> !applied.equals(Optional.of(a)));
            if (ready.failed() && attempted.isPresent() && revert.isIn(attempted.get())) {
                return Health.unhealthy(name + " could not apply " + GitRevertAdapter.shortSha(attempted.get())
                        + " (with the revert " + revertSha + "): " + ready.describe());
            }
            String at = name + applied.map(a -> " at " + GitRevertAdapter.shortSha(a)).orElse(" (nothing applied yet)");
            if (suspended) {
                return Health.progressing(at + ", not yet at the revert " + revertSha + ": it is suspended and applies "
                        + "nothing until resumed (flux resume kustomization " + kustomization + " -n " + namespace + ")");
            }
            return Health.progressing(at + ", not yet at the revert " + revertSha + " (" + ready.describe() + ")");
        }

        static Optional<String> commit(String revision) {
            Matcher matcher = COMMIT.matcher(revision);
            return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> map(Object value) {
            return value instanceof Map ? (Map<String, Object>) value : Map.of();
        }

        private static String text(Object value, String otherwise) {
            return value == null || String.valueOf(value).isBlank() ? otherwise : String.valueOf(value);
        }
    }
}
