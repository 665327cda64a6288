package dev.rewind.adapter.flags;

import dev.rewind.adapter.http.JsonApi;

/**
 * One feature-flag service (Unleash, LaunchDarkly) as the {@code feature-flag} adapter needs it:
 * read whether a flag is on in an environment, and turn it on or off. Adding a provider is one
 * class implementing this and one entry in {@link FeatureFlagAdapter#PROVIDERS}. Every call may
 * block on the network and fails with an {@link dev.rewind.adapter.AdapterException} whose message
 * says what the service answered.
 */
public interface FlagProvider {

    /** The {@code provider:} value of the target block ({@code unleash}). */
    String provider();

    /** The product's name for people ({@code Unleash}). */
    String product();

    /** The {@code Authorization} header value for a token; both providers here take the bare token. */
    default String authorization(String token) {
        return token;
    }

    /**
     * The flag's state in the environment.
     *
     * @throws dev.rewind.adapter.AdapterException containing "not found" when the flag or environment does not exist
     */
    FlagState read(JsonApi api, FlagKey flag);

    /** Turns the flag on or off in the environment; {@code note} says who asked, where the service keeps a comment. */
    void set(JsonApi api, FlagKey flag, boolean on, String note);
}
