package dev.rewind.adapter.kubernetes;

import dev.rewind.adapter.AccessReviewer;
import dev.rewind.adapter.ApiPermission;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Asks the API server, with a {@code SelfSubjectAccessReview}, whether Rewind's own ServiceAccount may do
 * something. Any identity may ask about itself, so a refusal of the review itself (an old or locked-down
 * API server, a proxy) means "could not check", never "denied".
 */
public final class KubernetesAccessReviewer implements AccessReviewer {

    private final KubernetesClient client;

    public KubernetesAccessReviewer(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public Access review(ApiPermission permission) {
        SelfSubjectAccessReview question = new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes()
                .withVerb(permission.verb()).withGroup(permission.group()).withResource(permission.resource())
                .withNamespace(permission.namespace()).endResourceAttributes().endSpec().build();
        SelfSubjectAccessReview answer;
        try {
            answer = client.authorization().v1().selfSubjectAccessReview().create(question);
        } catch (KubernetesClientException e) {
            return new Access.Unknown("the API server refused the access review (" + KubernetesErrors.describe(e) + ")");
        } catch (RuntimeException e) {
            return new Access.Unknown("the API server could not be asked (" + e.getMessage() + ")");
        }
        if (answer == null || answer.getStatus() == null || answer.getStatus().getAllowed() == null) {
            return new Access.Unknown("the API server gave no answer to the access review");
        }
        if (Boolean.TRUE.equals(answer.getStatus().getAllowed())) {
            return new Access.Allowed();
        }
        String reason = answer.getStatus().getReason();
        return new Access.Denied(reason == null ? "" : reason);
    }
}
