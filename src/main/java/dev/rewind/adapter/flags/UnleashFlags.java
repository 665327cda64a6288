package dev.rewind.adapter.flags;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.http.JsonApi;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Unleash's admin API: {@code GET /api/admin/projects/{project}/features/{flag}} to read
 * ({@code environments[].enabled}), {@code POST …/environments/{env}/on|off} to change.
 */
final class UnleashFlags implements FlagProvider {

    @Override
    public String provider() {
        return "unleash";
    }

    @Override
    public String product() {
        return "Unleash";
    }

    @Override
    public FlagState read(JsonApi api, FlagKey key) {
        JsonNode feature = api.get(featurePath(key), "flag " + key.flag() + " in project " + key.project());
        List<String> names = new ArrayList<>();
        for (JsonNode environment : feature.path("environments")) {
            String name = environment.path("name").asString("");
            names.add(name);
            if (name.equals(key.environment())) {
                List<TargetState.Fact> facts = new ArrayList<>();
                facts.add(new TargetState.Fact("Flag type", feature.path("type").asString("unknown")));
                facts.add(new TargetState.Fact("Strategies in " + name,
                        String.valueOf(environment.path("strategies").size())));
                if (feature.path("stale").asBoolean(false)) {
                    facts.add(new TargetState.Fact("Stale", "yes"));
                }
                return new FlagState(environment.path("enabled").asBoolean(false), facts);
            }
        }
        throw new AdapterException("Unleash: environment " + key.environment() + " not found on flag " + key.flag()
                + " (its environments: " + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
    }

    @Override
    public void set(JsonApi api, FlagKey key, boolean on, String note) {
        String path = featurePath(key) + "/environments/" + JsonApi.segment(key.environment()) + "/" + FlagState.word(on);
        api.send("POST", path, null, null, "turning flag " + key.describe() + " " + FlagState.word(on));
    }

    private static String featurePath(FlagKey key) {
        return "/api/admin/projects/" + JsonApi.segment(key.project()) + "/features/" + JsonApi.segment(key.flag());
    }
}
