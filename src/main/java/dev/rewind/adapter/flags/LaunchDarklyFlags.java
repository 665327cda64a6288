package dev.rewind.adapter.flags;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.http.JsonApi;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * LaunchDarkly's REST API: {@code GET /api/v2/flags/{projectKey}/{flag}} to read
 * ({@code environments.{env}.on}), a semantic patch ({@code turnFlagOff} / {@code turnFlagOn}) to change.
 */
final class LaunchDarklyFlags implements FlagProvider {

    static final String SEMANTIC_PATCH = "application/json; domain-model=launchdarkly.semanticpatch";

    @Override
    public String provider() {
        return "launchdarkly";
    }

    @Override
    public String product() {
        return "LaunchDarkly";
    }

    @Override
    public FlagState read(JsonApi api, FlagKey key) {
        JsonNode flag = api.get(flagPath(key), "flag " + key.flag() + " in project " + key.project());
        JsonNode environments = flag.path("environments");
        JsonNode environment = environments.path(key.environment());
        if (!environment.isObject()) {
            List<String> names = new ArrayList<>(environments.propertyNames());
            throw new AdapterException("LaunchDarkly: environment " + key.environment() + " not found on flag "
                    + key.flag() + " (its environments: " + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
        }
        List<TargetState.Fact> facts = new ArrayList<>();
        if (flag.path("name").isString()) {
            facts.add(new TargetState.Fact("Flag name", flag.path("name").asString()));
        }
        if (environment.path("lastModified").isNumber()) {
            facts.add(new TargetState.Fact("Last changed in " + key.environment(),
                    Instant.ofEpochMilli(environment.path("lastModified").asLong()).toString()));
        }
        if (flag.path("archived").asBoolean(false)) {
            facts.add(new TargetState.Fact("Archived", "yes"));
        }
        return new FlagState(environment.path("on").asBoolean(false), facts);
    }

    @Override
    public void set(JsonApi api, FlagKey key, boolean on, String note) {
        Map<String, Object> patch = Map.of(
                "environmentKey", key.environment(),
                "comment", note,
                "instructions", List.of(Map.of("kind", on ? "turnFlagOn" : "turnFlagOff")));
        api.send("PATCH", flagPath(key), patch, SEMANTIC_PATCH, "turning flag " + key.describe() + " " + FlagState.word(on));
    }

    private static String flagPath(FlagKey key) {
        return "/api/v2/flags/" + JsonApi.segment(key.project()) + "/" + JsonApi.segment(key.flag());
    }
}
