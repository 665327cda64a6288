package dev.rewind.adapter.gitrevert;

import dev.rewind.config.Target;
import dev.rewind.adapter.http.JsonApi;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The optional {@code sync:} block of a git-revert target: the GitOps tool that deploys the reverted
 * path, so verification can wait until that tool runs the revert. Exactly one tool:
 * {@code sync: {argocd: {url, application, tokenEnv}}} or
 * {@code sync: {flux: {namespace, kustomization}}}. Checked without I/O; messages name the field
 * ({@code 'sync.argocd.url'}).
 */
sealed interface SyncSpec permits SyncSpec.ArgoCd, SyncSpec.Flux {

    String SYNC = "sync";
    String ARGOCD = "argocd";
    String FLUX = "flux";

    /** An Argo CD application, read through Argo CD's REST API with the token in {@code tokenEnv}. */
    record ArgoCd(String url, String application, String tokenEnv) implements SyncSpec {
    }

    /** A Flux {@code Kustomization} ({@code kustomize.toolkit.fluxcd.io/v1}), read through the Kubernetes API. */
    record Flux(String namespace, String kustomization) implements SyncSpec {
    }

    /** The target's sync block; empty when it has none. */
    static Optional<SyncSpec> of(Target target) {
        return of(target.as(GitRevertAdapter.Spec.class).sync());
    }

    /** The {@code sync:} block as bound into {@link GitRevertAdapter.Spec}; empty when there is none. */
    static Optional<SyncSpec> of(Map<String, Object> sync) {
        if (sync == null) {
            return Optional.empty();
        }
        Set<String> tools = new TreeSet<>(sync.keySet());
        if (tools.size() != 1 || !(tools.contains(ARGOCD) || tools.contains(FLUX))) {
            throw invalid("'sync' must name exactly one GitOps tool, argocd or flux, got "
                    + (tools.isEmpty() ? "none" : String.join(", ", tools)));
        }
        String tool = tools.iterator().next();
        Map<String, Object> fields = mapping(tool, sync.get(tool));
        if (tool.equals(ARGOCD)) {
            known(tool, fields, List.of("url", "application", "tokenEnv"));
            String url = required(tool, fields, "url");
            JsonApi.httpUrl(GitRevertAdapter.TYPE, field(tool, "url"), url);
            return Optional.of(new ArgoCd(url, required(tool, fields, "application"), required(tool, fields, "tokenEnv")));
        }
        known(tool, fields, List.of("namespace", "kustomization"));
        return Optional.of(new Flux(name(tool, fields, "namespace"), name(tool, fields, "kustomization")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> mapping(String tool, Object value) {
        if (!(value instanceof Map)) {
            throw invalid("'" + field(tool, null) + "' must be a mapping, e.g. " + (tool.equals(ARGOCD)
                    ? "{url: https://argocd.example.com, application: checkout, tokenEnv: ARGOCD_TOKEN}"
                    : "{namespace: flux-system, kustomization: checkout}"));
        }
        return (Map<String, Object>) value;
    }

    private static void known(String tool, Map<String, Object> fields, List<String> names) {
        List<String> unknown = fields.keySet().stream().filter(k -> !names.contains(k)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw invalid("'" + field(tool, unknown.get(0)) + "' is not a field of " + field(tool, null) + " (known: "
                    + String.join(", ", names) + ")");
        }
    }

    private static String required(String tool, Map<String, Object> fields, String name) {
        Object value = fields.get(name);
        if (value instanceof Map || value instanceof List) {
            throw invalid("'" + field(tool, name) + "' must be a single value");
        }
        String text = value == null ? "" : String.valueOf(value).trim();
        if (text.isEmpty()) {
            throw invalid("'" + field(tool, name) + "' is required");
        }
        return text;
    }

    /** A Kubernetes object name: DNS-1123, as the API server would insist. */
    private static String name(String tool, Map<String, Object> fields, String name) {
        String value = required(tool, fields, name);
        if (!value.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
            throw invalid("'" + field(tool, name) + "' must be a Kubernetes name (lower case letters, digits, '-', '.'),"
                    + " got '" + value + "'");
        }
        return value;
    }

    private static String field(String tool, String name) {
        return SYNC + "." + tool + (name == null ? "" : "." + name);
    }

    private static Target.InvalidTargetException invalid(String message) {
        return new Target.InvalidTargetException("target of type " + GitRevertAdapter.TYPE + ": " + message);
    }
}
