package dev.rewind.adapter.flags;

import dev.rewind.config.Target;

/** Which flag in which environment: the {@code project}, {@code flag} and {@code environment} of the target block. */
public record FlagKey(String project, String flag, String environment) {

    static FlagKey of(Target target) {
        FeatureFlagAdapter.Spec spec = target.as(FeatureFlagAdapter.Spec.class);
        return new FlagKey(spec.project(), spec.flag(), spec.environment());
    }

    /** {@code default/new-checkout in production}. */
    public String describe() {
        return project + "/" + flag + " in " + environment;
    }
}
