package dev.rewind.adapter.symlink;

import dev.rewind.config.Target;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A {@code symlink-release} target block, read and checked without I/O:
 * {@code {type: symlink-release, hosts: ["app1:22"], user: deploy, deployTo: /srv/app,
 * keyFile: /etc/rewind/deploy_key, knownHosts: /etc/rewind/known_hosts, restart: "touch tmp/restart.txt"}}.
 */
record ReleaseTarget(List<SshHost> hosts, SshSession.Login login, ReleaseLayout layout, Optional<String> restart) {

    /** Fields that would put key material into rewind.yml; keys are read from {@code keyFile} only. */
    private static final List<String> INLINE_SECRETS = List.of("key", "privateKey", "password", "passphrase");

    static ReleaseTarget of(Target target) {
        for (String field : INLINE_SECRETS) {
            if (target.spec().containsKey(field)) {
                throw invalid("'" + field + "' is not accepted: the SSH key is read from the file named by "
                        + "'keyFile', never from rewind.yml");
            }
        }
        SymlinkReleaseAdapter.Spec spec = target.as(SymlinkReleaseAdapter.Spec.class);
        List<String> entries = Optional.ofNullable(spec.hosts()).orElse(List.of());
        if (entries.isEmpty()) {
            throw invalid("needs 'hosts' (a list such as [\"app1:22\", \"app2:22\"])");
        }
        List<SshHost> hosts = entries.stream().map(SshHost::parse).toList();
        if (hosts.stream().map(SshHost::label).distinct().count() != hosts.size()) {
            throw invalid("'hosts' lists the same host twice");
        }
        String user = spec.user();
        if (!user.matches("[A-Za-z0-9._][A-Za-z0-9._-]*")) {
            throw invalid("'user' must be a plain user name, got '" + user + "'");
        }
        String deployTo = spec.deployTo();
        if (!deployTo.startsWith("/") || deployTo.contains("\n") || deployTo.contains("\0")
                || Path.of(deployTo).normalize().toString().length() < 2
                || !Path.of(deployTo).normalize().equals(Path.of(deployTo))) {
            throw invalid("'deployTo' must be an absolute, normalised directory other than / (got '"
                    + deployTo + "')");
        }
        return new ReleaseTarget(hosts, new SshSession.Login(user, Path.of(spec.keyFile()), Path.of(spec.knownHosts())),
                new ReleaseLayout(deployTo), Optional.ofNullable(spec.restart()));
    }

    /** {@code /srv/app on app1, app2}, for messages. */
    String describe() {
        return layout.deployTo() + " on " + String.join(", ", hosts.stream().map(SshHost::label).toList());
    }

    private static Target.InvalidTargetException invalid(String why) {
        return new Target.InvalidTargetException("target of type " + SymlinkReleaseAdapter.TYPE + ": " + why);
    }
}
