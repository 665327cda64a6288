package dev.rewind.slack;

import com.slack.api.app_backend.events.payload.EventsApiPayload;
import com.slack.api.bolt.context.builtin.EventContext;
import com.slack.api.bolt.response.Response;
import com.slack.api.model.Attachment;
import com.slack.api.model.event.MessageBotEvent;
import com.slack.api.model.event.MessageEvent;
import dev.rewind.alerts.AlertIntake;
import dev.rewind.alerts.AlertMessageParser;
import dev.rewind.rollback.Catalogues;
import dev.rewind.outbox.DeliveryLog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Alert messages posted by other tools (bots and integrations, never people) in the watched channels
 * become alerts: ack at once, then the intake reads them on its own pool (never the pool commands and
 * clicks run on). They are not authenticated, so
 * they may open cards but never start an automatic rollback. Repeated deliveries of one event are handled once; messages that
 * are not alerts, or not in a watched channel, are ignored quietly. Rewind's own messages never
 * arrive here (Bolt drops events from this bot).
 */
final class AlertEvents {

    private final Catalogues catalogues;
    private final AlertIntake intake;
    private final DeliveryLog deliveries;

    AlertEvents(Catalogues catalogues, AlertIntake intake, DeliveryLog deliveries) {
        this.catalogues = catalogues;
        this.intake = intake;
        this.deliveries = deliveries;
    }

    Response message(EventsApiPayload<MessageEvent> payload, EventContext ctx) {
        MessageEvent event = payload.getEvent();
        // Only tools post alerts: a person typing "[FIRING] …" must not open a card.
        if (event.getBotId() != null && !fromThisBot(ctx, event.getBotId(), event.getUser())) {
            submit(payload.getEventId(), event.getChannel(), event.getText(), event.getAttachments());
        }
        return ctx.ack();
    }

    Response botMessage(EventsApiPayload<MessageBotEvent> payload, EventContext ctx) {
        MessageBotEvent event = payload.getEvent();
        if (!fromThisBot(ctx, event.getBotId(), null)) {
            submit(payload.getEventId(), event.getChannel(), event.getText(), event.getAttachments());
        }
        return ctx.ack();
    }

    /** Rewind's own messages never loop back; told apart by the ids auth.test gave this bot. */
    private static boolean fromThisBot(EventContext ctx, String botId, String userId) {
        String ownBot = ctx.getAuthTestResponse() == null ? null : ctx.getAuthTestResponse().getBotId();
        return (botId != null && botId.equals(ownBot)) || (userId != null && userId.equals(ctx.getBotUserId()));
    }

    private void submit(String eventId, String channel, String text, List<Attachment> attachments) {
        if (channel == null || !catalogues.get().alerts().watchedChannels().contains(channel)) {
            return;
        }
        List<AlertMessageParser.Message.Part> parts = new ArrayList<>();
        if (attachments != null) {
            for (Attachment attachment : attachments) {
                Map<String, String> fields = new LinkedHashMap<>();
                if (attachment.getFields() != null) {
                    attachment.getFields().forEach(f -> fields.put(String.valueOf(f.getTitle()), String.valueOf(f.getValue())));
                }
                parts.add(new AlertMessageParser.Message.Part(attachment.getTitle(),
                        attachment.getText() != null ? attachment.getText() : attachment.getFallback(), fields));
            }
        }
        String kind = text != null && text.contains("Labels:") || parts.stream()
                .anyMatch(p -> p.text() != null && p.text().contains("Labels:")) ? "slack:grafana" : "slack:alertmanager";
        intake.readMessage(channel, new AlertMessageParser.Message(kind, text, parts),
                () -> eventId == null || deliveries.firstTime("event:" + eventId));
    }
}
