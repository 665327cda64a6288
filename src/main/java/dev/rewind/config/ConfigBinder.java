package dev.rewind.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.ValueInstantiationException;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.LogicalType;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Binds a piece of {@code rewind.yml} into a record with Jackson. A value of the wrong kind becomes a
 * {@link ConfigException} that names its place and what is expected
 * ({@code rewind.yml.services[1] (payments).approvals must be a whole number, got 'two'}); a key no
 * record declares is a warning with its place, never an error, so newer files still load.
 *
 * <p>Durations read as {@link DurationText} ({@code 90s}, {@code 5m}); {@link Fraction}s as {@code 0.05}
 * or {@code 5%}. A list of ids that may also be written as one id carries
 * {@link OneOrMore}. A record component that may be left out is a wrapper type ({@code Integer},
 * {@code Boolean}) or an object, and is {@code null} when absent; defaults are the caller's business.
 */
public final class ConfigBinder {

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .addModule(new SimpleModule("rewind-values")
                    .addDeserializer(Duration.class, new TextValue<>(Duration.class, DurationText::parse))
                    .addDeserializer(Fraction.class, new TextValue<>(Fraction.class, Fraction::parse))
                    .addDeserializer(Factor.class, new TextValue<>(Factor.class, Factor::parse)))
            // approvals: 1.5 is a mistake, not 1; selfApproval: 1 is not true
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .withCoercionConfig(LogicalType.Boolean, booleans -> booleans.setCoercion(CoercionInputShape.Integer,
                    CoercionAction.Fail))
            // unknown keys are warnings, found by walking the tree after binding (see warnUnknown)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** Types this binder reads from one value with its own deserializers, records though some are. */
    private static final Set<Class<?>> VALUE_TYPES = Set.of(Duration.class, Fraction.class, Factor.class);

    private ConfigBinder() {
    }

    /** The YAML text as a tree, for {@link #bind}; the message says where the syntax broke. */
    static JsonNode read(String yaml, String source) {
        try {
            return YAML.readTree(yaml);
        } catch (JacksonException e) {
            throw new ConfigException(source + " is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
        }
    }

    /**
     * {@code values} bound into {@code type}.
     *
     * @param place    where {@code values} is in the file ({@code rewind.yml.services[0] (checkout).target});
     *                 every message starts with it
     * @param warnings told about each key {@code type} does not declare
     * @throws ConfigException for a value of the wrong kind
     */
    public static <T> T bind(Map<String, ?> values, Class<T> type, String place, Consumer<String> warnings) {
        return bind(tree(values), type, steps -> place + render(steps), warnings);
    }

    /** {@code type} with every component absent, as an empty mapping binds it. */
    static <T> T empty(Class<T> type) {
        return YAML.readerFor(type).readValue(YAML.createObjectNode());
    }

    /** Values as read from YAML (maps, lists, text, numbers) as a tree. */
    static JsonNode tree(Object values) {
        return YAML.valueToTree(values);
    }

    /** Like {@link #bind(Map, Class, String, Consumer)}, naming places with {@code places} (steps: keys and indexes). */
    static <T> T bind(JsonNode node, Class<T> type, Function<List<Object>, String> places, Consumer<String> warnings) {
        T bound;
        try {
            bound = YAML.readerFor(type).readValue(node);
        } catch (DatabindException e) {
            for (Throwable problem = e; problem != null; problem = problem.getCause()) {
                if (problem instanceof ValueInstantiationException && problem.getCause() instanceof RuntimeException own
                        && !(own instanceof JacksonException)) {
                    // a record that checks itself in its constructor says what is wrong in its own words
                    throw own;
                }
            }
            List<Object> steps = steps(e);
            throw new ConfigException(places.apply(steps) + problem(e, at(node, steps)), e);
        }
        warnUnknown(node, type, new ArrayList<>(), places, warnings);
        return bound;
    }

    /**
     * Walks the tree along the record types it was bound into and warns about every key no record
     * declares, in the order of the file. (Not in a {@code DeserializationProblemHandler}: Jackson
     * buffers the unknown keys of a record and replays them after building it, when the parser no
     * longer knows the key's place.)
     */
    private static void warnUnknown(JsonNode node, Type type, List<Object> steps, Function<List<Object>, String> places,
                                    Consumer<String> warnings) {
        Class<?> raw = type instanceof ParameterizedType generic ? (Class<?>) generic.getRawType()
                : type instanceof Class<?> plain ? plain : Object.class;
        if (node == null || VALUE_TYPES.contains(raw)) {
            return;
        }
        if (raw.isRecord() && node.isObject()) {
            Map<String, RecordComponent> known = new LinkedHashMap<>();
            for (RecordComponent component : raw.getRecordComponents()) {
                known.put(key(component), component);
            }
            for (String key : node.propertyNames()) {
                RecordComponent component = known.get(key);
                if (component == null) {
                    warnings.accept(places.apply(append(steps, key)) + " is not a setting Rewind knows; it is ignored");
                } else {
                    warnUnknown(node.get(key), component.getGenericType(), append(steps, key), places, warnings);
                }
            }
        } else if (type instanceof ParameterizedType generic && Collection.class.isAssignableFrom(raw) && node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                warnUnknown(node.get(i), generic.getActualTypeArguments()[0], append(steps, i), places, warnings);
            }
        } else if (type instanceof ParameterizedType generic && Map.class.isAssignableFrom(raw) && node.isObject()) {
            for (String key : node.propertyNames()) {
                warnUnknown(node.get(key), generic.getActualTypeArguments()[1], append(steps, key), places, warnings);
            }
        }
    }

    private static List<Object> append(List<Object> steps, Object step) {
        List<Object> longer = new ArrayList<>(steps);
        longer.add(step);
        return longer;
    }

    /** The key a record component is bound from. */
    static String key(RecordComponent component) {
        JsonProperty renamed = component.getAnnotation(JsonProperty.class);
        return renamed != null && !renamed.value().isEmpty() ? renamed.value() : component.getName();
    }

    /** Steps as people read them: {@code .services[0].target}. */
    static String render(List<Object> steps) {
        StringBuilder text = new StringBuilder();
        for (Object step : steps) {
            text.append(step instanceof Integer index ? "[" + index + "]" : "." + step);
        }
        return text.toString();
    }

    private static String problem(DatabindException e, JsonNode found) {
        Class<?> expected = e instanceof MismatchedInputException mismatch ? mismatch.getTargetType() : null;
        if (e instanceof InvalidFormatException && (expected == Duration.class || expected == Fraction.class || expected == Factor.class)) {
            // the value types say what they expect themselves; "must …" continues the place as a sentence
            String said = e.getOriginalMessage();
            return said.startsWith("must ") ? " " + said : ": " + said;
        }
        if (expected == null) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return ": " + (cause instanceof JacksonException j ? j.getOriginalMessage() : cause.getMessage());
        }
        boolean container = found != null && found.isContainer();
        // a list that also takes one value tries a mapping as that value: the list is what was wanted
        if (Collection.class.isAssignableFrom(expected) || Collection.class.isAssignableFrom(declaredType(e))) {
            return " must be a list";
        }
        if (!VALUE_TYPES.contains(expected) && (expected.isRecord() || Map.class.isAssignableFrom(expected))) {
            return " must be a mapping (key: value)";
        }
        if (container) {
            return " must be a single value";
        }
        Object given = found != null ? found.asString() : e instanceof InvalidFormatException f ? f.getValue() : "";
        String got = ", got '" + given + "'";
        if (expected == Integer.class || expected == int.class || expected == Long.class || expected == long.class) {
            return " must be a whole number" + got;
        }
        if (expected == Double.class || expected == double.class) {
            return " must be a number" + got;
        }
        if (expected == Boolean.class || expected == boolean.class) {
            return " must be true or false" + got;
        }
        return " cannot be read" + got;
    }

    /** The type of the record component the failing value was meant for, or {@code Object} when not a component. */
    private static Class<?> declaredType(JacksonException e) {
        if (e.getPath().isEmpty()) {
            return Object.class;
        }
        JacksonException.Reference last = e.getPath().get(e.getPath().size() - 1);
        Object from = last.from();
        Class<?> holder = from instanceof Class<?> c ? c : from != null ? from.getClass() : Object.class;
        if (holder.isRecord() && last.getPropertyName() != null) {
            for (RecordComponent component : holder.getRecordComponents()) {
                if (key(component).equals(last.getPropertyName())) {
                    return component.getType();
                }
            }
        }
        return Object.class;
    }

    private static List<Object> steps(JacksonException e) {
        List<Object> steps = new ArrayList<>();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                steps.add(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                steps.add(reference.getIndex());
            }
        }
        return steps;
    }

    private static JsonNode at(JsonNode node, List<Object> steps) {
        JsonNode found = node;
        for (Object step : steps) {
            if (found == null) {
                return null;
            }
            found = step instanceof Integer index ? found.get(index) : found.get((String) step);
        }
        return found;
    }

    /** Reads a scalar through a parser that throws {@link IllegalArgumentException} saying what it expects. */
    private static final class TextValue<T> extends ValueDeserializer<T> {
        private final Class<T> type;
        private final Function<String, T> parse;

        TextValue(Class<T> type, Function<String, T> parse) {
            this.type = type;
            this.parse = parse;
        }

        @Override
        @SuppressWarnings("unchecked")
        public T deserialize(JsonParser p, DeserializationContext ctxt) {
            if (!p.currentToken().isScalarValue()) {
                return (T) ctxt.handleUnexpectedToken(type, p);
            }
            String text = p.getString();
            try {
                return parse.apply(text);
            } catch (IllegalArgumentException e) {
                throw InvalidFormatException.from(p, e.getMessage(), text, type);
            }
        }

        @Override
        public Class<?> handledType() {
            return type;
        }
    }
}
