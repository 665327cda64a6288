package dev.rewind.adapter.symlink;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Capistrano layout under {@code deployTo} ({@code releases/<name>/}, {@code current → releases/<name>})
 * as shell commands and parsers of their output. Pure: every path is shell-quoted here, and release
 * names (which come from directory listings) must match {@link #SAFE_NAME} before they are used.
 */
final class ReleaseLayout {

    /** Letters, digits, {@code . _ -}; not starting with a dot or a dash (no {@code ..}, no options). */
    static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");
    static final String RESTART_MARKER = ".rewind-restart-";
    private static final DateTimeFormatter CAPISTRANO_TIMESTAMP = DateTimeFormatter.ofPattern("uuuuMMddHHmmss");

    private final String deployTo;

    ReleaseLayout(String deployTo) {
        this.deployTo = deployTo.length() > 1 && deployTo.endsWith("/")
                ? deployTo.substring(0, deployTo.length() - 1) : deployTo;
    }

    static boolean isSafe(String name) {
        return name != null && SAFE_NAME.matcher(name).matches();
    }

    /** Capistrano names releases by the UTC time of the deploy ({@code 20261124140203}). */
    static Optional<Instant> createdAt(String release) {
        if (!release.matches("\\d{14}")) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDateTime.parse(release, CAPISTRANO_TIMESTAMP).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    String deployTo() {
        return deployTo;
    }

    String releasesDir() {
        return deployTo + "/releases";
    }

    String releaseDir(String release) {
        return releasesDir() + "/" + requireSafe(release);
    }

    String currentLink() {
        return deployTo + "/current";
    }

    /** Entries of {@code releases/}, directories marked with a trailing {@code /}. */
    String listReleases() {
        return "ls -1p -- " + quote(releasesDir());
    }

    String readCurrent() {
        return "readlink -- " + quote(currentLink());
    }

    /** Everything directly under {@code deployTo}, to find restart markers left by earlier runs. */
    String listDeployTo() {
        return "ls -1A -- " + quote(deployTo);
    }

    String listMigrations(String release) {
        return "ls -1 -- " + quote(releaseDir(release) + "/db/migrate");
    }

    /**
     * Points {@code current} at the release in one atomic rename (a new symlink moved over the old one),
     * first leaving a marker that says a restart is owed for this run when {@code markRestart} is set.
     */
    String switchTo(String release, String runId, boolean markRestart) {
        String temporary = deployTo + "/current_tmp_" + requireSafe(runId);
        String link = "ln -sfn -- " + quote(releaseDir(release)) + " " + quote(temporary);
        String mark = markRestart ? " && printf '%s\\n' " + quote(release) + " > " + quote(marker(runId)) : "";
        return link + mark + " && mv -T -- " + quote(temporary) + " " + quote(currentLink());
    }

    /** Runs the configured restart command (the operator's own shell text) inside the new {@code current/}. */
    String restart(String command) {
        return "cd -- " + quote(currentLink()) + " && " + command;
    }

    String clearMarker(String runId) {
        return "rm -f -- " + quote(marker(runId));
    }

    String marker(String runId) {
        return deployTo + "/" + RESTART_MARKER + requireSafe(runId);
    }

    /** The release directories in a {@link #listReleases()} output, sorted (timestamps sort by age). */
    static Listing parseListing(String output) {
        List<String> directories = output.lines().map(String::strip)
                .filter(line -> line.endsWith("/")).map(line -> line.substring(0, line.length() - 1))
                .filter(line -> !line.isEmpty()).sorted().toList();
        return new Listing(directories.stream().filter(ReleaseLayout::isSafe).toList(),
                directories.stream().filter(name -> !isSafe(name)).toList());
    }

    /** The run ids whose restart is still owed, from a {@link #listDeployTo()} output. */
    static List<String> pendingRestarts(String output) {
        return output.lines().map(String::strip).filter(line -> line.startsWith(RESTART_MARKER))
                .map(line -> line.substring(RESTART_MARKER.length())).filter(ReleaseLayout::isSafe).sorted().toList();
    }

    /**
     * The release a {@code readlink current} output names: {@code <deployTo>/releases/<name>} or the
     * relative {@code releases/<name>}; empty when the link points anywhere else.
     */
    Optional<String> releaseOf(String linkTarget) {
        String target = linkTarget.strip();
        while (target.length() > 1 && target.endsWith("/")) {
            target = target.substring(0, target.length() - 1);
        }
        for (String prefix : List.of(releasesDir() + "/", "releases/", "./releases/")) {
            if (target.startsWith(prefix)) {
                String name = target.substring(prefix.length());
                return isSafe(name) ? Optional.of(name) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** File names in a {@link #listMigrations} output. */
    static List<String> parseNames(String output) {
        return output.lines().map(String::strip).filter(line -> !line.isEmpty()).sorted().toList();
    }

    private static String requireSafe(String name) {
        if (!isSafe(name)) {
            throw new IllegalArgumentException("unsafe name reached a remote command: " + name);
        }
        return name;
    }

    /** Safe release names, and names that were skipped because they are not safe to put in a command. */
    record Listing(List<String> releases, List<String> skipped) {
    }
}
