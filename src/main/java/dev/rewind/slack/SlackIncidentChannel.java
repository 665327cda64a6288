package dev.rewind.slack;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import dev.rewind.rollback.CardPlacement;
import dev.rewind.rollback.IncidentChannel;
import dev.rewind.outbox.Delivery;
import dev.rewind.outbox.OutboxSignal;
import dev.rewind.outbox.OutboxStore;
import dev.rewind.rollback.RunEvent;
import dev.rewind.rollback.RunView;
import dev.rewind.rollback.RollbackRun;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The domain's voice in Slack. A new card is posted at once when Slack answers (its message id is
 * needed right away); everything else — card redraws, the incident channel, its status message and
 * timeline — is written to the persisted outbox and sent by its worker, in order, within Slack's
 * rate limits. A slow or failing Slack delays the messages, never the rollback.
 */
public final class SlackIncidentChannel implements IncidentChannel {

    private static final SlackMentions MENTIONS = new SlackMentions();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private final MethodsClient client;
    private final CardRenderer renderer;
    private final OutboxStore outbox;
    private final OutboxSignal signal;
    private final Clock clock;

    public SlackIncidentChannel(MethodsClient client, CardRenderer renderer, OutboxStore outbox, OutboxSignal signal,
                                Clock clock) {
        this.client = client;
        this.renderer = renderer;
        this.outbox = outbox;
        this.signal = signal;
        this.clock = clock;
    }

    @Override
    public CardPlacement showCard(RunView view, String channel) {
        String runId = view.run().id();
        Optional<RollbackRun.CardRef> existing = view.run().card();
        if (existing.isPresent()) {
            cardChanged(runId, existing.get());
            return new CardPlacement.Posted(existing.get());
        }
        Card card = renderer.render(view, clock.instant());
        SlackCall<ChatPostMessageResponse> post = SlackCall.of("chat.postMessage", () -> client.chatPostMessage(r -> r
                .channel(channel).text(card.text()).blocks(card.blocks()).unfurlLinks(false).unfurlMedia(false)));
        Optional<Delivery.Result> problem = post.run();
        if (problem.isEmpty()) {
            return new CardPlacement.Posted(new RollbackRun.CardRef(post.response().getChannel(), post.response().getTs()));
        }
        if (problem.get() instanceof Delivery.Result.Rejected rejected) {
            return new CardPlacement.Refused(rejected.why());
        }
        outbox.append(OutboxKinds.cardStream(runId), OutboxKinds.CARD_POST, Optional.of(runId), Optional.of(channel),
                channel, clock.instant());
        signal.signal();
        return new CardPlacement.Queued();
    }

    @Override
    public void cardChanged(String runId, RollbackRun.CardRef card) {
        outbox.appendUnlessWaiting(OutboxKinds.cardStream(runId), OutboxKinds.CARD, Optional.of(runId),
                Optional.of(card.channel()), clock.instant());
        signal.signal();
    }

    @Override
    public void openIncident(String runId) {
        outbox.append(OutboxKinds.incidentStream(runId), OutboxKinds.INCIDENT, Optional.of(runId), Optional.empty(), "",
                clock.instant());
        signal.signal();
    }

    @Override
    public void progress(RunEvent event, Optional<RollbackRun.CardRef> card) {
        String runId = event.runId();
        String stream = OutboxKinds.incidentStream(runId);
        outbox.append(stream, OutboxKinds.THREAD, Optional.of(runId), Optional.empty(),
                "`" + TIME.format(event.at()) + "` " + MENTIONS.expand(SlackText.escape(event.message())), clock.instant());
        outbox.appendUnlessWaiting(stream, OutboxKinds.STATUS, Optional.of(runId), Optional.empty(), clock.instant());
        card.ifPresent(ref -> outbox.appendUnlessWaiting(OutboxKinds.cardStream(runId), OutboxKinds.CARD,
                Optional.of(runId), Optional.of(ref.channel()), clock.instant()));
        signal.signal();
    }

    @Override
    public void announceRun(String runId, String channel, String text) {
        outbox.append(OutboxKinds.channelStream(channel), OutboxKinds.ANNOUNCE, Optional.of(runId), Optional.of(channel),
                MENTIONS.expand(SlackText.escape(text)), clock.instant());
        signal.signal();
    }

    @Override
    public void reply(RollbackRun.CardRef card, String text) {
        outbox.append(OutboxKinds.channelStream(card.channel()), OutboxKinds.REPLY, Optional.empty(), Optional.of(card.channel()),
                card.messageId() + "\n" + MENTIONS.expand(SlackText.escape(text)), clock.instant());
        signal.signal();
    }

    @Override
    public void announce(String channel, String text) {
        outbox.append(OutboxKinds.channelStream(channel), OutboxKinds.POST, Optional.empty(), Optional.of(channel),
                MENTIONS.expand(SlackText.escape(text)), clock.instant());
        signal.signal();
    }
}
