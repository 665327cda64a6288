package dev.rewind.slack;

/** The outbox kinds Rewind's Slack front end sends, and the streams that keep them in order. */
final class OutboxKinds {

    /** Post a run's card for the first time (after the synchronous post could not). Payload: channel. */
    static final String CARD_POST = "slack.card.post";
    /** Redraw a run's card from the run's current state. */
    static final String CARD = "slack.card";
    /** Create or reuse the run's incident channel, invite people, post its status message. */
    static final String INCIDENT = "slack.incident";
    /** Redraw the incident channel's status message (and topic when the state changed). */
    static final String STATUS = "slack.status";
    /** A timestamped line in the incident thread. Payload: the line. Consecutive lines are sent together. */
    static final String THREAD = "slack.thread";
    /** A plain message to a channel. Payload: the text. */
    static final String POST = "slack.post";
    /** A message about a run for stakeholders, threaded under the first one about it. Payload: the text. */
    static final String ANNOUNCE = "slack.announce";
    /** A reply under a message (a card). Payload: the parent's ts, a newline, the text. */
    static final String REPLY = "slack.reply";
    /** Upload the filed report into the incident channel. */
    static final String REPORT = "slack.report";

    private OutboxKinds() {
    }

    static String cardStream(String runId) {
        return "card:" + runId;
    }

    /** Incident creation, status and thread lines share a stream: the room exists before anything is said in it. */
    static String incidentStream(String runId) {
        return "incident:" + runId;
    }

    static String channelStream(String channel) {
        return "channel:" + channel;
    }
}
