package dev.rewind.adapter.config;

/**
 * One ConfigMap or Secret whose versions Rewind records: its kind, namespace and name.
 */
public record ConfigRef(Kind kind, String namespace, String name) {

    /** The two kinds of object the {@code config} adapter rolls back. */
    public enum Kind {
        CONFIG_MAP("ConfigMap"), SECRET("Secret");

        private final String apiName;

        Kind(String apiName) {
            this.apiName = apiName;
        }

        /** The Kubernetes kind, as people and {@code kubectl} write it. */
        public String apiName() {
            return apiName;
        }

        public static Kind fromApiName(String name) {
            for (Kind kind : values()) {
                if (kind.apiName.equals(name)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown config kind '" + name + "'");
        }
    }

    /** {@code ConfigMap shop/payments-config}. */
    @Override
    public String toString() {
        return kind.apiName() + " " + namespace + "/" + name;
    }
}
