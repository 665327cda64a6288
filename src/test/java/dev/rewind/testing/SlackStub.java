package dev.rewind.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

/**
 * The Slack Web API (and response_url endpoints) as WireMock, with helpers to read back what the bot
 * posted. Any call to a method that is not stubbed answers 404, so unexpected calls fail loudly.
 */
public final class SlackStub implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final WireMockServer server;

    public SlackStub() {
        server = new WireMockServer(WireMockConfiguration.options().dynamicPort().globalTemplating(true)
                .containerThreads(40).jettyAcceptors(2));
        server.start();
        scopes(SCOPES);
        server.stubFor(post(urlEqualTo("/api/chat.postMessage")).willReturn(okJson(
                "{\"ok\":true,\"channel\":\"{{formData request.body 'form' urlDecode=true}}{{form.channel}}\","
                        + "\"ts\":\"1700000000.{{randomValue length=6 type='NUMERIC'}}\"}")));
        server.stubFor(post(urlEqualTo("/api/chat.update")).willReturn(okJson(
                "{\"ok\":true,\"channel\":\"{{formData request.body 'form' urlDecode=true}}{{form.channel}}\","
                        + "\"ts\":\"{{form.ts}}\"}")));
        server.stubFor(post(urlEqualTo("/api/chat.postEphemeral")).willReturn(okJson("{\"ok\":true,\"message_ts\":\"1.2\"}")));
        server.stubFor(post(urlEqualTo("/api/views.open")).willReturn(okJson("{\"ok\":true}")));
        server.stubFor(post(urlEqualTo("/api/chat.getPermalink")).willReturn(okJson(
                "{\"ok\":true,\"channel\":\"{{formData request.body 'form' urlDecode=true}}{{form.channel}}\","
                        + "\"permalink\":\"https://t.slack.com/archives/{{form.channel}}/p{{form.message_ts}}\"}")));
        server.stubFor(post(urlEqualTo("/api/usergroups.users.list")).willReturn(okJson("{\"ok\":true,\"users\":[]}")));
        server.stubFor(post(urlPathMatching("/response/.*")).willReturn(aResponse().withStatus(200).withBody("ok")));
        server.stubFor(post(urlEqualTo("/api/conversations.create")).willReturn(okJson(
                "{\"ok\":true,\"channel\":{\"id\":\"C0INC{{randomValue length=4 type='NUMERIC'}}\","
                        + "\"name\":\"{{formData request.body 'form' urlDecode=true}}{{form.name}}\"}}")));
        server.stubFor(post(urlEqualTo("/api/conversations.invite")).willReturn(okJson("{\"ok\":true}")));
        server.stubFor(post(urlEqualTo("/api/conversations.setTopic")).willReturn(okJson("{\"ok\":true}")));
        server.stubFor(post(urlEqualTo("/api/files.getUploadURLExternal")).willReturn(okJson(
                "{\"ok\":true,\"upload_url\":\"" + server.baseUrl() + "/upload/F0REPORT\",\"file_id\":\"F0REPORT\"}")));
        server.stubFor(post(urlPathMatching("/upload/.*")).willReturn(aResponse().withStatus(200).withBody("OK - 123")));
        server.stubFor(post(urlEqualTo("/api/files.completeUploadExternal")).willReturn(okJson(
                "{\"ok\":true,\"files\":[{\"id\":\"F0REPORT\"}]}")));
    }

    /** The scopes a bot installed from slack-app-manifest.yml has, as Slack lists them on every answer. */
    public static final String SCOPES = "commands,chat:write,chat:write.public,channels:history,groups:history,channels:manage,files:write,"
            + "usergroups:read";

    /** From now on, auth.test says the bot token has these scopes (comma-separated) in its x-oauth-scopes header. */
    public void scopes(String scopes) {
        server.stubFor(post(urlEqualTo("/api/auth.test")).willReturn(okJson(
                "{\"ok\":true,\"url\":\"https://t.slack.com/\",\"team\":\"T\",\"user\":\"rewind\",\"team_id\":\"T0TEAM\","
                        + "\"user_id\":\"U0BOT\",\"bot_id\":\"B0BOT\"}").withHeader("x-oauth-scopes", scopes)));
    }

    public String apiUrl() {
        return server.baseUrl() + "/api/";
    }

    public String responseUrl(String name) {
        return server.baseUrl() + "/response/" + name;
    }

    public WireMockServer server() {
        return server;
    }

    /** Members of a user group, as usergroups.users.list will answer. */
    public void groupMembers(String group, String... users) {
        String list = List.of(users).stream().map(u -> "\"" + u + "\"").collect(Collectors.joining(","));
        server.stubFor(post(urlEqualTo("/api/usergroups.users.list"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("usergroup=" + group))
                .willReturn(okJson("{\"ok\":true,\"users\":[" + list + "]}")));
    }

    /** What the bot sent to one Web API method, decoded from the form body, oldest first. */
    public List<Map<String, String>> calls(String method) {
        return server.findAll(postRequestedFor(urlEqualTo("/api/" + method))).stream()
                .map(SlackStub::form).toList();
    }

    public List<Map<String, String>> posted() {
        return calls("chat.postMessage");
    }

    /** A chat.postMessage call and the ts the stub answered with. */
    public record Post(Map<String, String> form, String ts) {
    }

    public List<Post> postedWithTs() {
        return server.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().equals("/api/chat.postMessage"))
                // Only messages Slack accepted exist in the channel.
                .filter(e -> e.getResponse().getStatus() == 200 && e.getResponse().getBodyAsString().contains("\"ok\":true"))
                .sorted(java.util.Comparator.comparing(e -> e.getRequest().getLoggedDate()))
                .map(e -> new Post(form(e.getRequest()), JSON.readTree(e.getResponse().getBodyAsString()).path("ts").asString()))
                .toList();
    }

    public List<Map<String, String>> updates() {
        return calls("chat.update");
    }

    /** Private answers: response_url bodies ("text") and chat.postEphemeral calls, oldest first. */
    public List<String> ephemeralTexts() {
        List<String> texts = new java.util.ArrayList<>();
        for (LoggedRequest request : server.findAll(postRequestedFor(urlPathMatching("/response/.*")))) {
            texts.add(JSON.readTree(request.getBodyAsString()).path("text").asString());
        }
        calls("chat.postEphemeral").forEach(call -> texts.add(call.get("text")));
        return texts;
    }

    /** Everything readable in a message: its text plus every text inside its blocks. */
    public static String readable(Map<String, String> call) {
        StringBuilder text = new StringBuilder(call.getOrDefault("text", ""));
        String blocks = call.get("blocks");
        if (blocks != null) {
            collectTexts(JSON.readTree(blocks), text);
        }
        return text.toString();
    }

    public static JsonNode blocks(Map<String, String> call) {
        return JSON.readTree(call.getOrDefault("blocks", "[]"));
    }

    private static void collectTexts(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            JsonNode text = node.get("text");
            if (text != null && text.isString()) {
                out.append('\n').append(text.asString());
            }
            node.properties().forEach(e -> collectTexts(e.getValue(), out));
        } else if (node.isArray()) {
            node.forEach(child -> collectTexts(child, out));
        }
    }

    static Map<String, String> form(LoggedRequest request) {
        Map<String, String> form = new LinkedHashMap<>();
        String body = request.getBodyAsString();
        if (body.isEmpty()) {
            return form;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            form.put(key, value);
        }
        return form;
    }

    /** Makes one method fail with a Slack error, e.g. {@code not_in_channel}, for requests to {@code channel}. */
    public void failFor(String method, String channel, String error) {
        server.stubFor(post(urlEqualTo("/api/" + method)).atPriority(1)
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("channel=" + channel))
                .willReturn(okJson("{\"ok\":false,\"error\":\"" + error + "\"}")));
    }

    /**
     * Makes the given methods answer 429 (Retry-After: 1) and 500 in turn until {@link #recover()}:
     * Slack having a bad minute.
     */
    public void beFlaky(String... methods) {
        for (String method : methods) {
            String scenario = "flaky-" + method;
            flaky.add(server.stubFor(post(urlEqualTo("/api/" + method)).atPriority(1).inScenario(scenario)
                    .whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
                    .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1").withBody("{\"ok\":false}"))
                    .willSetStateTo("500")));
            flaky.add(server.stubFor(post(urlEqualTo("/api/" + method)).atPriority(1).inScenario(scenario)
                    .whenScenarioStateIs("500")
                    .willReturn(aResponse().withStatus(500).withBody("oops"))
                    .willSetStateTo(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)));
        }
    }

    public void recover() {
        flaky.forEach(server::removeStub);
        flaky.clear();
    }

    /** How many answers were 429 or 500 so far. */
    public long failuresServed() {
        return server.getAllServeEvents().stream().filter(e -> e.getResponse().getStatus() == 429
                || e.getResponse().getStatus() == 500).count();
    }

    private final List<com.github.tomakehurst.wiremock.stubbing.StubMapping> flaky = new java.util.ArrayList<>();

    public void resetRequests() {
        server.resetRequests();
    }

    @Override
    /**
     * Stops the stand-in; a request it had no stub for fails the test here, since the bot then got
     * a 404 no real Slack would give and the test may have passed for the wrong reason.
     */
    public void close() {
        List<String> unmatched = server.findAllUnmatchedRequests().stream()
                .map(request -> request.getMethod() + " " + request.getUrl()).toList();
        server.stop();
        if (!unmatched.isEmpty()) {
            throw new AssertionError("the Slack stand-in got requests it has no stub for: " + unmatched);
        }
    }
}
