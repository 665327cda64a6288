package dev.rewind.adapter.symlink;

import dev.rewind.adapter.AdapterException;

import java.util.List;
import java.util.Optional;

/** The release operations on one host, over one {@link SshSession}. */
final class RemoteReleases {

    private final SshSession ssh;
    private final ReleaseLayout layout;
    private final SshHost host;

    RemoteReleases(SshSession ssh, ReleaseLayout layout, SshHost host) {
        this.ssh = ssh;
        this.layout = layout;
        this.host = host;
    }

    HostState read() {
        SshSession.Result listing = ssh.run(layout.listReleases());
        if (!listing.ok()) {
            if (listing.stderr().contains("No such file")) {
                throw new AdapterException(layout.releasesDir() + " not found");
            }
            throw new AdapterException("cannot list " + layout.releasesDir() + " (" + listing.failure() + ")");
        }
        ReleaseLayout.Listing releases = ReleaseLayout.parseListing(listing.stdout());
        SshSession.Result link = ssh.run(layout.readCurrent());
        Optional<String> target = link.ok() && !link.stdout().isBlank()
                ? Optional.of(link.stdout().strip()) : Optional.empty();
        SshSession.Result entries = ssh.run(layout.listDeployTo());
        List<String> pending = entries.ok() ? ReleaseLayout.pendingRestarts(entries.stdout()) : List.of();
        return new HostState(host, releases.releases(), releases.skipped(), target,
                target.flatMap(layout::releaseOf), pending);
    }

    /** The file names in the release's {@code db/migrate}; empty when it has none. */
    List<String> migrations(String release) {
        SshSession.Result result = ssh.run(layout.listMigrations(release));
        return result.ok() ? ReleaseLayout.parseNames(result.stdout()) : List.of();
    }

    SshSession.Result switchTo(String release, String runId, boolean markRestart) {
        return ssh.run(layout.switchTo(release, runId, markRestart));
    }

    SshSession.Result restart(String command) {
        return ssh.run(layout.restart(command));
    }

    SshSession.Result clearMarker(String runId) {
        return ssh.run(layout.clearMarker(runId));
    }
}
