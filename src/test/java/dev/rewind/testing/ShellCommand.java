package dev.rewind.testing;

import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * An SSH exec request run as {@code /bin/sh -c <command>} in {@code directory}; its output, passed
 * through {@code translate}, goes back on the channel with the exit code. For {@link SshReleaseWorld}.
 */
final class ShellCommand implements Command {

    private final String command;
    private final Path directory;
    private final UnaryOperator<String> translate;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private volatile Process process;

    ShellCommand(String command, Path directory, UnaryOperator<String> translate) {
        this.command = command;
        this.directory = directory;
        this.translate = translate;
    }

    @Override
    public void setInputStream(InputStream in) {
        // the commands read no input
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        process = new ProcessBuilder("/bin/sh", "-c", command).directory(directory.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        Thread thread = new Thread(this::finish, "ssh-world-exec");
        thread.setDaemon(true);
        thread.start();
    }

    private void finish() {
        try {
            CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            byte[] stdout = readAll(process.getInputStream());
            int code = process.waitFor();
            out.write(translate.apply(new String(stdout, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
            out.flush();
            err.write(translate.apply(new String(stderr.join(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
            err.flush();
            exit.onExit(code);
        } catch (IOException | RuntimeException e) {
            exit.onExit(255, String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exit.onExit(255, "interrupted");
        }
    }

    @Override
    public void destroy(ChannelSession channel) {
        Process running = process;
        if (running != null) {
            running.destroyForcibly();
        }
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
