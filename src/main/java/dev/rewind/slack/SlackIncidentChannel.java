package dev.rewind.slack;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.chat.ChatUpdateResponse;
import dev.rewind.incident.IncidentChannel;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunEvent;
import dev.rewind.rollback.RunView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;

/**
 * The domain's voice in Slack. A new card is posted at once (its message id is needed); later
 * redraws of a card are coalesced per run on a background worker, so a burst of progress costs one
 * {@code chat.update} and a slow Slack never holds up a rollback.
 */
public final class SlackIncidentChannel implements IncidentChannel {

    private static final Logger LOG = LoggerFactory.getLogger(SlackIncidentChannel.class);

    private final MethodsClient client;
    private final CardRenderer renderer;
    private final Clock clock;
    private final ExecutorService worker;
    private final ConcurrentMap<String, Redraw> pending = new ConcurrentHashMap<>();

    public SlackIncidentChannel(MethodsClient client, CardRenderer renderer, Clock clock, ExecutorService worker) {
        this.client = client;
        this.renderer = renderer;
        this.clock = clock;
        this.worker = worker;
    }

    private record Redraw(RunView view, String channel, String ts) {
    }

    @Override
    public Optional<RollbackRun.CardRef> showCard(RunView view, String channel) {
        Optional<RollbackRun.CardRef> existing = view.run().card();
        if (existing.isPresent()) {
            schedule(new Redraw(view, existing.get().channel(), existing.get().messageId()));
            return existing;
        }
        Card card = renderer.render(view, clock.instant());
        try {
            ChatPostMessageResponse response = client.chatPostMessage(r -> r.channel(channel).text(card.text())
                    .blocks(card.blocks()).unfurlLinks(false).unfurlMedia(false));
            if (response.isOk()) {
                return Optional.of(new RollbackRun.CardRef(response.getChannel(), response.getTs()));
            }
            LOG.warn("chat.postMessage of the card for run {} to {} failed: {}", view.run().id(), channel,
                    response.getError());
        } catch (IOException | SlackApiException e) {
            LOG.warn("chat.postMessage of the card for run {} to {} failed: {}", view.run().id(), channel, e.getMessage());
        }
        return Optional.empty();
    }

    @Override
    public void progress(RunView view, RunEvent event) {
        view.run().card().ifPresent(card -> schedule(new Redraw(view, card.channel(), card.messageId())));
    }

    @Override
    public void announce(String channel, String text) {
        worker.submit(() -> {
            try {
                var response = client.chatPostMessage(r -> r.channel(channel).text(SlackText.clip(text, SlackText.MESSAGE_TEXT)));
                if (!response.isOk()) {
                    LOG.warn("chat.postMessage to {} failed: {}", channel, response.getError());
                }
            } catch (IOException | SlackApiException e) {
                LOG.warn("chat.postMessage to {} failed: {}", channel, e.getMessage());
            }
        });
    }

    private void schedule(Redraw redraw) {
        String runId = redraw.view().run().id();
        if (pending.put(runId, redraw) == null) {
            worker.submit(() -> draw(runId));
        }
    }

    private void draw(String runId) {
        Redraw redraw = pending.remove(runId);
        if (redraw == null) {
            return;
        }
        Card card = renderer.render(redraw.view(), clock.instant());
        try {
            ChatUpdateResponse response = client.chatUpdate(r -> r.channel(redraw.channel()).ts(redraw.ts())
                    .text(card.text()).blocks(card.blocks()));
            if (!response.isOk()) {
                LOG.warn("chat.update of the card for run {} failed: {}", runId, response.getError());
            }
        } catch (IOException | SlackApiException e) {
            LOG.warn("chat.update of the card for run {} failed: {}", runId, e.getMessage());
        }
    }
}
