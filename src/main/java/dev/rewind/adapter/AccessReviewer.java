package dev.rewind.adapter;

/**
 * Asks the cluster whether Rewind's own identity may do something, before an outage needs it.
 * Never throws: a question the API server will not answer is {@link Access.Unknown}.
 */
public interface AccessReviewer {

    Access review(ApiPermission permission);

    /** The answer to one question. */
    sealed interface Access {
        record Allowed() implements Access {
        }

        /** The API server said no; {@code reason} is its own words, possibly empty. */
        record Denied(String reason) implements Access {
        }

        /** Could not be checked (no cluster, the review API refused or unreachable). */
        record Unknown(String reason) implements Access {
        }
    }

    /** For a bot without a Kubernetes cluster: nothing can be checked. */
    AccessReviewer NONE = permission -> new Access.Unknown("no Kubernetes cluster configured");
}
