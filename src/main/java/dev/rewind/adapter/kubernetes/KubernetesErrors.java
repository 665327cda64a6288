package dev.rewind.adapter.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** The API server's own words for a failure, without the client's stack of wrappers. */
public final class KubernetesErrors {

    private KubernetesErrors() {
    }

    public static String describe(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return e.getStatus().getMessage() + " (HTTP " + e.getCode() + ")";
        }
        if (e.getCode() == 403) {
            return "forbidden: Rewind's service account lacks the permission (HTTP 403)";
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String message = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        return e.getCode() > 0 ? message + " (HTTP " + e.getCode() + ")" : "API server unreachable: " + message;
    }
}
