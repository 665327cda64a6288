package dev.rewind.slack;

import dev.rewind.stats.StatsWindow;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** What someone asked for with {@code /rollback …}, parsed from the command text. */
public sealed interface RollbackCommand {

    record Help() implements RollbackCommand {
    }

    record ListServices() implements RollbackCommand {
    }

    record Status(String service) implements RollbackCommand {
    }

    record Audit(Optional<String> service) implements RollbackCommand {
    }

    /** {@code /rollback stats [service] [7d|30d|90d]}: the playbook's figures, for one service or all. */
    record Stats(Optional<String> service, StatsWindow window) implements RollbackCommand {
    }

    /** {@code /rollback ready checkout}: every check a rollback of the service would need, made now. */
    record Ready(String service) implements RollbackCommand {
    }

    /** {@code /rollback drill checkout [to r41]}: a real rollback and restore, as a rehearsal. */
    record Drill(String service, Optional<String> revision) implements RollbackCommand {
    }

    /** {@code /rollback drills [service]}: the latest drills and their results. */
    record Drills(Optional<String> service) implements RollbackCommand {
    }

    /** {@code /rollback checkout [to r41] [--dry-run] [--security] [reason…]}. */
    record Assess(String service, Optional<String> revision, boolean dryRun, Set<String> flags, String reason)
            implements RollbackCommand {
    }

    /** The text could not be understood; {@code problem} says why. */
    record Malformed(String problem) implements RollbackCommand {
    }

    /** Flags that force the IMMEDIATE tier. */
    Set<String> FORCING_FLAGS = Set.of("security", "data", "critical");

    String USAGE = String.join("\n",
            "*/rollback* — roll back a bad deployment",
            "• `/rollback <service> [reason…]` — assess the service and post a card with Roll back / Monitor / Dismiss",
            "• `/rollback <service> to <revision> [reason…]` — the same, with that revision chosen",
            "• `/rollback <service> --dry-run` — go through everything up to the change, change nothing",
            "• `/rollback <service> --security` (or `--data`, `--critical`) — mark it IMMEDIATE",
            "• `/rollback <service> status` — the latest assessment and run",
            "• `/rollback list` — the services Rewind knows, with their current revision",
            "• `/rollback audit [service]` — check the audit trail and show its latest entries",
            "• `/rollback stats [service] [7d|30d|90d]` — success rate, time to recovery and decisions [30d]",
            "• `/rollback ready <service>` — check now that a rollback of the service would work",
            "• `/rollback drill <service> [to <revision>]` — rehearse: roll back for real, then restore, and time it",
            "• `/rollback drills [service]` — the latest drills and their results",
            "• `/rollback help` — this message");

    static RollbackCommand parse(String text) {
        List<String> words = List.of((text == null ? "" : text.trim()).split("\\s+"));
        if (words.isEmpty() || words.get(0).isEmpty()) {
            return new Help();
        }
        String first = words.get(0).toLowerCase(Locale.ROOT);
        switch (first) {
            case "help", "-h", "--help", "?" -> {
                return new Help();
            }
            case "list", "ls", "services" -> {
                return new ListServices();
            }
            case "audit" -> {
                return new Audit(words.size() > 1 ? Optional.of(words.get(1)) : Optional.empty());
            }
            case "stats" -> {
                return stats(words.subList(1, words.size()));
            }
            case "drill" -> {
                if (words.size() == 2) {
                    return new Drill(words.get(1), Optional.empty());
                }
                if (words.size() == 4 && words.get(2).equalsIgnoreCase("to") && words.get(3).matches("[rR]?[A-Za-z0-9._-]+")) {
                    String value = words.get(3);
                    return new Drill(words.get(1), Optional.of(value.toLowerCase(Locale.ROOT).startsWith("r")
                            ? value.substring(1) : value));
                }
                return new Malformed("`/rollback drill` takes a service and, optionally, a revision: "
                        + "`/rollback drill checkout` or `/rollback drill checkout to r41`");
            }
            case "drills" -> {
                return words.size() <= 2 ? new Drills(words.size() == 2 ? Optional.of(words.get(1)) : Optional.empty())
                        : new Malformed("`/rollback drills` takes at most one service, e.g. `/rollback drills checkout`");
            }
            case "ready" -> {
                return words.size() == 2 ? new Ready(words.get(1))
                        : new Malformed("`/rollback ready` takes one service, e.g. `/rollback ready checkout`");
            }
            default -> {
            }
        }
        if (first.startsWith("-")) {
            return new Malformed("`" + words.get(0) + "` is not a service. Write the service first: `/rollback checkout "
                    + words.get(0) + "`");
        }
        String service = words.get(0);
        if (words.size() == 2 && words.get(1).equalsIgnoreCase("status")) {
            return new Status(service);
        }
        Optional<String> revision = Optional.empty();
        boolean dryRun = false;
        Set<String> flags = new TreeSet<>();
        StringBuilder reason = new StringBuilder();
        for (int i = 1; i < words.size(); i++) {
            String word = words.get(i);
            String lower = word.toLowerCase(Locale.ROOT);
            if ((lower.equals("to") || lower.equals("--to") || lower.equals("--revision")) && reason.length() == 0
                    && revision.isEmpty()) {
                if (i + 1 >= words.size()) {
                    return new Malformed("`" + word + "` needs a revision after it, e.g. `/rollback " + service + " to r41`");
                }
                String value = words.get(++i);
                String number = value.toLowerCase(Locale.ROOT).startsWith("r") ? value.substring(1) : value;
                if (!number.matches("[A-Za-z0-9._-]+")) {
                    return new Malformed("`" + value + "` is not a revision; write it as `r41` or `41`");
                }
                revision = Optional.of(number);
            } else if (lower.equals("--dry-run") || lower.equals("--dryrun")) {
                dryRun = true;
            } else if (lower.startsWith("--") && FORCING_FLAGS.contains(lower.substring(2))) {
                flags.add(lower.substring(2));
            } else if (lower.startsWith("--")) {
                return new Malformed("unknown option `" + word + "`; options are --dry-run, --security, --data, --critical");
            } else {
                if (reason.length() > 0) {
                    reason.append(' ');
                }
                reason.append(word);
            }
        }
        return new Assess(service, revision, dryRun, flags, reason.toString());
    }

    /** {@code [service] [7d|30d|90d]}, in either order; a word that looks like a window must be one of them. */
    private static RollbackCommand stats(List<String> args) {
        Optional<String> service = Optional.empty();
        Optional<StatsWindow> window = Optional.empty();
        for (String word : args) {
            Optional<StatsWindow> parsed = StatsWindow.parse(word);
            if (parsed.isPresent() && window.isEmpty()) {
                window = parsed;
            } else if (parsed.isEmpty() && word.matches("\\d+[A-Za-z]*")) {
                return new Malformed("`" + word + "` is not a window: write " + StatsWindow.choices()
                        + ", e.g. `/rollback stats checkout 7d`");
            } else if (parsed.isEmpty() && service.isEmpty()) {
                service = Optional.of(word);
            } else {
                return new Malformed("`/rollback stats` takes a service and a window at most, e.g. "
                        + "`/rollback stats checkout 7d`");
            }
        }
        return new Stats(service, window.orElse(StatsWindow.DEFAULT));
    }
}
