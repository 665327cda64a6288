package dev.rewind.adapter;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One version of a target that Rewind can show or roll back to.
 *
 * @param id          what the adapter takes back in {@code execute} (a Kubernetes revision number, a slot name…)
 * @param label       how people call it ({@code r41})
 * @param images      the artefacts that make it up, for the card ({@code shop/checkout:1.4.2})
 * @param createdAt   when it was made, if known
 * @param changeCause why it was made, if recorded ({@code kubernetes.io/change-cause})
 * @param attributes  a flat, ordered description ({@code container app image → …}) from which the change
 *                    between two revisions is computed; secret values never appear, only a digest
 */
public record Revision(
        String id,
        String label,
        List<String> images,
        Optional<Instant> createdAt,
        Optional<String> changeCause,
        Map<String, String> attributes) {

    public Revision {
        images = List.copyOf(images);
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    public String imagesText() {
        return images.isEmpty() ? "(no image)" : String.join(", ", images);
    }
}
