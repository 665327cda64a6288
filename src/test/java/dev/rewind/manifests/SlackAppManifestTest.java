package dev.rewind.manifests;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * slack-app-manifest.yml declares exactly the bot scopes the code needs: every Slack Web API
 * method called in src/main is looked up in Slack's scope table below, and the union must equal
 * what the manifest asks for.
 */
class SlackAppManifestTest {

    /** Web API method (as the Java SDK names it) → the bot scopes it needs (Slack's docs, per method). */
    private static final Map<String, Set<String>> SCOPES = Map.ofEntries(
            entry("authTest", Set.of()),
            entry("viewsOpen", Set.of()),
            entry("chatPostMessage", Set.of("chat:write", "chat:write.public")),
            entry("chatUpdate", Set.of("chat:write")),
            entry("chatPostEphemeral", Set.of("chat:write")),
            entry("chatGetPermalink", Set.of()),
            entry("usergroupsUsersList", Set.of("usergroups:read")),
            entry("conversationsCreate", Set.of("channels:manage")),
            entry("conversationsInvite", Set.of("channels:manage")),
            entry("conversationsSetTopic", Set.of("channels:manage")),
            entry("conversationsInfo", Set.of("channels:read")),
            entry("conversationsHistory", Set.of("channels:history")),
            entry("pinsAdd", Set.of("pins:write")),
            entry("filesGetUploadURLExternal", Set.of("files:write")),
            entry("filesCompleteUploadExternal", Set.of("files:write")),
            entry("usersInfo", Set.of("users:read")));

    private static final Pattern CALL = Pattern.compile("\\bclient\\(?\\)?\\.(\\w+)\\(");

    @Test
    void manifestAsksForExactlyTheScopesTheCodeUses() throws IOException {
        Set<String> needed = new TreeSet<>(Set.of("commands"));
        Set<String> methods = new TreeSet<>();
        boolean readsChannelMessages = false;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/dev/rewind/slack"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                readsChannelMessages |= source.contains("app.event(MessageEvent.class");
                Matcher matcher = CALL.matcher(source);
                while (matcher.find()) {
                    methods.add(matcher.group(1));
                }
            }
        }
        for (String method : methods) {
            assertThat(SCOPES).as("scope table entry for Slack method " + method).containsKey(method);
            needed.addAll(SCOPES.get(method));
        }
        JsonNode manifest = new YAMLMapper().readTree(Files.readString(Path.of("slack-app-manifest.yml")));
        Set<String> events = new TreeSet<>();
        manifest.path("settings").path("event_subscriptions").path("bot_events").forEach(n -> events.add(n.asString()));
        if (readsChannelMessages) {
            needed.add("channels:history");
            needed.add("groups:history");
            assertThat(events).as("alert messages in public and private watched channels")
                    .contains("message.channels", "message.groups");
        } else {
            assertThat(events).doesNotContain("message.channels", "message.groups");
        }
        Set<String> declared = new TreeSet<>();
        manifest.path("oauth_config").path("scopes").path("bot").forEach(n -> declared.add(n.asString()));
        assertThat(declared).isEqualTo(needed);
    }

    @Test
    void everyUrlEndsInSlackEvents() throws IOException {
        JsonNode manifest = new YAMLMapper().readTree(Files.readString(Path.of("slack-app-manifest.yml")));
        assertThat(manifest.path("features").path("slash_commands").get(0).path("command").asString()).isEqualTo("/rollback");
        assertThat(manifest.path("features").path("slash_commands").get(0).path("url").asString()).endsWith("/slack/events");
        assertThat(manifest.path("settings").path("interactivity").path("request_url").asString()).endsWith("/slack/events");
        assertThat(manifest.path("settings").path("event_subscriptions").path("request_url").asString()).endsWith("/slack/events");
    }
}
