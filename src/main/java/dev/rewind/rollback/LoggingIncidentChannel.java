package dev.rewind.rollback;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;


/** The voice used when Slack is not configured: everything goes to the log, nothing is posted. */
public final class LoggingIncidentChannel implements IncidentChannel {

    private static final Logger LOG = LoggerFactory.getLogger(LoggingIncidentChannel.class);

    @Override
    public CardPlacement showCard(RunView view, String channel) {
        LOG.info("(Slack not configured) card for run {} of {}: {}", view.run().id(), view.run().service(),
                view.run().state());
        return new CardPlacement.Refused("Slack is not configured");
    }

    @Override
    public void cardChanged(String runId, RollbackRun.CardRef card) {
        LOG.debug("(Slack not configured) run {} changed", runId);
    }

    @Override
    public void openIncident(String runId) {
        LOG.info("(Slack not configured) no incident channel for run {}", runId);
    }

    @Override
    public void progress(RunEvent event, Optional<RollbackRun.CardRef> card) {
        LOG.info("(Slack not configured) run {}: {}", event.runId(), event.message());
    }

    @Override
    public void announce(String channel, String text) {
        LOG.info("(Slack not configured) to {}: {}", channel, text);
    }

    @Override
    public void announceRun(String runId, String channel, String text) {
        LOG.info("(Slack not configured) to {} about {}: {}", channel, runId, text);
    }

    @Override
    public void reply(RollbackRun.CardRef card, String text) {
        LOG.info("(Slack not configured) under the card {} in {}: {}", card.messageId(), card.channel(), text);
    }
}
