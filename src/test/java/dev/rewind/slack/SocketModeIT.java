package dev.rewind.slack;

import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SlackStub;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Socket Mode, with a local WebSocket server standing in for Slack's: Rewind opens the connection
 * with its app token (apps.connections.open), acks a slash command envelope and posts the card, as it
 * does for the same command over HTTP.
 */
class SocketModeIT {

    private static final String APP_TOKEN = "xapp-1-A0REWIND-test";
    private static final JsonMapper JSON = JsonMapper.shared();

    private final List<String> received = new CopyOnWriteArrayList<>();
    private volatile WebSocket connection;
    private WebSocketServer slackSocket;
    private RewindFixture rewind;

    @AfterEach
    void stop() throws Exception {
        if (rewind != null) {
            rewind.close();
        }
        if (slackSocket != null) {
            slackSocket.stop(1000);
        }
    }

    @Test
    void aSlashCommandOverSocketModeIsAckedAndGetsItsCard() throws Exception {
        slackSocket = new WebSocketServer(new InetSocketAddress("127.0.0.1", 0)) {
            @Override
            public void onOpen(WebSocket socket, ClientHandshake handshake) {
                connection = socket;
                socket.send("{\"type\":\"hello\",\"num_connections\":1,\"debug_info\":{\"host\":\"test\"},"
                        + "\"connection_info\":{\"app_id\":\"A0REWIND\"}}");
            }

            @Override
            public void onClose(WebSocket socket, int code, String reason, boolean remote) {
            }

            @Override
            public void onMessage(WebSocket socket, String message) {
                received.add(message);
            }

            @Override
            public void onError(WebSocket socket, Exception e) {
            }

            @Override
            public void onStart() {
            }
        };
        slackSocket.setReuseAddr(true);
        slackSocket.start();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(slackSocket.getPort()).isGreaterThan(0));
        String socketUrl = "ws://127.0.0.1:" + slackSocket.getPort() + "/link";
        rewind = RewindFixture.builder().slack(slack -> slack.server().stubFor(post(urlEqualTo("/api/apps.connections.open"))
                        .withHeader("Authorization", containing(APP_TOKEN))
                        .willReturn(okJson("{\"ok\":true,\"url\":\"" + socketUrl + "\"}"))))
                .env("SLACK_APP_TOKEN", APP_TOKEN).withoutPrometheus().build();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(connection)
                .as("Rewind's Socket Mode connection to the fake Slack").isNotNull());

        connection.send(JSON.writeValueAsString(envelope("e-1", "checkout")));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(received).as("frames Rewind sent back, one acking e-1")
                .anyMatch(frame -> JSON.readTree(frame).path("envelope_id").asString().equals("e-1")));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.cards().stream().map(SlackStub.Post::form))
                .as("cards posted").anyMatch(card -> card.get("channel").equals(CHANNEL)
                        && SlackStub.readable(card).contains("Roll back to r2")));
    }

    private static ObjectNode envelope(String id, String text) {
        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("envelope_id", id);
        envelope.put("type", "slash_commands");
        envelope.put("accepts_response_payload", true);
        ObjectNode payload = envelope.putObject("payload");
        payload.put("token", "legacy-token");
        payload.put("team_id", "T0TEAM");
        payload.put("team_domain", "acme");
        payload.put("channel_id", CHANNEL);
        payload.put("channel_name", "checkout");
        payload.put("user_id", ALICE);
        payload.put("user_name", "alice");
        payload.put("command", "/rollback");
        payload.put("text", text);
        payload.put("api_app_id", "A0REWIND");
        payload.put("response_url", "http://127.0.0.1:9/response");
        payload.put("trigger_id", "1337.42.abcd");
        return envelope;
    }
}
