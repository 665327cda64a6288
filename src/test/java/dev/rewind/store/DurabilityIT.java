package dev.rewind.store;

import dev.rewind.rollback.AuditLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A commit survives the process being killed right after it, as a SIGKILL in production would. */
class DurabilityIT {

    @TempDir
    Path dir;

    /** Run in a child JVM: opens the database, commits rows, and halts without any shutdown. */
    public static void main(String[] args) {
        Database database = Database.open(args[0], Optional.empty(), Optional.empty());
        AuditLog audit = new JdbiAuditLog(database, Clock.systemUTC());
        for (int i = 0; i < 20; i++) {
            audit.record("U1", "approved", Optional.empty(), "checkout", "entry " + i);
        }
        Runtime.getRuntime().halt(9);
    }

    @Test
    void rowsCommittedJustBeforeAKillAreStillThereOnTheNextStart() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("rewind");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), DurabilityIT.class.getName(), url)
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("the child halts itself after committing").isEqualTo(9);

        try (Database database = Database.open(url, Optional.empty(), Optional.empty())) {
            AuditLog.ChainCheck check = new JdbiAuditLog(database, Clock.systemUTC()).verify();
            assertThat(check.entries()).isEqualTo(20);
            assertThat(check.intact()).isTrue();
        }
    }

    @Test
    void anExplicitWriteDelayInTheUrlIsLeftAlone() {
        assertThat(Database.durable("jdbc:h2:file:./data/rewind;WRITE_DELAY=100")).endsWith(";WRITE_DELAY=100");
        assertThat(Database.durable("jdbc:postgresql://db/rewind")).isEqualTo("jdbc:postgresql://db/rewind");
    }
}
