package dev.rewind.slack;

import com.slack.api.app_backend.interactive_components.payload.BlockActionPayload;
import com.slack.api.bolt.context.builtin.ActionContext;
import com.slack.api.bolt.context.builtin.ViewSubmissionContext;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import com.slack.api.bolt.request.builtin.ViewSubmissionRequest;
import com.slack.api.bolt.response.Response;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.model.view.ViewState;
import dev.rewind.rollback.AutoRollback;
import dev.rewind.rollback.Decision;
import dev.rewind.rollback.FollowUpService;
import dev.rewind.rollback.Mentions;
import dev.rewind.rollback.RollbackService;
import dev.rewind.rollback.RunOpenings;
import dev.rewind.outbox.DeliveryLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

import static com.slack.api.model.block.Blocks.input;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static com.slack.api.model.block.element.BlockElements.plainTextInput;
import static com.slack.api.model.view.Views.view;
import static com.slack.api.model.view.Views.viewClose;
import static com.slack.api.model.view.Views.viewSubmit;
import static com.slack.api.model.view.Views.viewTitle;

/**
 * The card's buttons. Each handler acks at once and hands the click to the domain on a worker;
 * the clicker hears privately only what the card does not show. A click Slack delivers twice (same
 * {@code action_ts} and user) is handled once.
 */
final class CardActions {

    private static final Logger LOG = LoggerFactory.getLogger(CardActions.class);

    private final RunOpenings openings;
    private final RollbackService rollbacks;
    private final FollowUpService followUps;
    private final AutoRollback auto;
    private final MethodsClient client;
    private final Replies replies;
    private final Mentions mentions;
    private final DeliveryLog deliveries;
    private final ExecutorService work;

    CardActions(RunOpenings openings, RollbackService rollbacks, FollowUpService followUps, AutoRollback auto, MethodsClient client, Replies replies,
                Mentions mentions, DeliveryLog deliveries, ExecutorService work) {
        this.openings = openings;
        this.rollbacks = rollbacks;
        this.followUps = followUps;
        this.auto = auto;
        this.client = client;
        this.replies = replies;
        this.mentions = mentions;
        this.deliveries = deliveries;
        this.work = work;
    }

    Response rollBack(BlockActionRequest request, ActionContext ctx) {
        // The button names its revision (the picker redraws it); trust what the clicker saw and confirmed.
        return decide(request, ctx, (p, value) -> rollbacks.requestRollback(ActionIds.runId(value), p.getUser().getId(),
                nonEmpty(ActionIds.revision(value)).or(() -> picked(p)), false));
    }

    Response approve(BlockActionRequest request, ActionContext ctx) {
        return decide(request, ctx, (p, value) -> rollbacks.approve(value, p.getUser().getId(), false));
    }

    Response breakGlass(BlockActionRequest request, ActionContext ctx) {
        return decide(request, ctx, (p, value) -> rollbacks.approve(value, p.getUser().getId(), true));
    }

    Response override(BlockActionRequest request, ActionContext ctx) {
        return decide(request, ctx, (p, value) -> rollbacks.requestRollback(ActionIds.runId(value), p.getUser().getId(),
                nonEmpty(ActionIds.revision(value)), true));
    }

    Response dismiss(BlockActionRequest request, ActionContext ctx) {
        return decide(request, ctx, (p, value) -> rollbacks.dismiss(value, p.getUser().getId(), Optional.empty()));
    }

    Response cancelAuto(BlockActionRequest request, ActionContext ctx) {
        return decide(request, ctx, (p, value) -> auto.cancel(value, p.getUser().getId()));
    }

    /** A task the rollback left for after the incident (e.g. "Restore automated sync"). */
    Response followUp(BlockActionRequest request, ActionContext ctx) {
        return decide(request, ctx, (p, value) -> followUps.complete(value, p.getUser().getId()));
    }

    Response retry(BlockActionRequest request, ActionContext ctx) {
        return decide(request, ctx, (p, value) -> openings.retry(value, p.getUser().getId()));
    }

    /** The overflow menu: monitor for 5 or 15 minutes, or dismiss with a reason (a modal). */
    Response menu(BlockActionRequest request, ActionContext ctx) {
        BlockActionPayload p = request.getPayload();
        BlockActionPayload.Action action = p.getActions().get(0);
        String value = action.getSelectedOption() == null ? "" : action.getSelectedOption().getValue();
        String runId = ActionIds.runId(value);
        String choice = ActionIds.revision(value);
        if (choice.equals("dismiss")) {
            work.submit(() -> {
                try {
                    Optional<String> refusal = rollbacks.refuseDismissal(runId, p.getUser().getId())
                            .flatMap(decision -> Answers.of(decision, mentions));
                    if (refusal.isPresent()) {
                        replies.ephemeral(p.getResponseUrl(), p.getChannel() == null ? null : p.getChannel().getId(),
                                p.getUser().getId(), refusal.get());
                    } else {
                        openDismissModal(p.getTriggerId(), runId, p);
                    }
                } catch (RuntimeException e) {
                    LOG.error("opening the dismiss dialog for {} failed", runId, e);
                }
            });
            return ctx.ack();
        }
        return decide(request, ctx, (payload, ignored) -> {
            int minutes;
            try {
                minutes = Integer.parseInt(choice);
            } catch (NumberFormatException e) {
                return new Decision.Refused("unknown menu choice '" + choice + "'");
            }
            return rollbacks.monitor(runId, payload.getUser().getId(), Duration.ofMinutes(minutes));
        });
    }

    /** A new revision picked: the card is redrawn so its button names it. */
    Response pick(BlockActionRequest request, ActionContext ctx) {
        return decide(request, ctx, (p, ignored) -> {
            BlockActionPayload.Action action = p.getActions().get(0);
            String value = action.getSelectedOption() == null ? "" : action.getSelectedOption().getValue();
            return rollbacks.preselect(ActionIds.runId(value), p.getUser().getId(), ActionIds.revision(value));
        });
    }

    Response dismissSubmitted(ViewSubmissionRequest request, ViewSubmissionContext ctx) {
        var p = request.getPayload();
        String runId = p.getView().getPrivateMetadata();
        Map<String, Map<String, ViewState.Value>> values = p.getView().getState().getValues();
        String reason = Optional.ofNullable(values.get(ActionIds.DISMISS_REASON_BLOCK))
                .map(v -> v.get(ActionIds.DISMISS_REASON_INPUT)).map(ViewState.Value::getValue).orElse("");
        String user = p.getUser().getId();
        work.submit(() -> {
            String text;
            try {
                text = Answers.of(rollbacks.dismiss(runId, user, Optional.of(reason)), mentions).orElse(null);
            } catch (RuntimeException e) {
                LOG.error("dismissing {} failed", runId, e);
                text = ":x: Dismissing failed inside Rewind (" + e.getClass().getSimpleName() + "). The error is in Rewind's log.";
            }
            // A modal has no response_url: answer privately in the card's channel.
            String answer = text;
            if (answer != null) {
                rollbacks.view(runId).flatMap(view -> view.run().card()).ifPresent(card ->
                        replies.ephemeral(null, card.channel(), user, answer));
            }
        });
        return ctx.ack();
    }

    private interface Click {
        Decision decide(BlockActionPayload payload, String value);
    }

    private Response decide(BlockActionRequest request, ActionContext ctx, Click click) {
        BlockActionPayload p = request.getPayload();
        BlockActionPayload.Action action = p.getActions().get(0);
        String deliveryKey = "action:" + action.getActionId() + ":" + action.getActionTs() + ":" + p.getUser().getId();
        String value = action.getValue() == null ? "" : action.getValue();
        work.submit(() -> {
            try {
                if (!deliveries.firstTime(deliveryKey)) {
                    LOG.info("ignoring a repeated delivery of {} by {}", action.getActionId(), p.getUser().getId());
                    return;
                }
                Decision decision = click.decide(p, value);
                String channel = p.getChannel() == null ? null : p.getChannel().getId();
                Answers.of(decision, mentions).ifPresent(text -> replies.ephemeral(p.getResponseUrl(), channel,
                        p.getUser().getId(), text, decision instanceof Decision.Guarded guarded
                                ? Answers.overrideBlocks(text, guarded) : List.of()));
            } catch (RuntimeException e) {
                LOG.error("handling {} failed", action.getActionId(), e);
                replies.ephemeral(p.getResponseUrl(), p.getChannel() == null ? null : p.getChannel().getId(),
                        p.getUser().getId(), ":x: That failed inside Rewind (" + e.getClass().getSimpleName()
                                + "); nothing was changed by this click. The error is in Rewind's log.");
            }
        });
        return ctx.ack();
    }

    /** The revision chosen in the card's picker, if the click carried the card's state. */
    private static Optional<String> picked(BlockActionPayload p) {
        if (p.getState() == null || p.getState().getValues() == null) {
            return Optional.empty();
        }
        return p.getState().getValues().values().stream()
                .map(block -> block.get(ActionIds.PICK_REVISION))
                .filter(v -> v != null && v.getSelectedOption() != null)
                .map(v -> ActionIds.revision(v.getSelectedOption().getValue()))
                .filter(r -> !r.isEmpty())
                .findFirst();
    }

    private static Optional<String> nonEmpty(String text) {
        return text == null || text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    private void openDismissModal(String triggerId, String runId, BlockActionPayload p) {
        try {
            var response = client.viewsOpen(r -> r.triggerId(triggerId).view(view(v -> v.type("modal")
                    .callbackId(ActionIds.DISMISS_MODAL)
                    .privateMetadata(runId)
                    .title(viewTitle(t -> t.type("plain_text").text("Dismiss")))
                    .submit(viewSubmit(s -> s.type("plain_text").text("Dismiss")))
                    .close(viewClose(c -> c.type("plain_text").text("Cancel")))
                    .blocks(List.of(input(i -> i.blockId(ActionIds.DISMISS_REASON_BLOCK).optional(true)
                            .label(plainText("Why is no rollback needed?"))
                            .element(plainTextInput(t -> t.actionId(ActionIds.DISMISS_REASON_INPUT).multiline(true)
                                    .maxLength(1000)))))))));
            if (!response.isOk()) {
                replies.ephemeral(p.getResponseUrl(), p.getChannel() == null ? null : p.getChannel().getId(),
                        p.getUser().getId(), ":warning: Could not open the dismiss dialog (" + response.getError()
                                + "); use the Dismiss button instead.");
            }
        } catch (IOException | SlackApiException e) {
            LOG.warn("views.open failed: {}", e.getMessage());
        }
    }

}
