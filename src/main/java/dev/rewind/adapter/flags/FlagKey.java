package dev.rewind.adapter.flags;

import dev.rewind.config.Target;

/** Which flag in which environment: the {@code project}, {@code flag} and {@code environment} of the target block. */
public record FlagKey(String project, String flag, String environment) {

    static FlagKey of(Target target) {
        return new FlagKey(target.string("project"), target.string("flag"), target.string("environment"));
    }

    /** {@code default/new-checkout in production}. */
    public String describe() {
        return project + "/" + flag + " in " + environment;
    }
}
