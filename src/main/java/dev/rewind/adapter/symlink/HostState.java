package dev.rewind.adapter.symlink;

import java.util.List;
import java.util.Optional;

/**
 * What one host has under {@code deployTo}.
 *
 * @param releases        safe release names in {@code releases/}, oldest first
 * @param skipped         directory names in {@code releases/} that are not safe to use and were left out
 * @param link            where {@code current} points, as {@code readlink} printed it; empty when it is no symlink
 * @param current         the release {@code current} points at; empty when it points anywhere else
 * @param pendingRestarts run ids that switched this host and still owe a restart
 */
record HostState(
        SshHost host,
        List<String> releases,
        List<String> skipped,
        Optional<String> link,
        Optional<String> current,
        List<String> pendingRestarts) {

    HostState {
        releases = List.copyOf(releases);
        skipped = List.copyOf(skipped);
        pendingRestarts = List.copyOf(pendingRestarts);
    }

    boolean has(String release) {
        return releases.contains(release);
    }

    /** Why {@code current} names no release at all, if it does not; otherwise empty. */
    Optional<String> currentProblem(ReleaseLayout layout) {
        if (link.isEmpty()) {
            return Optional.of(layout.currentLink() + " is missing or not a symlink");
        }
        if (current.isEmpty()) {
            return Optional.of(layout.currentLink() + " points to " + link.get() + ", which is not a release under "
                    + layout.releasesDir());
        }
        return Optional.empty();
    }

    /** {@code current} names a release whose directory is gone: the host serves nothing that exists. */
    boolean currentIsDangling() {
        return current.isPresent() && !has(current.get());
    }
}
