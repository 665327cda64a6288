package dev.rewind.testing;

import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Hosts with Capistrano-style releases, each an in-process Apache MINA SSHD server on 127.0.0.1 whose
 * exec channels run the command with {@code /bin/sh -c} on this machine. Like separate machines, every
 * host has its releases at the same path, {@link #DEPLOY_TO}: each server maps that path to its own
 * temporary directory in the commands it runs and back in what they print. Only the world's client key
 * (ed25519, user {@code deploy}) is let in; every host's key (ECDSA) is in the world's known_hosts file
 * unless the test says otherwise. Commands can be made to fail or to hang.
 */
public final class SshReleaseWorld implements AutoCloseable {

    public static final String USER = "deploy";
    /** Where every host keeps its releases, as the adapter sees it. */
    public static final String DEPLOY_TO = "/srv/app";

    private final Path root;
    private final Path keyFile;
    private final Path knownHosts;
    private final KeyPair clientKey;
    private final Map<String, Host> hosts = new LinkedHashMap<>();

    public SshReleaseWorld() {
        try {
            root = Files.createTempDirectory("rewind-ssh-world");
            // ed25519, the usual deploy key today (ssh-keygen's default); it needs Bouncy Castle in MINA 2.x
            clientKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
            keyFile = root.resolve("deploy_key");
            try (OutputStream out = Files.newOutputStream(keyFile)) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(clientKey, "rewind-test", null, out);
            }
            knownHosts = Files.writeString(root.resolve("known_hosts"), "");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up the SSH world", e);
        }
    }

    /** A running host named {@code name} whose key is in known_hosts. */
    public Host host(String name) {
        return host(name, true);
    }

    /** A running host; with {@code known} false its host key is left out of known_hosts. */
    public Host host(String name, boolean known) {
        try {
            Host host = new Host(name, Files.createDirectories(root.resolve(name).resolve("app")), newKey());
            hosts.put(name, host);
            if (known) {
                host.trust();
            }
            return host;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot start SSH host " + name, e);
        }
    }

    public Path keyFile() {
        return keyFile;
    }

    public Path knownHosts() {
        return knownHosts;
    }

    public Path root() {
        return root;
    }

    /** A private key file the hosts do not accept. */
    public Path strangerKeyFile() {
        try {
            Path file = root.resolve("stranger_key");
            try (OutputStream out = Files.newOutputStream(file)) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(newKey(), "stranger", null, out);
            }
            return file;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every command any host has run, in order per host. */
    public List<String> commands() {
        return hosts.values().stream().flatMap(h -> h.commands.stream()).toList();
    }

    @Override
    public void close() {
        for (Host host : hosts.values()) {
            try {
                host.server.stop(true);
            } catch (IOException e) {
                // the temporary directory goes anyway
            }
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KeyPair newKey() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** One SSH server and its {@code deployTo}. */
    public final class Host {

        private final String name;
        private final Path deployTo;
        private final SshServer server;
        private final KeyPair hostKey;
        private final List<String> commands = new CopyOnWriteArrayList<>();
        private final Map<String, String> replacements = new ConcurrentHashMap<>();

        private Host(String name, Path deployTo, KeyPair hostKey) throws IOException {
            this.name = name;
            this.deployTo = deployTo;
            this.hostKey = hostKey;
            Files.createDirectories(deployTo.resolve("releases"));
            server = SshServer.setUpDefaultServer();
            server.setHost("127.0.0.1");
            server.setPort(0);
            server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
            CoreModuleProperties.TCP_NODELAY.set(server, true);
            // the post-quantum hybrids MINA prefers cost hundreds of ms per handshake in pure Java on a busy CI box
            server.setKeyExchangeFactories(NamedFactory.setUpTransformedFactories(true,
                    List.of(BuiltinDHFactories.curve25519, BuiltinDHFactories.ecdhp256), ServerBuilder.DH2KEX));
            server.setPublickeyAuthenticator((user, key, session) -> USER.equals(user)
                    && KeyUtils.compareKeys(key, clientKey.getPublic()));
            server.setPasswordAuthenticator(null);
            server.setKeyboardInteractiveAuthenticator(null);
            server.setCommandFactory((channel, command) -> {
                commands.add(command);
                String run = replacement(command).orElse(command).replace(DEPLOY_TO, deployTo.toString());
                return new ShellCommand(run, deployTo.getParent(),
                        output -> output.replace(deployTo.toString(), DEPLOY_TO));
            });
            server.start();
        }

        /** {@code 127.0.0.1:port}, as a hosts entry; its label in messages. */
        public String address() {
            return "127.0.0.1:" + server.getPort();
        }

        /** The real directory behind {@link #DEPLOY_TO} on this host. */
        public Path deployTo() {
            return deployTo;
        }

        public String name() {
            return name;
        }

        /** Adds this host's key to the world's known_hosts. */
        public Host trust() {
            return appendKnownHost(hostKey);
        }

        /** Lists a different key for this host in known_hosts, as if the host had been rebuilt. */
        public Host trustAnotherKey() {
            try {
                return appendKnownHost(newKey());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A release directory with a {@code tmp/} and the given files in {@code db/migrate}. */
        public Host release(String release, String... migrations) {
            try {
                Path dir = Files.createDirectories(deployTo.resolve("releases").resolve(release));
                Files.createDirectories(dir.resolve("tmp"));
                if (migrations.length > 0) {
                    Path migrate = Files.createDirectories(dir.resolve("db/migrate"));
                    for (String migration : migrations) {
                        Files.writeString(migrate.resolve(migration), "# " + migration + "\n");
                    }
                }
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Points {@code current} at the release, as Capistrano does (absolute link). */
        public Host current(String release) {
            try {
                Path link = deployTo.resolve("current");
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, deployTo.resolve("releases").resolve(release));
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The release {@code current} points at, read from the file system. */
        public String currentRelease() {
            try {
                return Files.readSymbolicLink(deployTo.resolve("current")).getFileName().toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public boolean restarted(String release) {
            return Files.exists(deployTo.resolve("releases").resolve(release).resolve("tmp/restart.txt"));
        }

        /** Commands this host ran. */
        public List<String> commands() {
            return List.copyOf(commands);
        }

        /** From now on, a command containing {@code text} fails with exit 1 and {@code stderr}. */
        public Host failCommandsContaining(String text, String stderr) {
            replacements.put(text, "echo '" + stderr.replace("'", "") + "' >&2; exit 1");
            return this;
        }

        /** From now on, a command containing {@code text} takes {@code seconds} before it ends. */
        public Host slowCommandsContaining(String text, int seconds) {
            replacements.put(text, "sleep " + seconds);
            return this;
        }

        public Host clearFaults() {
            replacements.clear();
            return this;
        }

        public void stop() {
            try {
                server.stop(true);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private Optional<String> replacement(String command) {
            return replacements.entrySet().stream().filter(rule -> command.contains(rule.getKey()))
                    .map(Map.Entry::getValue).findFirst();
        }

        private Host appendKnownHost(KeyPair key) {
            try {
                Files.writeString(knownHosts, "[127.0.0.1]:" + server.getPort() + " "
                        + PublicKeyEntry.toString(key.getPublic()) + "\n", StandardOpenOption.APPEND);
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
