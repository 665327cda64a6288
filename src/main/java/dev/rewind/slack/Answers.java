package dev.rewind.slack;

import dev.rewind.rollback.Decision;
import dev.rewind.rollback.Mentions;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Words for the person who clicked, from the domain's {@link Decision}. Pure. */
final class Answers {

    private Answers() {
    }

    /** What to tell the clicker privately; empty when the card itself says it. */
    static Optional<String> of(Decision decision, Mentions mentions) {
        if (decision instanceof Decision.Accepted) {
            return Optional.empty();
        }
        if (decision instanceof Decision.AwaitingApproval waiting) {
            int missing = Math.max(0, waiting.need() - waiting.have());
            return Optional.of(":white_check_mark: Recorded. " + waiting.have() + " of " + waiting.need()
                    + " approvals; waiting for " + missing + " more from " + names(waiting.approvers(), mentions) + ".");
        }
        if (decision instanceof Decision.Refused refused) {
            String who = refused.whoMay().isEmpty() ? ""
                    : " Who may approve: " + names(refused.whoMay(), mentions) + ".";
            return Optional.of(":no_entry: " + mentions.expand(SlackText.escape(refused.reason())) + who
                    + " Nothing was changed.");
        }
        Decision.AlreadyHandled handled = (Decision.AlreadyHandled) decision;
        String message = mentions.expand(SlackText.escape(handled.message()));
        return Optional.of(":information_source: " + Character.toUpperCase(message.charAt(0)) + message.substring(1)
                + (message.endsWith(".") ? "" : "."));
    }

    static String names(List<String> ids, Mentions mentions) {
        if (ids.isEmpty()) {
            return "nobody (no approvers are listed in rewind.yml)";
        }
        return ids.stream().map(mentions::any).collect(Collectors.joining(", "));
    }
}
