package dev.rewind.adapter;

import dev.rewind.config.Target;

/**
 * Told when something about a target changed in its platform (a Kubernetes Deployment's template or status), so
 * whoever listens can describe it and see whether a new revision went live. Called off the platform's own threads,
 * at most about once a second per target.
 */
@FunctionalInterface
public interface TargetChanges {

    void changed(Target target);
}
