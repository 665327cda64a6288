package dev.rewind.adapter.symlink;

import dev.rewind.adapter.AdapterException;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.UserAuthFactory;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One authenticated SSH connection to one host: public-key login with the key from {@code keyFile},
 * the server's host key checked against {@code knownHosts} (unknown or changed keys are refused), and
 * commands run on exec channels. The connection has one time budget, given when it is opened: every
 * step (connect, log in, each command) must finish within what is left of it. Messages never contain
 * key material; they do not name the host either, the caller puts it in front.
 */
final class SshSession implements AutoCloseable {

    private final SshClient client;
    private final ClientSession session;
    private final Duration budget;
    private final long deadline;

    private SshSession(SshClient client, ClientSession session, Duration budget, long deadline) {
        this.client = client;
        this.session = session;
        this.budget = budget;
        this.deadline = deadline;
    }

    /** What a remote command did. */
    record Result(int exitCode, String stdout, String stderr) {

        boolean ok() {
            return exitCode == 0;
        }

        /** The first line of stderr (or stdout) and the exit code, for messages. */
        String failure() {
            String text = stderr.isBlank() ? stdout : stderr;
            String first = text.strip().lines().findFirst().orElse("no output");
            return (exitCode < 0 ? "killed" : "exit " + exitCode) + ": " + first;
        }
    }

    /** The login: who, with which key, checked against which known hosts. */
    record Login(String user, Path keyFile, Path knownHosts) {
    }

    /** Connects and logs in; {@code budget} bounds this and every command run on the session. */
    static SshSession open(SshHost host, Login login, Duration budget) {
        long deadline = System.nanoTime() + budget.toNanos();
        List<KeyPair> keys = loadKeys(login.keyFile());
        if (!Files.isReadable(login.knownHosts())) {
            throw new AdapterException("cannot read the known hosts file " + login.knownHosts()
                    + "; Rewind connects only to hosts listed there");
        }
        KnownHostsCheck hostKeys = new KnownHostsCheck(login.knownHosts(), host);
        SshClient client = SshClient.setUpDefaultClient();
        // ~/.ssh/config must not redirect hosts, users or keys behind the catalogue's back
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setServerKeyVerifier(hostKeys);
        client.setKeyIdentityProvider(KeyIdentityProvider.wrapKeyPairs(keys));
        client.setUserAuthFactories(List.<UserAuthFactory>of(UserAuthPublicKeyFactory.INSTANCE));
        // many short request/answer exchanges: Nagle's algorithm would add a delayed-ACK wait to each
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        client.start();
        ClientSession session;
        try {
            session = client.connect(login.user(), host.host(), host.port()).verify(left(deadline)).getSession();
        } catch (IOException | RuntimeException e) {
            client.stop();
            throw new AdapterException("cannot connect to port " + host.port() + ": " + reason(e), e);
        }
        try {
            session.auth().verify(left(deadline));
            return new SshSession(client, session, budget, deadline);
        } catch (IOException | RuntimeException e) {
            client.stop();
            if (hostKeys.refusal().isPresent()) {
                throw new AdapterException(hostKeys.refusal().get(), e);
            }
            if (isTimeout(e)) {
                throw new AdapterException("no answer within " + seconds(budget) + " while logging in", e);
            }
            throw new AdapterException("user " + login.user() + " was not let in with the key in " + login.keyFile()
                    + " (" + reason(e) + "); is its public key in ~" + login.user() + "/.ssh/authorized_keys?", e);
        }
    }

    /**
     * Runs {@code command} through the remote user's shell and waits for it to end, at most until the
     * session's budget runs out.
     *
     * @throws AdapterException when the channel cannot be opened or the command does not end in time
     */
    Result run(String command) {
        Duration timeout = left(deadline);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ChannelExec channel = null;
        try {
            channel = session.createExecChannel(command, StandardCharsets.UTF_8, null, Map.of());
            channel.setOut(out);
            channel.setErr(err);
            channel.open().verify(timeout);
            Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), left(deadline));
            if (events.contains(ClientChannelEvent.TIMEOUT)) {
                throw new AdapterException("`" + command + "` did not finish within the " + seconds(budget)
                        + " allowed per host");
            }
            Integer exit = channel.getExitStatus();
            return new Result(exit == null ? -1 : exit, out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AdapterException("`" + command + "` could not be run: " + reason(e), e);
        } finally {
            if (channel != null) {
                channel.close(true);
            }
        }
    }

    @Override
    public void close() {
        session.close(true);
        client.stop();
    }

    /** Reads the private key(s); the message names the file, never its content. */
    private static List<KeyPair> loadKeys(Path keyFile) {
        if (!Files.isReadable(keyFile)) {
            throw new AdapterException("cannot read the SSH key file " + keyFile);
        }
        List<KeyPair> keys = new ArrayList<>();
        try {
            new FileKeyPairProvider(keyFile).loadKeys(null).forEach(keys::add);
        } catch (RuntimeException e) {
            // parser messages may quote the file; say only what kind of failure it was
            throw new AdapterException("cannot load a private key from " + keyFile + " ("
                    + e.getClass().getSimpleName() + "); it must be an unencrypted OpenSSH or PEM private key");
        }
        if (keys.isEmpty()) {
            throw new AdapterException("no private key found in " + keyFile);
        }
        return keys;
    }

    /** What is left of the budget; at least a millisecond, since MINA reads zero as "wait for ever". */
    private static Duration left(long deadline) {
        long nanos = deadline - System.nanoTime();
        return nanos <= 1_000_000 ? Duration.ofMillis(1) : Duration.ofNanos(nanos);
    }

    private static boolean isTimeout(Throwable e) {
        String message = reason(e).toLowerCase();
        return message.contains("timeout") || message.contains("timed out");
    }

    private static String reason(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    private static String seconds(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + "s" : timeout.toMillis() + "ms";
    }
}
