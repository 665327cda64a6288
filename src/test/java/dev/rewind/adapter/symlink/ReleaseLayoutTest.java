package dev.rewind.adapter.symlink;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReleaseLayoutTest {

    private final ReleaseLayout layout = new ReleaseLayout("/srv/app");

    @ParameterizedTest
    @ValueSource(strings = {"20261124140203", "v1.2.3", "release_7", "a-b", "0"})
    void safeNames(String name) {
        assertThat(ReleaseLayout.isSafe(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", ".hidden", "-rf", "a b", "a'b", "a/b", "$(id)", "a;b", "a\nb", "é"})
    void unsafeNames(String name) {
        assertThat(ReleaseLayout.isSafe(name)).isFalse();
    }

    @Test
    void quotingSurvivesSingleQuotes() {
        assertThat(ReleaseLayout.quote("/srv/it's here")).isEqualTo("'/srv/it'\\''s here'");
    }

    @Test
    void theSwitchIsALinkRenamedOverCurrentAfterTheRestartMarker() {
        assertThat(layout.switchTo("20261124120000", "rb-abc", true)).isEqualTo(
                "ln -sfn -- '/srv/app/releases/20261124120000' '/srv/app/current_tmp_rb-abc'"
                        + " && printf '%s\\n' '20261124120000' > '/srv/app/.rewind-restart-rb-abc'"
                        + " && mv -T -- '/srv/app/current_tmp_rb-abc' '/srv/app/current'");
        assertThat(layout.switchTo("20261124120000", "rb-abc", false)).isEqualTo(
                "ln -sfn -- '/srv/app/releases/20261124120000' '/srv/app/current_tmp_rb-abc'"
                        + " && mv -T -- '/srv/app/current_tmp_rb-abc' '/srv/app/current'");
    }

    @Test
    void theRestartRunsInTheNewCurrent() {
        assertThat(layout.restart("touch tmp/restart.txt")).isEqualTo("cd -- '/srv/app/current' && touch tmp/restart.txt");
    }

    @Test
    void deployToWithSpacesAndQuotesIsQuotedEverywhere() {
        ReleaseLayout odd = new ReleaseLayout("/srv/my app's");
        assertThat(odd.listReleases()).isEqualTo("ls -1p -- '/srv/my app'\\''s/releases'");
        assertThat(odd.readCurrent()).isEqualTo("readlink -- '/srv/my app'\\''s/current'");
    }

    @Test
    void anUnsafeNameNeverBecomesACommand() {
        assertThatThrownBy(() -> layout.switchTo("x; rm -rf /", "rb-1", true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> layout.listMigrations("../etc")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aListingKeepsDirectoriesSortedAndSetsUnsafeNamesAside() {
        ReleaseLayout.Listing listing = ReleaseLayout.parseListing(
                "20261124140203/\n20261124100000/\nREVISION\n20261124120000/\nbad name/\n");
        assertThat(listing.releases()).containsExactly("20261124100000", "20261124120000", "20261124140203");
        assertThat(listing.skipped()).containsExactly("bad name");
    }

    @ParameterizedTest
    @CsvSource({
            "/srv/app/releases/20261124120000, 20261124120000",
            "/srv/app/releases/20261124120000/, 20261124120000",
            "releases/20261124120000, 20261124120000",
            "./releases/v2, v2",
    })
    void currentNamesARelease(String link, String release) {
        assertThat(layout.releaseOf(link)).contains(release);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/opt/other/releases/1", "/srv/app/releases/a/b", "/srv/app/releases/..", "/srv/app/shared"})
    void currentPointingElsewhereNamesNoRelease(String link) {
        assertThat(layout.releaseOf(link)).isEmpty();
    }

    @Test
    void capistranoTimestampsAreUtc() {
        assertThat(ReleaseLayout.createdAt("20261124140203")).contains(Instant.parse("2026-11-24T14:02:03Z"));
        assertThat(ReleaseLayout.createdAt("20261399000000")).isEmpty();
        assertThat(ReleaseLayout.createdAt("v1.2.3")).isEqualTo(Optional.empty());
    }

    @Test
    void restartMarkersAreFoundByRunId() {
        assertThat(ReleaseLayout.pendingRestarts(".rewind-restart-rb-1\ncurrent\nreleases\n.rewind-restart-rb-0\n"))
                .isEqualTo(List.of("rb-0", "rb-1"));
    }
}
