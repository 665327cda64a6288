package dev.rewind.adapter;

import dev.rewind.config.Target;
import dev.rewind.config.TargetSpecs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The one place adapters are looked up by {@code type}; loud about types it does not know. */
public final class AdapterRegistry {

    private final Map<String, RollbackAdapter> byType = new LinkedHashMap<>();

    public AdapterRegistry(List<RollbackAdapter> adapters) {
        for (RollbackAdapter adapter : adapters) {
            if (byType.putIfAbsent(adapter.type(), adapter) != null) {
                throw new IllegalArgumentException("two adapters claim type '" + adapter.type() + "'");
            }
        }
    }

    public RollbackAdapter forType(String type) {
        RollbackAdapter adapter = byType.get(type);
        if (adapter == null) {
            throw new Target.InvalidTargetException("unknown target type '" + type + "'; known types: "
                    + String.join(", ", byType.keySet()));
        }
        return adapter;
    }

    public RollbackAdapter forTarget(Target target) {
        return forType(target.type());
    }

    /** Checks a target block without I/O; the message names the adapter's complaint. */
    public void validate(Target target) {
        forTarget(target).validate(target);
    }

    /**
     * At start-up: binds the block into its adapter's {@link RollbackAdapter#specType() spec}, warning about
     * the keys it does not declare, then lets the adapter check it.
     *
     * @param place    where the block is in the file ({@code rewind.yml.services[0] (checkout).target})
     * @param warnings told about each key the adapter does not know, with its place
     * @throws dev.rewind.config.ConfigException for a value of the wrong kind, naming its place
     * @throws Target.InvalidTargetException     for an unknown type or the adapter's complaint
     */
    public void validate(Target target, String place, Consumer<String> warnings) {
        RollbackAdapter adapter = forTarget(target);
        adapter.specType().ifPresent(type -> TargetSpecs.bind(target, type, place, warnings));
        adapter.validate(target);
    }

    /** See {@link RollbackAdapter#destructive()}; an unknown type is not (the registry refuses it elsewhere). */
    public boolean destructive(String type) {
        RollbackAdapter adapter = byType.get(type);
        return adapter != null && adapter.destructive();
    }

    public List<String> types() {
        return List.copyOf(byType.keySet());
    }
}
