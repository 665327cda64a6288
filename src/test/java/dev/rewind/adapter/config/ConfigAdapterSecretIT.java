package dev.rewind.adapter.config;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.adapter.RollbackAdapterContract;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.assess.ChangePreview;
import dev.rewind.config.Secrets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The config adapter on a Secret: the contract with an encryption key configured, and that no value
 * ever shows, in a revision, a message or the database; without a key it says it cannot roll back.
 */
class ConfigAdapterSecretIT extends RollbackAdapterContract {

    private static final ConfigRef REF = new ConfigRef(ConfigRef.Kind.SECRET, "shop", "payments-keys");
    private static final List<Map<String, String>> VERSIONS = List.of(
            Map.of("API_KEY", "sk-first-0001", "WEBHOOK_SECRET", "whsec-aaaa"),
            Map.of("API_KEY", "sk-second-0002", "WEBHOOK_SECRET", "whsec-aaaa"),
            Map.of("API_KEY", "sk-third-0003", "WEBHOOK_SECRET", "whsec-bbbb"));

    private ConfigWorld world;

    @BeforeEach
    void world() {
        world = ConfigWorld.withKey();
        recordVersions(world, target());
    }

    @AfterEach
    void close() {
        world.close();
    }

    private static void recordVersions(ConfigWorld world, Target target) {
        world.kubernetes.secret("shop", "payments-keys", VERSIONS.get(0));
        world.record(target);
        world.awaitVersions(REF, 1);
        for (int i = 1; i < VERSIONS.size(); i++) {
            world.kubernetes.secret("shop", "payments-keys", VERSIONS.get(i));
            world.awaitVersions(REF, i + 1);
        }
    }

    @Override
    protected RollbackAdapter adapter() {
        return world.adapter;
    }

    @Override
    protected Target target() {
        return secretTarget(Map.of("keyEnv", ConfigWorld.KEY_ENV));
    }

    private static Target secretTarget(Map<String, Object> extra) {
        Map<String, Object> spec = new LinkedHashMap<>(Map.of("namespace", "shop", "secret", "payments-keys",
                "restart", List.of("payments")));
        spec.putAll(extra);
        return new Target(ConfigAdapter.TYPE, spec);
    }

    @Override
    protected Target missingTarget() {
        return new Target(ConfigAdapter.TYPE, Map.of("namespace", "shop", "secret", "nosuch"));
    }

    @Override
    protected void assertLiveIs(Revision chosen) {
        int number = Integer.parseInt(chosen.label().substring(1, chosen.label().indexOf(' ')));
        assertThat(world.kubernetes.secretValues("shop", "payments-keys")).isEqualTo(VERSIONS.get(number - 1));
    }

    @Override
    protected long changesSeen() {
        String resourceVersion = world.kubernetes.client().secrets().inNamespace("shop").withName("payments-keys")
                .get().getMetadata().getResourceVersion();
        return Objects.hash(resourceVersion, world.paymentsTemplateAnnotations().get(WorkloadRestarts.RESTARTED_AT));
    }

    @Test
    void revisionsShowWhichKeysChangedButNeverAValue() {
        TargetState state = world.adapter.describe(target());

        assertThat(state.current().attributes().get("key API_KEY")).startsWith("value hmac:");
        assertThat(ChangePreview.between(state.current(), state.previous().orElseThrow()))
                .extracting(ChangePreview.Change::describe)
                .containsExactly("key API_KEY changed", "key WEBHOOK_SECRET changed");
        assertThat(state.current().images()).containsExactly("secret/payments-keys@" + state.current().id());
        assertThat(state.warnings()).isEmpty();
        assertNoValueIn(state.toString());
    }

    @Test
    void theDatabaseHoldsDigestsAndAnEncryptedCopyOnly() {
        List<String> rows = world.database.jdbi().withHandle(handle -> handle.createQuery(
                "SELECT data || ' ' || key_hashes || ' ' || sealed FROM config_versions").mapTo(String.class).list());
        assertThat(rows).hasSize(3);
        rows.forEach(ConfigAdapterSecretIT::assertNoValueIn);
    }

    @Test
    void rollingBackDecryptsTheStoredCopyWithoutShowingIt() {
        Revision v1 = world.adapter.describe(target()).candidates().get(1);
        List<String> steps = new java.util.concurrent.CopyOnWriteArrayList<>();

        var outcome = world.adapter.execute(target(), Change.to("rb-secret00001", v1.id()), steps::add, Duration.ofSeconds(10));

        assertThat(world.kubernetes.secretValues("shop", "payments-keys")).isEqualTo(VERSIONS.get(0));
        assertThat(outcome.summary()).contains("keys changed: API_KEY, WEBHOOK_SECRET");
        assertNoValueIn(outcome.toString());
        steps.forEach(ConfigAdapterSecretIT::assertNoValueIn);
    }

    @Test
    void withoutStoredValuesTheCardWarnsAndExecuteRefuses() {
        world.close();
        world = new ConfigWorld(Secrets.of(Map.of()));
        Target target = secretTarget(Map.of("storeSecretValues", "false"));
        recordVersions(world, target);

        TargetState state = world.adapter.describe(target);
        assertThat(state.warnings()).anyMatch(w -> w.contains("Rewind cannot roll back Secret shop/payments-keys")
                && w.contains("storeSecretValues: false"));
        assertThat(state.candidates()).hasSize(2);

        Revision v2 = state.previous().orElseThrow();
        assertThatThrownBy(() -> world.adapter.execute(target, Change.to("rb-nokey000001", v2.id()), Progress.NONE,
                Duration.ofSeconds(5)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("Secret shop/payments-keys cannot be rolled back by Rewind")
                .hasMessageContaining("only digests of its values are recorded");
        assertThat(world.kubernetes.secretValues("shop", "payments-keys")).isEqualTo(VERSIONS.get(2));
        assertThat(world.paymentsTemplateAnnotations()).doesNotContainKey(WorkloadRestarts.RESTARTED_AT);
    }

    @Test
    void aKeyEnvThatIsNotSetIsNamedInTheWarning() {
        world.close();
        world = new ConfigWorld(Secrets.of(Map.of()));
        recordVersions(world, target());

        assertThat(world.adapter.describe(target()).warnings())
                .anyMatch(w -> w.contains("environment variable " + ConfigWorld.KEY_ENV + " (keyEnv) is not set"));
    }

    @Test
    void aChangedKeyCannotOpenTheStoredCopy() {
        ConfigAdapter otherKey = new ConfigAdapter(world.kubernetes.newClient(), world.history,
                Secrets.of(Map.of(ConfigWorld.KEY_ENV, "another-key")), java.time.Clock.systemUTC());
        Revision v2 = otherKey.describe(target()).previous().orElseThrow();

        assertThatThrownBy(() -> otherKey.execute(target(), Change.to("rb-wrongkey001", v2.id()), Progress.NONE,
                Duration.ofSeconds(5)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("cannot be decrypted with the key in " + ConfigWorld.KEY_ENV);
        assertThat(world.kubernetes.secretValues("shop", "payments-keys")).isEqualTo(VERSIONS.get(2));
    }

    @Test
    void theDigestOnTheCardIsKeyedSoAGuessedValueCannotBeCheckedAgainstIt() throws Exception {
        // What a channel member could compute from a guess with an unkeyed digest: SHA-256 of name, key and value.
        String guessed = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(("shop/payments-keys/API_KEY\0sk-third-0003").getBytes(java.nio.charset.StandardCharsets.UTF_8)));

        String shown = world.adapter.describe(target()).current().attributes().get("key API_KEY");

        assertThat(shown).startsWith("value hmac:").doesNotContain(guessed.substring(0, ConfigContent.ID_LENGTH));
        List<String> stored = world.database.jdbi().withHandle(handle -> handle.createQuery(
                "SELECT key_hashes FROM config_versions").mapTo(String.class).list());
        assertThat(String.join(" ", stored)).doesNotContain(guessed).contains(SecretDigests.PREFIX);
    }

    @Test
    void aVersionRecordedWithUnkeyedDigestsBeforeIsStillRecognisedAsTheLiveContent() {
        world.close();
        world = ConfigWorld.withKey();
        ConfigRef ref = new ConfigRef(ConfigRef.Kind.SECRET, "shop", "legacy-keys");
        Target target = new Target(ConfigAdapter.TYPE, Map.of("namespace", "shop", "secret", "legacy-keys",
                "restart", List.of("payments"), "keyEnv", ConfigWorld.KEY_ENV));
        world.kubernetes.secret("shop", "legacy-keys", VERSIONS.get(0));
        // As the release before keyed digests recorded it.
        world.history.record(ConfigContent.observeUnkeyed(ref, world.kubernetes.client().secrets().inNamespace("shop")
                .withName("legacy-keys").get(), java.time.Instant.now()));

        world.record(target);
        world.kubernetes.secret("shop", "legacy-keys", VERSIONS.get(1));
        world.awaitVersions(ref, 2);
        world.kubernetes.secret("shop", "legacy-keys", VERSIONS.get(0));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(world.adapter.describe(target).current().label()).as("the current revision").startsWith("v1 "));

        assertThat(world.history.versions(ref)).hasSize(2);
        assertThat(world.adapter.describe(target).warnings()).noneMatch(w -> w.contains("has not been recorded yet"));
        assertThat(world.adapter.verify(target).detail()).contains("is at v1 ");
    }

    private static void assertNoValueIn(String text) {
        for (Map<String, String> version : VERSIONS) {
            for (String value : version.values()) {
                assertThat(text).doesNotContain(value)
                        .doesNotContain(java.util.Base64.getEncoder().encodeToString(value.getBytes()));
            }
        }
    }
}
