package dev.rewind.slack;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.auth.AuthTestResponse;
import dev.rewind.readiness.IncidentRoomCheck;
import dev.rewind.readiness.ReadinessCheck;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Whether Slack would let Rewind open an incident channel: the scopes Slack reports for the bot token
 * on {@code auth.test} (its {@code x-oauth-scopes} header) must include {@code channels:manage}.
 */
public final class SlackRoomCheck implements IncidentRoomCheck {

    static final String NAME = "Incident channel";
    private static final String SCOPE = "channels:manage";

    private final MethodsClient client;

    public SlackRoomCheck(MethodsClient client) {
        this.client = client;
    }

    @Override
    public ReadinessCheck check() {
        AuthTestResponse answer;
        try {
            answer = client.authTest(r -> r);
        } catch (Exception e) {
            return ReadinessCheck.failed(NAME, "Slack did not answer auth.test (" + e.getClass().getSimpleName() + ")",
                    "check that Slack is reachable from Rewind");
        }
        if (!answer.isOk()) {
            return ReadinessCheck.failed(NAME, "Slack refused auth.test: " + answer.getError(),
                    "check SLACK_BOT_TOKEN (reinstall the app if it was revoked)");
        }
        List<String> scopes = scopes(answer.getHttpResponseHeaders());
        if (scopes.isEmpty()) {
            return ReadinessCheck.unknown(NAME, "Slack did not say which scopes the bot token has");
        }
        if (!scopes.contains(SCOPE)) {
            return ReadinessCheck.failed(NAME, "the bot token lacks the " + SCOPE + " scope: Rewind cannot create the "
                    + "incident channel", "add " + SCOPE + " to the Slack app's bot scopes and reinstall it");
        }
        return ReadinessCheck.ok(NAME, "the bot may create channels (" + SCOPE + ")");
    }

    private static List<String> scopes(Map<String, List<String>> headers) {
        if (headers == null) {
            return List.of();
        }
        return headers.entrySet().stream().filter(h -> h.getKey() != null && h.getKey().equalsIgnoreCase("x-oauth-scopes"))
                .flatMap(h -> h.getValue().stream()).flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
