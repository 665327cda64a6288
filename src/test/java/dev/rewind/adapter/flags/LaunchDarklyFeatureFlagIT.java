package dev.rewind.adapter.flags;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.adapter.RollbackAdapterContract;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.http.RetryingHttp;
import dev.rewind.config.Secrets;
import dev.rewind.testing.FakeHttpService;
import dev.rewind.testing.FakeHttpService.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LaunchDarklyFeatureFlagIT extends RollbackAdapterContract {

    private FlagWorld world;
    private FeatureFlagAdapter adapter;

    @BeforeEach
    void world() {
        world = new FlagWorld();
        world.flag("shop", "new-checkout", Map.of("production", true, "staging", false));
        adapter = new FeatureFlagAdapter(Secrets.of(Map.of("LD_TOKEN", FlagWorld.TOKEN)),
                new RetryingHttp(HttpClient.newHttpClient(), UnleashFeatureFlagIT.FAST));
    }

    @AfterEach
    void close() {
        world.close();
    }

    @Override
    protected RollbackAdapter adapter() {
        return adapter;
    }

    @Override
    protected Target target() {
        return target("new-checkout");
    }

    @Override
    protected Target missingTarget() {
        return target("no-such-flag");
    }

    private Target target(String flag) {
        return new Target(FeatureFlagAdapter.TYPE, Map.of("provider", "launchdarkly", "url", world.url(),
                "project", "shop", "flag", flag, "environment", "production", "tokenEnv", "LD_TOKEN"));
    }

    @Override
    protected void assertLiveIs(Revision chosen) {
        assertThat(world.isOn("shop", "new-checkout", "production") ? "on" : "off").isEqualTo(chosen.id());
    }

    @Override
    protected long changesSeen() {
        return world.server().changes();
    }

    @Test
    void turnsTheFlagOffWithASemanticPatchForTheEnvironment() {
        adapter.execute(target(), new Change("rb-ld00000001", "checkout", "production", "off",
                java.util.Optional.empty(), java.util.Optional.empty(), "errors spiking", "U0ALICE"),
                Progress.NONE, Duration.ofSeconds(5));

        LoggedRequest patch = world.server().requests("PATCH", "/api/v2/flags/shop/new-checkout").get(0);
        assertThat(patch.getHeader("Content-Type"))
                .isEqualTo("application/json; domain-model=launchdarkly.semanticpatch");
        var body = FakeHttpService.JSON.readTree(patch.getBodyAsString());
        assertThat(body.path("environmentKey").asString()).isEqualTo("production");
        assertThat(body.path("instructions").path(0).path("kind").asString()).isEqualTo("turnFlagOff");
        assertThat(body.path("comment").asString()).contains("rb-ld00000001").contains("errors spiking");
        assertThat(patch.getHeader("Authorization")).isEqualTo(FlagWorld.TOKEN);
        assertThat(world.isOn("shop", "new-checkout", "staging")).isFalse();
        assertThat(world.isOn("shop", "new-checkout", "production")).isFalse();
    }

    @Test
    void describeShowsTheFlagsFacts() {
        TargetState state = adapter.describe(target());
        assertThat(state.facts()).anyMatch(f -> f.name().equals("Flag name") && f.value().equals("New checkout"));
        assertThat(state.facts()).anyMatch(f -> f.value().equals(Instant.ofEpochMilli(1700000000000L).toString()));
    }

    @Test
    void rateLimitsAreWaitedOut() {
        world.server().failNext(1, Reply.error(429, "slow down").withHeader("Retry-After", "0"));
        assertThat(adapter.describe(target()).current().id()).isEqualTo("on");
        assertThat(world.server().requests()).hasSize(2);
    }
}
