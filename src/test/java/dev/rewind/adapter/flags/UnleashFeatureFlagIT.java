package dev.rewind.adapter.flags;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.adapter.RollbackAdapterContract;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.http.RetryingHttp;
import dev.rewind.config.Secrets;
import dev.rewind.testing.FakeHttpService.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnleashFeatureFlagIT extends RollbackAdapterContract {

    static final RetryingHttp.Backoff FAST = new RetryingHttp.Backoff(3, Duration.ofMillis(10), Duration.ofMillis(50));

    private FlagWorld world;
    private FeatureFlagAdapter adapter;

    @BeforeEach
    void world() {
        world = new FlagWorld();
        world.flag("default", "new-checkout", Map.of("production", true, "development", true));
        adapter = new FeatureFlagAdapter(Secrets.of(Map.of("UNLEASH_TOKEN", FlagWorld.TOKEN)),
                new RetryingHttp(HttpClient.newHttpClient(), FAST));
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
        return target("new-checkout", "UNLEASH_TOKEN");
    }

    @Override
    protected Target missingTarget() {
        return target("no-such-flag", "UNLEASH_TOKEN");
    }

    private Target target(String flag, String tokenEnv) {
        Map<String, Object> spec = new HashMap<>(Map.of("provider", "unleash", "url", world.url(), "project", "default",
                "flag", flag, "environment", "production", "tokenEnv", tokenEnv));
        return new Target(FeatureFlagAdapter.TYPE, spec);
    }

    @Override
    protected void assertLiveIs(Revision chosen) {
        assertThat(world.isOn("default", "new-checkout", "production") ? "on" : "off").isEqualTo(chosen.id());
    }

    @Override
    protected long changesSeen() {
        return world.server().changes();
    }

    @Test
    void theKillSwitchIsTheDefaultCandidate() {
        TargetState state = adapter.describe(target());
        assertThat(state.current().id()).isEqualTo("on");
        assertThat(state.previous().orElseThrow().id()).isEqualTo("off");
        assertThat(state.previous().orElseThrow().attributes()).containsEntry("flag new-checkout in production", "off");
        assertThat(state.facts()).anyMatch(f -> f.name().equals("State") && f.value().equals("on"));
        assertThat(state.warnings()).isEmpty();
    }

    @Test
    void turningOffCallsTheOffEndpointOfTheEnvironmentOnlyAndRecordsThePreviousState() {
        Outcome outcome = adapter.execute(target(), Change.to("rb-flag000001", "off"), Progress.NONE, Duration.ofSeconds(5));

        assertThat(world.server().requests("POST", "/")).singleElement().satisfies(r ->
                assertThat(r.getUrl()).isEqualTo("/api/admin/projects/default/features/new-checkout/environments/production/off"));
        assertThat(world.isOn("default", "new-checkout", "development")).isTrue();
        assertThat(outcome.recorded()).containsEntry("previousState", "on").containsEntry("newState", "off");
        assertThat(outcome.summary()).contains("turned off").contains("was on");
    }

    @Test
    void thePreviousStateCanBeRestored() {
        adapter.execute(target(), Change.to("rb-flag000002", "off"), Progress.NONE, Duration.ofSeconds(5));
        TargetState state = adapter.describe(target());
        assertThat(state.previous().orElseThrow().id()).isEqualTo("on");
        assertThat(state.warnings()).anyMatch(w -> w.contains("already off"));

        adapter.execute(target(), Change.to("rb-flag000003", "on"), Progress.NONE, Duration.ofSeconds(5));
        assertThat(world.isOn("default", "new-checkout", "production")).isTrue();
    }

    @Test
    void aChangeThatDoesNotStickFails() {
        world.ignoreChanges();
        assertThatThrownBy(() -> adapter.execute(target(), Change.to("rb-flag000004", "off"), Progress.NONE,
                Duration.ofSeconds(5)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("still reads on");
    }

    @Test
    void verifyNoticesWhenTheFlagIsTurnedBackOn() {
        adapter.execute(target(), Change.to("rb-flag000005", "off"), Progress.NONE, Duration.ofSeconds(5));
        world.flag("default", "new-checkout", Map.of("production", true));
        Health health = adapter.verify(target());
        assertThat(health.status()).isEqualTo(Health.Status.UNHEALTHY);
        assertThat(health.detail()).contains("is on again");
    }

    @Test
    void serverErrorsAreRetried() {
        world.server().failNext(2, Reply.error(503, "maintenance"));
        adapter.execute(target(), Change.to("rb-flag000006", "off"), Progress.NONE, Duration.ofSeconds(5));
        assertThat(world.isOn("default", "new-checkout", "production")).isFalse();
    }

    @Test
    void persistentServerErrorsFailWithTheServicesWords() {
        world.server().failNext(3, Reply.error(503, "database is down"));
        assertThatThrownBy(() -> adapter.describe(target()))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("Unleash")
                .hasMessageContaining("database is down")
                .hasMessageContaining("HTTP 503");
    }

    @Test
    void aRejectedTokenIsNamedByItsVariableNeverShown() {
        Map<String, Object> spec = new HashMap<>(target().spec());
        Target wrong = new Target(FeatureFlagAdapter.TYPE, spec);
        FeatureFlagAdapter withWrongToken = new FeatureFlagAdapter(Secrets.of(Map.of("UNLEASH_TOKEN", "not-the-token")),
                new RetryingHttp(HttpClient.newHttpClient(), FAST));
        assertThatThrownBy(() -> withWrongToken.describe(wrong))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("UNLEASH_TOKEN")
                .hasMessageContaining("HTTP 401")
                .hasMessageNotContaining("not-the-token");
    }

    @Test
    void aMissingTokenVariableIsNamed() {
        assertThatThrownBy(() -> adapter.describe(target("new-checkout", "NO_SUCH_TOKEN")))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("NO_SUCH_TOKEN")
                .hasMessageContaining("not set");
        assertThat(world.server().requests()).isEmpty();
    }

    @Test
    void anUnknownEnvironmentListsTheFlagsEnvironments() {
        Map<String, Object> spec = new HashMap<>(target().spec());
        spec.put("environment", "prod");
        assertThatThrownBy(() -> adapter.describe(new Target(FeatureFlagAdapter.TYPE, spec)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("environment prod not found")
                .hasMessageContaining("production");
    }

    @Test
    void validateNamesTheMissingFieldAndTheKnownProviders() {
        Map<String, Object> spec = new HashMap<>(target().spec());
        spec.remove("flag");
        assertThatThrownBy(() -> adapter.validate(new Target(FeatureFlagAdapter.TYPE, spec)))
                .isInstanceOf(Target.InvalidTargetException.class).hasMessageContaining("'flag'");
        spec.put("flag", "x");
        spec.put("provider", "flagsmith");
        assertThatThrownBy(() -> adapter.validate(new Target(FeatureFlagAdapter.TYPE, spec)))
                .isInstanceOf(Target.InvalidTargetException.class)
                .hasMessageContaining("flagsmith").hasMessageContaining("unleash, launchdarkly");
        spec.put("provider", "unleash");
        spec.put("url", "unleash.internal");
        assertThatThrownBy(() -> adapter.validate(new Target(FeatureFlagAdapter.TYPE, spec)))
                .isInstanceOf(Target.InvalidTargetException.class).hasMessageContaining("'url'");
    }
}
