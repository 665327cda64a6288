package dev.rewind.slack;

import dev.rewind.rollback.Decision;
import dev.rewind.rollback.Mentions;

import com.slack.api.model.block.LayoutBlock;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static com.slack.api.model.block.Blocks.actions;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.confirmationDialog;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static com.slack.api.model.block.element.BlockElements.button;

/** Words for the person who clicked, from the domain's {@link Decision}. Pure. */
final class Answers {

    private Answers() {
    }

    /** What to tell the clicker privately; empty when the card itself says it. */
    static Optional<String> of(Decision decision, Mentions mentions) {
        if (decision instanceof Decision.Accepted) {
            return Optional.empty();
        }
        if (decision instanceof Decision.Noted noted) {
            return Optional.of(":eyes: " + mentions.expand(SlackText.escape(noted.message())));
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
        if (decision instanceof Decision.Guarded guarded) {
            return Optional.of(":octagonal_sign: " + mentions.expand(SlackText.escape(guarded.reason())));
        }
        Decision.AlreadyHandled handled = (Decision.AlreadyHandled) decision;
        String message = mentions.expand(SlackText.escape(handled.message()));
        return Optional.of(":information_source: " + Character.toUpperCase(message.charAt(0)) + message.substring(1)
                + (message.endsWith(".") ? "" : "."));
    }

    /** The guardrail's words and a button that goes ahead anyway (recorded as an override). */
    static List<LayoutBlock> overrideBlocks(String text, Decision.Guarded guarded) {
        return List.of(
                section(s -> s.text(markdownText(SlackText.clip(text, SlackText.SECTION_TEXT)))),
                actions(a -> a.elements(List.of(button(b -> b.actionId(ActionIds.OVERRIDE).style("danger")
                        .text(plainText("Override and roll back"))
                        .value(ActionIds.value(guarded.runId(), guarded.revisionId()))
                        .confirm(confirmationDialog(d -> d.title(plainText("Override the guardrail?"))
                                .text(plainText(SlackText.clip(guarded.reason(), 280)))
                                .confirm(plainText("Override")).deny(plainText("Cancel")).style("danger"))))))));
    }

    static String names(List<String> ids, Mentions mentions) {
        if (ids.isEmpty()) {
            return "nobody (no approvers are listed in rewind.yml)";
        }
        return ids.stream().map(mentions::any).collect(Collectors.joining(", "));
    }
}
