package dev.rewind.adapter.flags;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.config.Required;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.http.JsonApi;
import dev.rewind.adapter.http.RetryingHttp;
import dev.rewind.config.Secrets;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code feature-flag}: the kill switch. A flag's two states are its revisions: the live one, and the
 * opposite as the one candidate ({@code off} turns the flag off in the environment; {@code on}
 * restores it). The state before the change is recorded with the run so it can be restored.
 */
public final class FeatureFlagAdapter implements RollbackAdapter {

    public static final String TYPE = "feature-flag";
    /** Every flag service Rewind speaks to; adding one is one class and one entry here. */
    static final List<FlagProvider> PROVIDERS = List.of(new UnleashFlags(), new LaunchDarklyFlags());

    private final Secrets secrets;
    private final RetryingHttp http;
    private final Map<String, FlagProvider> providers = new LinkedHashMap<>();
    /** The state this process last set per target, so verify can tell when someone flipped it back. */
    private final Map<String, Boolean> lastSet = new ConcurrentHashMap<>();

    public FeatureFlagAdapter(Secrets secrets, RetryingHttp http) {
        this.secrets = secrets;
        this.http = http;
        PROVIDERS.forEach(p -> providers.put(p.provider(), p));
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * The {@code target:} block: {@code {type: feature-flag, provider: unleash, url: URL, project: default,
     * flag: new-checkout, environment: production, tokenEnv: UNLEASH_TOKEN}} ({@code provider: launchdarkly}
     * for LaunchDarkly).
     */
    public record Spec(@Required String provider, @Required String url, @Required String project, @Required String flag,
                       @Required String environment, @Required String tokenEnv) {
    }

    @Override
    public Optional<Class<? extends Record>> specType() {
        return Optional.of(Spec.class);
    }

    @Override
    public void validate(Target target) {
        provider(target);
        JsonApi.httpUrl(TYPE, "url", target.as(Spec.class).url());
    }

    @Override
    public TargetState describe(Target target) {
        FlagProvider provider = provider(target);
        FlagKey key = FlagKey.of(target);
        FlagState state = provider.read(api(target, provider), key);
        List<TargetState.Fact> facts = new ArrayList<>();
        facts.add(new TargetState.Fact("Flag", key.describe() + " (" + provider.product() + ")"));
        facts.add(new TargetState.Fact("State", FlagState.word(state.on())));
        facts.addAll(state.facts());
        List<String> warnings = state.on() ? List.of()
                : List.of("Flag " + key.flag() + " is already off in " + key.environment()
                + ": rolling back would turn it ON");
        return new TargetState(name(target), revision(key, state.on()), List.of(revision(key, !state.on())), facts, warnings);
    }

    @Override
    public Outcome execute(Target target, Change change, Progress progress, Duration timeout) {
        boolean wanted = wantedState(change.revisionId(), target);
        FlagProvider provider = provider(target);
        FlagKey key = FlagKey.of(target);
        JsonApi api = api(target, provider);
        boolean before = provider.read(api, key).on();
        Map<String, String> recorded = Map.of("flag", key.describe(), "provider", provider.provider(),
                "previousState", FlagState.word(before), "newState", FlagState.word(wanted));
        if (before == wanted) {
            progress.step(provider.product() + ": flag " + key.describe() + " is already " + FlagState.word(wanted));
            lastSet.put(target.key(), wanted);
            return new Outcome("Flag " + key.describe() + " was already " + FlagState.word(wanted) + " in "
                    + provider.product() + "; nothing changed", recorded);
        }
        provider.set(api, key, wanted, "Rewind run " + change.runId()
                + (change.reason().isBlank() ? "" : ": " + change.reason()));
        progress.step(provider.product() + ": flag " + key.describe() + " turned " + FlagState.word(wanted));
        boolean after = provider.read(api, key).on();
        if (after != wanted) {
            throw new AdapterException(provider.product() + " accepted turning flag " + key.describe() + " "
                    + FlagState.word(wanted) + " but it still reads " + FlagState.word(after));
        }
        lastSet.put(target.key(), wanted);
        progress.step(provider.product() + ": read back, flag " + key.describe() + " is " + FlagState.word(after));
        return new Outcome("Flag " + key.describe() + " turned " + FlagState.word(wanted) + " in " + provider.product()
                + " (was " + FlagState.word(before) + "; restore with revision '" + FlagState.word(before) + "')", recorded);
    }

    @Override
    public Health verify(Target target) {
        FlagProvider provider = provider(target);
        FlagKey key = FlagKey.of(target);
        boolean on = provider.read(api(target, provider), key).on();
        Boolean set = lastSet.get(target.key());
        if (set != null && set != on) {
            return Health.unhealthy("flag " + key.describe() + " is " + FlagState.word(on) + " again although Rewind turned it "
                    + FlagState.word(set) + ": someone or something changed it in " + provider.product());
        }
        return Health.healthy("flag " + key.describe() + " is " + FlagState.word(on) + " (" + provider.product() + ")");
    }

    private boolean wantedState(String revisionId, Target target) {
        if (revisionId.equals("on") || revisionId.equals("off")) {
            return revisionId.equals("on");
        }
        throw new AdapterException("revision " + revisionId + " is not a state of flag " + name(target)
                + ": choose 'off' (the kill switch) or 'on'");
    }

    private static Revision revision(FlagKey key, boolean on) {
        String word = FlagState.word(on);
        return new Revision(word, word, List.of(), Optional.empty(),
                Optional.of(on ? "flag " + key.flag() + " on" : "kill switch: flag " + key.flag() + " off"),
                Map.of("flag " + key.flag() + " in " + key.environment(), word));
    }

    private FlagProvider provider(Target target) {
        String name = target.as(Spec.class).provider();
        FlagProvider provider = providers.get(name);
        if (provider == null) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": unknown provider '" + name
                    + "'; known providers: " + String.join(", ", providers.keySet()));
        }
        return provider;
    }

    private JsonApi api(Target target, FlagProvider provider) {
        Spec spec = target.as(Spec.class);
        String token = JsonApi.secret(secrets, TYPE, "tokenEnv", spec.tokenEnv());
        return new JsonApi(http, provider.product(), JsonApi.httpUrl(TYPE, "url", spec.url()),
                "the token in " + spec.tokenEnv(), Map.of("Authorization", provider.authorization(token)));
    }

    private static String name(Target target) {
        Spec spec = target.as(Spec.class);
        return spec.flag() + " in " + spec.environment();
    }
}
