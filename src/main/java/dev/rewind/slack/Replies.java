package dev.rewind.slack;

import com.slack.api.Slack;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.chat.ChatPostEphemeralResponse;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.util.json.GsonFactory;
import com.slack.api.webhook.WebhookResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Private answers to one person after the ack: through the interaction's {@code response_url}
 * (works in any channel and in DMs), falling back to {@code chat.postEphemeral} when that fails.
 */
public final class Replies {

    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

    private final Slack slack;
    private final MethodsClient client;

    public Replies(Slack slack, MethodsClient client) {
        this.slack = slack;
        this.client = client;
    }

    /** A link to a message ({@code chat.getPermalink}), or empty when Slack does not give one. */
    public java.util.Optional<String> permalink(String channel, String messageTs) {
        try {
            var answer = client.chatGetPermalink(r -> r.channel(channel).messageTs(messageTs));
            return answer.isOk() ? java.util.Optional.ofNullable(answer.getPermalink()) : java.util.Optional.empty();
        } catch (Exception e) {
            LOG.warn("chat.getPermalink failed: {}", e.getMessage());
            return java.util.Optional.empty();
        }
    }

    public void ephemeral(String responseUrl, String channel, String user, String text) {
        ephemeral(responseUrl, channel, user, text, List.of());
    }

    /** A private answer with blocks (e.g. an Override button); {@code text} is the notification fallback. */
    public void ephemeral(String responseUrl, String channel, String user, String text, List<LayoutBlock> blocks) {
        if (responseUrl != null && !responseUrl.isBlank()) {
            try {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("response_type", "ephemeral");
                body.put("replace_original", false);
                body.put("text", SlackText.clip(text, SlackText.MESSAGE_TEXT));
                if (!blocks.isEmpty()) {
                    body.put("blocks", blocks);
                }
                WebhookResponse response = slack.send(responseUrl, GsonFactory.createSnakeCase().toJson(body));
                if (response.getCode() == 200) {
                    return;
                }
                LOG.info("response_url answered HTTP {}; falling back to chat.postEphemeral", response.getCode());
            } catch (IOException | RuntimeException e) {
                LOG.info("response_url failed ({}); falling back to chat.postEphemeral", e.getMessage());
            }
        }
        if (channel == null || user == null) {
            return;
        }
        try {
            ChatPostEphemeralResponse response = client.chatPostEphemeral(r -> r.channel(channel).user(user)
                    .text(SlackText.clip(text, SlackText.MESSAGE_TEXT)).blocks(blocks.isEmpty() ? null : blocks));
            if (!response.isOk()) {
                LOG.warn("chat.postEphemeral to {} in {} failed: {}", user, channel, response.getError());
            }
        } catch (IOException | SlackApiException e) {
            LOG.warn("chat.postEphemeral to {} in {} failed: {}", user, channel, e.getMessage());
        }
    }
}
