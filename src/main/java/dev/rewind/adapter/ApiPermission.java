package dev.rewind.adapter;

/**
 * One Kubernetes API permission an adapter uses on its target, as a {@code SelfSubjectAccessReview}
 * asks about it: {@code patch} on {@code deployments} of group {@code apps} in namespace {@code shop}.
 *
 * @param group the API group; empty for the core group (pods, services, configmaps)
 */
public record ApiPermission(String verb, String group, String resource, String namespace) {

    public static ApiPermission core(String verb, String resource, String namespace) {
        return new ApiPermission(verb, "", resource, namespace);
    }

    public static ApiPermission apps(String verb, String resource, String namespace) {
        return new ApiPermission(verb, "apps", resource, namespace);
    }

    /** As RBAC rules are written: {@code patch deployments.apps in shop}. */
    public String describe() {
        return verb + " " + resource + (group.isEmpty() ? "" : "." + group) + " in " + namespace;
    }
}
