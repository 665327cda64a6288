package dev.rewind.slack;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.chat.ChatUpdateResponse;
import dev.rewind.outbox.Delivery;
import dev.rewind.outbox.Message;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunRepository;
import dev.rewind.rollback.RunView;
import dev.rewind.rollback.RunViews;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Cards and plain messages from the outbox: first posts that had to wait, redraws, announcements. */
final class CardDelivery implements Delivery {

    private final MethodsClient client;
    private final CardRenderer renderer;
    private final RunViews views;
    private final RunRepository runs;
    private final ChannelPacer pacer;
    private final Clock clock;

    CardDelivery(MethodsClient client, CardRenderer renderer, RunViews views, RunRepository runs, ChannelPacer pacer,
                 Clock clock) {
        this.client = client;
        this.renderer = renderer;
        this.views = views;
        this.runs = runs;
        this.pacer = pacer;
        this.clock = clock;
    }

    @Override
    public List<String> kinds() {
        return List.of(OutboxKinds.CARD_POST, OutboxKinds.CARD, OutboxKinds.POST);
    }

    @Override
    public Result deliver(Message head, List<Message> following) {
        return switch (head.kind()) {
            case OutboxKinds.CARD_POST -> post(head);
            case OutboxKinds.CARD -> redraw(head);
            default -> announce(head);
        };
    }

    private Result post(Message message) {
        Optional<RollbackRun> run = message.runId().flatMap(runs::find);
        if (run.isEmpty() || run.get().card().isPresent()) {
            return new Result.Sent(1);
        }
        String channel = message.payload();
        Optional<java.time.Duration> wait = pacer.book("post:" + channel, ChannelPacer.POST_SPACING);
        if (wait.isPresent()) {
            return new Result.Later(wait.get(), "pacing posts to " + channel);
        }
        Card card = renderer.render(views.view(run.get()), clock.instant());
        SlackCall<ChatPostMessageResponse> call = SlackCall.of("chat.postMessage", () -> client.chatPostMessage(r -> r
                .channel(channel).text(card.text()).blocks(card.blocks()).unfurlLinks(false).unfurlMedia(false)));
        Optional<Result> problem = call.run();
        if (problem.isPresent()) {
            return problem.get();
        }
        runs.attachCard(run.get().id(), new RollbackRun.CardRef(call.response().getChannel(), call.response().getTs()),
                clock.instant());
        return new Result.Sent(1);
    }

    private Result redraw(Message message) {
        Optional<RollbackRun> run = message.runId().flatMap(runs::find);
        if (run.isEmpty() || run.get().card().isEmpty()) {
            return new Result.Sent(1);
        }
        RollbackRun.CardRef card = run.get().card().get();
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
        SlackCall<ChatPostMessageResponse> call = SlackCall.of("chat.postMessage", () -> client.chatPostMessage(r -> r
                .channel(channel).text(SlackText.clip(message.payload(), SlackText.MESSAGE_TEXT))));
        return call.run().orElse(new Result.Sent(1));
    }
}
