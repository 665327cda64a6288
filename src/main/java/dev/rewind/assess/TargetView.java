package dev.rewind.assess;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;

import java.util.Optional;

/**
 * One target of a service as assessed: its state, or why it could not be read.
 *
 * @param description e.g. {@code kubernetes-deployment shop/checkout}
 * @param type        the adapter type
 */
public record TargetView(String description, String type, Optional<TargetState> state, Optional<String> error) {

    /** Asks the target's adapter; any failure becomes the view's error, in words. */
    public static TargetView describe(AdapterRegistry adapters, Target target) {
        try {
            return read(target.describe(), target.type(), adapters.forTarget(target).describe(target));
        } catch (AdapterException | Target.InvalidTargetException e) {
            return failed(target.describe(), target.type(), e.getMessage());
        } catch (RuntimeException e) {
            return failed(target.describe(), target.type(), "cannot read it: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    public static TargetView read(String description, String type, TargetState state) {
        return new TargetView(description, type, Optional.of(state), Optional.empty());
    }

    public static TargetView failed(String description, String type, String error) {
        return new TargetView(description, type, Optional.empty(), Optional.of(error));
    }
}
