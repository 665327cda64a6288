package dev.rewind.adapter.symlink;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Optional;

/**
 * Accepts a server only when its host key is listed for it in the {@code knownHosts} file; an unknown,
 * changed or revoked key is refused and never written to the file. Remembers why it refused, so the
 * connection failure can say so instead of MINA's generic "server key did not validate".
 */
final class KnownHostsCheck extends KnownHostsServerKeyVerifier {

    private final String sshKeyscan;
    private volatile String refusal;

    KnownHostsCheck(Path knownHosts, SshHost host) {
        super(RejectAllServerKeyVerifier.INSTANCE, knownHosts);
        this.sshKeyscan = "ssh-keyscan" + (host.port() == SshHost.DEFAULT_PORT ? "" : " -p " + host.port())
                + " " + host.host();
    }

    /** Why the last server key was refused, if it was. */
    Optional<String> refusal() {
        return Optional.ofNullable(refusal);
    }

    @Override
    protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
        refusal = "unknown host: its host key (" + fingerprint(serverKey) + ") is not in the known hosts file "
                + getPath() + "; check the fingerprint with the host's owner, add it (" + sshKeyscan + " >> "
                + getPath() + ") and try again";
        return false;
    }

    @Override
    public boolean acceptModifiedServerKey(ClientSession session, SocketAddress remoteAddress, KnownHostEntry entry,
                                           PublicKey expected, PublicKey actual) {
        refusal = "its host key has CHANGED: it presents " + fingerprint(actual) + " but "
                + getPath() + " lists " + fingerprint(expected) + "; refusing to connect (if the host was rebuilt, "
                + "update its line in " + getPath() + ")";
        return false;
    }

    @Override
    protected void handleRevokedKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
        refusal = "its host key (" + fingerprint(serverKey) + ") is marked @revoked in " + getPath();
    }

    @Override
    protected boolean acceptIncompleteHostKeys(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey,
                                               Throwable reason) {
        refusal = "cannot read the known hosts file " + getPath() + ": " + reason.getMessage();
        return false;
    }

    private static String fingerprint(PublicKey key) {
        return KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key);
    }
}
