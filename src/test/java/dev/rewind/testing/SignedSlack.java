package dev.rewind.testing;

import com.slack.api.app_backend.SlackSignature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Requests to {@code POST /slack/events} built and signed the way Slack builds and signs them:
 * slash commands as form posts, interactions as a form field {@code payload} holding JSON.
 */
public final class SignedSlack {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final java.util.concurrent.atomic.AtomicLong TRIGGERS = new java.util.concurrent.atomic.AtomicLong(42);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String eventsUrl;
    private final String secret;
    private final SlackStub slack;

    public SignedSlack(String eventsUrl, String secret, SlackStub slack) {
        this.eventsUrl = eventsUrl;
        this.secret = secret;
        this.slack = slack;
    }

    /** {@code /rollback <text>} typed by {@code user} in {@code channel}. */
    public HttpResponse<String> command(String user, String channel, String text) {
        return post(commandBody(user, channel, text), now());
    }

    /** The unsigned form body of {@code /rollback <text>}, for callers that sign and time the post themselves. */
    public String commandBody(String user, String channel, String text) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("token", "legacy-token");
        form.put("team_id", "T0TEAM");
        form.put("team_domain", "acme");
        form.put("channel_id", channel);
        form.put("channel_name", "ops");
        form.put("user_id", user);
        form.put("user_name", user.toLowerCase());
        form.put("command", "/rollback");
        form.put("text", text);
        form.put("api_app_id", "A0REWIND");
        form.put("response_url", slack.responseUrl("command-" + user));
        // Slack gives every command its own trigger id (Rewind ignores a repeated one as a replay).
        form.put("trigger_id", "1337." + TRIGGERS.incrementAndGet() + ".abcd");
        return formBody(form);
    }

    /** A click on a button of a card. */
    public HttpResponse<String> click(String user, String channel, String messageTs, String actionId, String value) {
        return interaction(withResponseUrl(blockAction(user, channel, messageTs, actionId, value, null, "1700000100."
                + System.nanoTime() % 1_000_000), "click-" + user));
    }

    /** A choice in a select or overflow menu of a card. */
    public HttpResponse<String> choose(String user, String channel, String messageTs, String actionId, String optionValue) {
        return interaction(withResponseUrl(blockAction(user, channel, messageTs, actionId, null, optionValue,
                "1700000100." + System.nanoTime() % 1_000_000), "choice-" + user));
    }

    public static ObjectNode blockAction(String user, String channel, String messageTs, String actionId, String value,
                                         String selectedOption, String actionTs) {
        ObjectNode payload = JSON.createObjectNode();
        payload.put("type", "block_actions");
        payload.putObject("user").put("id", user).put("username", user.toLowerCase()).put("team_id", "T0TEAM");
        payload.put("api_app_id", "A0REWIND");
        payload.put("token", "legacy-token");
        payload.putObject("container").put("type", "message").put("message_ts", messageTs).put("channel_id", channel)
                .put("is_ephemeral", false);
        payload.put("trigger_id", "1337.42.abcd");
        payload.putObject("team").put("id", "T0TEAM").put("domain", "acme");
        payload.putObject("channel").put("id", channel).put("name", "ops");
        payload.put("response_url", "http://127.0.0.1:1/response/unused");
        ArrayNode actions = payload.putArray("actions");
        ObjectNode action = actions.addObject();
        action.put("action_id", actionId).put("block_id", "rewind.actions").put("action_ts", actionTs);
        if (selectedOption != null) {
            action.put("type", "static_select");
            action.putObject("selected_option").put("value", selectedOption)
                    .putObject("text").put("type", "plain_text").put("text", selectedOption);
        } else {
            action.put("type", "button").put("value", value);
            action.putObject("text").put("type", "plain_text").put("text", actionId);
        }
        payload.putObject("state").putObject("values");
        return payload;
    }

    /** Points this interaction's response_url at the Slack stub, so private answers can be read. */
    public ObjectNode withResponseUrl(ObjectNode payload, String name) {
        payload.put("response_url", slack.responseUrl(name));
        return payload;
    }

    public HttpResponse<String> interaction(ObjectNode payload) {
        return post(formBody(Map.of("payload", payload.toString())), now());
    }

    public HttpResponse<String> post(String body, long timestamp) {
        return post(body, timestamp, new SlackSignature.Generator(secret).generate(Long.toString(timestamp), body));
    }

    public HttpResponse<String> post(String body, long timestamp, String signature) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(eventsUrl))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Slack-Request-Timestamp", Long.toString(timestamp))
                .header("X-Slack-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String formBody(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    public static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
