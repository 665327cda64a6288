package dev.rewind.slack;

import dev.rewind.stats.StatsWindow;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RollbackCommandTest {

    @Test
    void readsEveryForm() {
        assertThat(RollbackCommand.parse("")).isInstanceOf(RollbackCommand.Help.class);
        assertThat(RollbackCommand.parse("  help ")).isInstanceOf(RollbackCommand.Help.class);
        assertThat(RollbackCommand.parse("list")).isInstanceOf(RollbackCommand.ListServices.class);
        assertThat(RollbackCommand.parse("checkout status")).isEqualTo(new RollbackCommand.Status("checkout"));
        assertThat(RollbackCommand.parse("audit")).isEqualTo(new RollbackCommand.Audit(Optional.empty()));
        assertThat(RollbackCommand.parse("audit checkout")).isEqualTo(new RollbackCommand.Audit(Optional.of("checkout")));
        assertThat(RollbackCommand.parse("checkout")).isEqualTo(
                new RollbackCommand.Assess("checkout", Optional.empty(), false, Set.of(), ""));
        assertThat(RollbackCommand.parse("checkout to r41 --dry-run --security 5xx spike after 1.4.2")).isEqualTo(
                new RollbackCommand.Assess("checkout", Optional.of("41"), true, Set.of("security"), "5xx spike after 1.4.2"));
        assertThat(RollbackCommand.parse("ready checkout")).isEqualTo(new RollbackCommand.Ready("checkout"));
        assertThat(RollbackCommand.parse("ready")).isEqualTo(new RollbackCommand.Malformed(
                "`/rollback ready` takes one service, e.g. `/rollback ready checkout`"));
        assertThat(RollbackCommand.parse("checkout reverting to fix")).isEqualTo(
                new RollbackCommand.Assess("checkout", Optional.empty(), false, Set.of(), "reverting to fix"));
    }

    @Test
    void statsTakesAnOptionalServiceAndWindowInEitherOrder() {
        assertThat(RollbackCommand.parse("stats")).isEqualTo(new RollbackCommand.Stats(Optional.empty(), StatsWindow.DAYS_30));
        assertThat(RollbackCommand.parse("stats 7d")).isEqualTo(new RollbackCommand.Stats(Optional.empty(), StatsWindow.DAYS_7));
        assertThat(RollbackCommand.parse("stats checkout")).isEqualTo(
                new RollbackCommand.Stats(Optional.of("checkout"), StatsWindow.DAYS_30));
        assertThat(RollbackCommand.parse("STATS 90D checkout")).isEqualTo(
                new RollbackCommand.Stats(Optional.of("checkout"), StatsWindow.DAYS_90));
        assertThat(RollbackCommand.parse("stats checkout 5d")).isEqualTo(new RollbackCommand.Malformed(
                "`5d` is not a window: write 7d, 30d or 90d, e.g. `/rollback stats checkout 7d`"));
        assertThat(RollbackCommand.parse("stats checkout cart")).isEqualTo(new RollbackCommand.Malformed(
                "`/rollback stats` takes a service and a window at most, e.g. `/rollback stats checkout 7d`"));
        assertThat(RollbackCommand.parse("stats 7d 30d")).isInstanceOf(RollbackCommand.Malformed.class);
    }

    @Test
    void malformedInputIsExplained() {
        assertThat(RollbackCommand.parse("checkout to")).isEqualTo(new RollbackCommand.Malformed(
                "`to` needs a revision after it, e.g. `/rollback checkout to r41`"));
        assertThat(((RollbackCommand.Malformed) RollbackCommand.parse("checkout --force")).problem())
                .contains("unknown option `--force`");
        assertThat(((RollbackCommand.Malformed) RollbackCommand.parse("--dry-run checkout")).problem())
                .contains("Write the service first");
        assertThat(((RollbackCommand.Malformed) RollbackCommand.parse("checkout to r4;rm")).problem())
                .contains("is not a revision");
    }
}
