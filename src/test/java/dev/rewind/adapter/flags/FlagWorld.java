package dev.rewind.adapter.flags;

import dev.rewind.testing.FakeHttpService;
import dev.rewind.testing.FakeHttpService.Call;
import dev.rewind.testing.FakeHttpService.Reply;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Unleash's admin API and LaunchDarkly's flag API, as far as the feature-flag adapter uses them,
 * over one flag store: {@code project/flag → environment → on}. Both answer 401 to a wrong token.
 */
final class FlagWorld implements AutoCloseable {

    static final String TOKEN = "unleash-or-ld-secret-token";

    private static final Pattern UNLEASH_FEATURE = Pattern.compile("/api/admin/projects/([^/]+)/features/([^/]+)");
    private static final Pattern UNLEASH_SWITCH =
            Pattern.compile("/api/admin/projects/([^/]+)/features/([^/]+)/environments/([^/]+)/(on|off)");
    private static final Pattern LD_FLAG = Pattern.compile("/api/v2/flags/([^/]+)/([^/]+)");

    private final Map<String, Map<String, Boolean>> flags = new ConcurrentHashMap<>();
    private final FakeHttpService server = new FakeHttpService(this::handle);
    private volatile boolean ignoreChanges;

    void flag(String project, String flag, Map<String, Boolean> environments) {
        flags.put(project + "/" + flag, new ConcurrentHashMap<>(environments));
    }

    boolean isOn(String project, String flag, String environment) {
        return flags.get(project + "/" + flag).get(environment);
    }

    /** The service accepts changes but keeps the old state (a change request workflow, a bug). */
    void ignoreChanges() {
        ignoreChanges = true;
    }

    FakeHttpService server() {
        return server;
    }

    String url() {
        return server.url();
    }

    @Override
    public void close() {
        server.close();
    }

    private Reply handle(Call call) {
        if (!TOKEN.equals(call.header("Authorization"))) {
            return Reply.error(401, "Invalid token");
        }
        Matcher matcher;
        if (call.method().equals("POST") && (matcher = UNLEASH_SWITCH.matcher(call.path())).matches()) {
            Map<String, Boolean> environments = flags.get(matcher.group(1) + "/" + matcher.group(2));
            if (environments == null || !environments.containsKey(matcher.group(3))) {
                return Reply.error(404, "Could not find feature flag or environment");
            }
            if (!ignoreChanges) {
                environments.put(matcher.group(3), matcher.group(4).equals("on"));
            }
            return new Reply(200, "", Map.of());
        }
        if (call.method().equals("GET") && (matcher = UNLEASH_FEATURE.matcher(call.path())).matches()) {
            Map<String, Boolean> environments = flags.get(matcher.group(1) + "/" + matcher.group(2));
            if (environments == null) {
                return Reply.json(404, Map.of("name", "NotFoundError", "message",
                        "Could not find feature flag with name " + matcher.group(2)));
            }
            List<Map<String, Object>> list = new ArrayList<>();
            environments.forEach((name, on) -> list.add(Map.of("name", name, "enabled", on, "type", name,
                    "strategies", List.of(Map.of("name", "flexibleRollout")))));
            return Reply.ok(Map.of("name", matcher.group(2), "project", matcher.group(1), "type", "release",
                    "stale", false, "environments", list));
        }
        if ((matcher = LD_FLAG.matcher(call.path())).matches()) {
            Map<String, Boolean> environments = flags.get(matcher.group(1) + "/" + matcher.group(2));
            if (environments == null) {
                return Reply.json(404, Map.of("code", "not_found", "message", "Unknown resource"));
            }
            if (call.method().equals("PATCH")) {
                if (!String.valueOf(call.header("Content-Type")).contains("domain-model=launchdarkly.semanticpatch")) {
                    return Reply.json(400, Map.of("code", "invalid_request", "message", "not a semantic patch"));
                }
                var patch = call.json();
                String environment = patch.path("environmentKey").asString();
                String kind = patch.path("instructions").path(0).path("kind").asString();
                if (!environments.containsKey(environment) || !(kind.equals("turnFlagOn") || kind.equals("turnFlagOff"))) {
                    return Reply.json(400, Map.of("code", "invalid_request", "message", "bad instruction"));
                }
                if (!ignoreChanges) {
                    environments.put(environment, kind.equals("turnFlagOn"));
                }
            }
            Map<String, Object> envs = new LinkedHashMap<>();
            environments.forEach((name, on) -> envs.put(name, Map.of("on", on, "lastModified", 1700000000000L)));
            return Reply.ok(Map.of("key", matcher.group(2), "name", "New checkout", "archived", false,
                    "environments", envs));
        }
        return null;
    }
}
