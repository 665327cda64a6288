package dev.rewind.assess;

import dev.rewind.adapter.Revision;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What rolling back from one revision to another would change, computed from the revisions' flat
 * attributes. Values that are only digests (env values) are reported as changed, never shown.
 */
public final class ChangePreview {

    private ChangePreview() {
    }

    /** One difference; {@code from}/{@code to} are empty when added or removed, or when hidden. */
    public record Change(Kind kind, String attribute, Optional<String> from, Optional<String> to) {

        public enum Kind { ADDED, REMOVED, CHANGED }

        /** "container app image: shop/checkout:1.4.2 → shop/checkout:1.4.1", "container app env DB_URL changed". */
        public String describe() {
            return switch (kind) {
                case ADDED -> attribute + " added" + to.map(v -> ": " + v).orElse("");
                case REMOVED -> attribute + " removed" + from.map(v -> " (was " + v + ")").orElse("");
                case CHANGED -> from.isPresent() && to.isPresent()
                        ? attribute + ": " + from.get() + " → " + to.get() : attribute + " changed";
            };
        }
    }

    /** The changes going from {@code current} to {@code target}, in the order the attributes are listed. */
    public static List<Change> between(Revision current, Revision target) {
        Set<String> keys = new LinkedHashSet<>(target.attributes().keySet());
        keys.addAll(current.attributes().keySet());
        List<Change> changes = new ArrayList<>();
        for (String key : keys) {
            String before = current.attributes().get(key);
            String after = target.attributes().get(key);
            if (before == null) {
                changes.add(new Change(Change.Kind.ADDED, key, Optional.empty(), visible(after)));
            } else if (after == null) {
                changes.add(new Change(Change.Kind.REMOVED, key, visible(before), Optional.empty()));
            } else if (!before.equals(after)) {
                boolean hidden = isHidden(before) || isHidden(after);
                changes.add(new Change(Change.Kind.CHANGED, key, hidden ? Optional.empty() : Optional.of(before),
                        hidden ? Optional.empty() : Optional.of(after)));
            }
        }
        return changes;
    }

    private static Optional<String> visible(String value) {
        return isHidden(value) ? Optional.empty() : Optional.of(value);
    }

    private static boolean isHidden(String value) {
        return value.startsWith("value sha256:") || value.startsWith("value hmac:");
    }
}
