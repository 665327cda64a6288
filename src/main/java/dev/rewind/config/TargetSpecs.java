package dev.rewind.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Binds a {@code target:} block into its adapter's spec record (see {@code RollbackAdapter.specType()}).
 * As {@link Target}'s getters always did, text is trimmed and a blank field counts as absent; a
 * component marked {@link Required} must be given. Everything else follows {@link ConfigBinder}:
 * durations, fractions, {@link OneOrMore} lists, a message naming the field for a value of the wrong kind.
 */
public final class TargetSpecs {

    private TargetSpecs() {
    }

    /**
     * At start-up: {@code target} bound into {@code specType}, with every key the record does not declare
     * warned about at its place ({@code rewind.yml.services[0] (checkout).target.namspace}).
     *
     * @throws ConfigException               for a value of the wrong kind, naming its place
     * @throws Target.InvalidTargetException for a required field left out
     */
    public static <T extends Record> T bind(Target target, Class<T> specType, String place, Consumer<String> warnings) {
        return bind(target, specType, steps -> place + ConfigBinder.render(steps), warnings);
    }

    /** While running ({@link Target#as}): no warnings, and every problem an {@link Target.InvalidTargetException}. */
    static <T extends Record> T bind(Target target, Class<T> specType) {
        try {
            return bind(target, specType, steps -> "target of type " + target.type()
                    + (steps.isEmpty() ? "" : ": '" + ConfigBinder.render(steps).substring(1) + "'"), warning -> { });
        } catch (ConfigException e) {
            throw new Target.InvalidTargetException(e.getMessage());
        }
    }

    private static <T extends Record> T bind(Target target, Class<T> specType, Function<List<Object>, String> places,
                                            Consumer<String> warnings) {
        T spec = ConfigBinder.bind(ConfigBinder.tree(trimmed(target.spec())), specType, places, warnings);
        for (RecordComponent component : specType.getRecordComponents()) {
            if (component.isAnnotationPresent(Required.class) && value(component, spec) == null) {
                throw new Target.InvalidTargetException("target of type " + target.type() + " needs '"
                        + ConfigBinder.key(component) + "'");
            }
        }
        return spec;
    }

    private static Object value(RecordComponent component, Record spec) {
        try {
            Method accessor = component.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(spec);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component + " of " + spec.getClass(), e);
        }
    }

    /** Text trimmed all the way down; a blank top-level field left out, as {@link Target#optionalString} does. */
    private static Map<String, Object> trimmed(Map<String, Object> spec) {
        Map<String, Object> copy = new LinkedHashMap<>();
        spec.forEach((key, value) -> {
            if (!(value instanceof String text && text.isBlank())) {
                copy.put(key, trimmed(value));
            }
        });
        return copy;
    }

    private static Object trimmed(Object value) {
        if (value instanceof String text) {
            return text.trim();
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((key, entry) -> copy.put(key, trimmed(entry)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(entry -> copy.add(trimmed(entry)));
            return copy;
        }
        return value;
    }
}
