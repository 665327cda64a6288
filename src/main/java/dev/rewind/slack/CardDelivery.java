package dev.rewind.slack;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.chat.ChatUpdateResponse;
import dev.rewind.outbox.Delivery;
import dev.rewind.outbox.Message;
import dev.rewind.config.ServiceConfig;
import dev.rewind.rollback.AnnouncementThreads;
import dev.rewind.rollback.Catalogues;
import dev.rewind.rollback.Mentions;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunEvent;
import dev.rewind.rollback.RunRepository;
import dev.rewind.rollback.RunTimeline;
import dev.rewind.rollback.ApprovalStore;
import dev.rewind.rollback.IncidentRooms;
import dev.rewind.rollback.RunView;
import dev.rewind.rollback.RunViews;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Cards and plain messages from the outbox: first posts that had to wait, redraws, announcements. */
final class CardDelivery implements Delivery {

    static final String DISPLACED = "The card could not be posted in ";
    /** Refusals about the channel itself, worth trying another; a bad card would be refused anywhere. */
    private static final List<String> CHANNEL_ERRORS = List.of("channel_not_found", "not_in_channel", "is_archived",
            "restricted_action", "restricted_action_read_only_channel", "restricted_action_thread_only_channel",
            "restricted_action_non_threadable_channel", "ekm_access_denied", "team_access_not_granted");

    private final AnnouncementThreads threads;
    private final MethodsClient client;
    private final CardRenderer renderer;
    private final RunViews views;
    private final RunRepository runs;
    private final RunTimeline timeline;
    private final Catalogues catalogues;
    private final ChannelPacer pacer;
    private final Clock clock;

    CardDelivery(MethodsClient client, CardRenderer renderer, RunViews views, RunRepository runs, RunTimeline timeline, Catalogues catalogues,
                 ChannelPacer pacer, AnnouncementThreads threads, Clock clock) {
        this.threads = threads;
        this.catalogues = catalogues;
        this.client = client;
        this.renderer = renderer;
        this.views = views;
        this.runs = runs;
        this.timeline = timeline;
        this.pacer = pacer;
        this.clock = clock;
    }

    @Override
    public List<String> kinds() {
        return List.of(OutboxKinds.CARD_POST, OutboxKinds.CARD, OutboxKinds.POST, OutboxKinds.REPLY, OutboxKinds.ANNOUNCE);
    }

    @Override
    public Result deliver(Message head, List<Message> following) {
        return switch (head.kind()) {
            case OutboxKinds.CARD_POST -> post(head);
            case OutboxKinds.CARD -> redraw(head);
            default -> announce(head);
        };
    }

    /**
     * A first post that had to wait. If Slack refuses it in the channel it was meant for (the bot is not
     * in it, it was archived meanwhile), the service's channel and then the alerts' default channel are
     * tried, as when the card is posted at once: a card must land somewhere people look.
     */
    private Result post(Message message) {
        Optional<RollbackRun> run = message.runId().flatMap(runs::find);
        if (run.isEmpty() || run.get().card().isPresent()) {
            return new Result.Sent(1);
        }
        List<String> refusals = new ArrayList<>();
        for (String channel : channelsFor(run.get(), message.payload())) {
            Optional<java.time.Duration> wait = pacer.book("post:" + channel, ChannelPacer.POST_SPACING);
            if (wait.isPresent()) {
                return new Result.Later(wait.get(), "pacing posts to " + channel);
            }
            Card card = renderer.render(views.view(run.get()), clock.instant());
            SlackCall<ChatPostMessageResponse> call = SlackCall.of("chat.postMessage", () -> client.chatPostMessage(r -> r
                    .channel(channel).text(card.text()).blocks(card.blocks()).unfurlLinks(false).unfurlMedia(false)));
            Optional<Result> problem = call.run();
            if (problem.isEmpty()) {
                runs.attachCard(run.get().id(), new RollbackRun.CardRef(call.response().getChannel(), call.response().getTs()),
                        clock.instant());
                if (!refusals.isEmpty()) {
                    timeline.append(new RunEvent(run.get().id(), clock.instant(), RunEvent.Kind.NOTE, DISPLACED
                            + String.join(", ", refusals) + "; posted in " + Mentions.token(channel) + " instead"));
                    views.refresh(run.get().id());
                }
                return new Result.Sent(1);
            }
            if (!(problem.get() instanceof Result.Rejected rejected) || !CHANNEL_ERRORS.contains(call.error())) {
                return problem.get();
            }
            refusals.add(Mentions.token(channel) + " (" + rejected.why() + ")");
        }
        return new Result.Rejected("the card was refused in every channel it could go to: " + String.join(", ", refusals));
    }

    private List<String> channelsFor(RollbackRun run, String first) {
        List<String> channels = new ArrayList<>(List.of(first));
        catalogues.service(run.service()).map(ServiceConfig::channel).ifPresent(channels::add);
        catalogues.get().alerts().defaultChannel().ifPresent(channels::add);
        return channels.stream().distinct().toList();
    }

    private Result redraw(Message message) {
        Optional<RollbackRun> run = message.runId().flatMap(runs::find);
        if (run.isEmpty() || run.get().card().isEmpty()) {
            return new Result.Sent(1);
        }
        RollbackRun.CardRef card = run.get().card().get();
        if (!runs.cardOwner(card).map(run.get().id()::equals).orElse(true)) {
            // A late redraw of a run whose card a Retry has handed on would paint the old run over the new one.
            return new Result.Sent(1);
        }
        Optional<java.time.Duration> wait = pacer.book("update:" + card.messageId(), ChannelPacer.UPDATE_SPACING);
        if (wait.isPresent()) {
            return new Result.Later(wait.get(), "pacing edits of the card");
        }
        RunView view = views.view(run.get());
        Card drawn = renderer.render(view, clock.instant());
        SlackCall<ChatUpdateResponse> call = SlackCall.of("chat.update", () -> client.chatUpdate(r -> r
                .channel(card.channel()).ts(card.messageId()).text(drawn.text()).blocks(drawn.blocks())));
        return call.run().orElse(new Result.Sent(1));
    }

    private Result announce(Message message) {
        String channel = message.channel().orElse("");
        Optional<java.time.Duration> wait = pacer.book("post:" + channel, ChannelPacer.POST_SPACING);
        if (wait.isPresent()) {
            return new Result.Later(wait.get(), "pacing posts to " + channel);
        }
        boolean reply = message.kind().equals(OutboxKinds.REPLY);
        boolean aboutRun = message.kind().equals(OutboxKinds.ANNOUNCE) && message.runId().isPresent();
        String parent = reply ? message.payload().substring(0, message.payload().indexOf('\n'))
                : aboutRun ? threads.thread(message.runId().get(), channel).orElse(null) : null;
        String text = reply ? message.payload().substring(parent.length() + 1) : message.payload();
        SlackCall<ChatPostMessageResponse> call = SlackCall.of("chat.postMessage", () -> client.chatPostMessage(r -> r
                .channel(channel).threadTs(parent).text(SlackText.clip(text, SlackText.MESSAGE_TEXT))));
        Optional<Result> problem = call.run();
        if (problem.isEmpty() && aboutRun && parent == null) {
            threads.remember(message.runId().get(), channel, call.response().getTs());
        }
        return problem.orElse(new Result.Sent(1));
    }
}
