package dev.rewind.slack;

import dev.rewind.rollback.Mentions;

/** Slack's mention syntax, so names in Rewind's sentences become clickable people and groups. */
public final class SlackMentions implements Mentions {

    @Override
    public String user(String userId) {
        return userId.matches("[UW][A-Z0-9]+") ? "<@" + userId + ">" : SlackText.escape(userId);
    }

    @Override
    public String channel(String channelId) {
        return channelId.matches("[CG][A-Z0-9]+") ? "<#" + channelId + ">" : "#" + SlackText.escape(channelId);
    }

    @Override
    public String group(String groupId) {
        return "<!subteam^" + groupId + ">";
    }
}
