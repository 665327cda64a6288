package dev.rewind.adapter.migration;

import dev.rewind.config.Target;
import dev.rewind.config.DurationText;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code database-migration} target block, read and checked: the Jobs to run (backup, rollback and
 * optionally a listing of the migrations to revert) and what their pods get (service account,
 * environment from the app's own Secrets and ConfigMaps — Rewind never reads those values).
 *
 * @param deployment the app's Deployment in {@code namespace}, if given: its revision tells a new deploy
 *                   apart, so the card lists the migrations afresh after one
 * @param envFrom each entry {@code {secret: NAME}} or {@code {configMap: NAME}}
 * @param env     NAME → a literal, {@code {secret: NAME, key: KEY}} or {@code {configMap: NAME, key: KEY}}
 */
record MigrationTarget(
        String namespace,
        Optional<String> database,
        Optional<String> deployment,
        JobStep backup,
        JobStep rollback,
        Optional<ListStep> list,
        Optional<String> serviceAccount,
        List<Reference> envFrom,
        Map<String, EnvValue> env) {

    private static final String TYPE = DatabaseMigrationAdapter.TYPE;
    static final Duration DEFAULT_FRESH_FOR = Duration.ofMinutes(15);

    /** One Job's container: the app's image and the command that does the step. */
    record JobStep(String step, String image, List<String> command, List<String> args) {

        String describe() {
            return image + (command.isEmpty() ? "" : " " + String.join(" ", command))
                    + (args.isEmpty() ? "" : " " + String.join(" ", args));
        }
    }

    /** The optional Job that lists the migrations a rollback would revert, and how long its list stays good. */
    record ListStep(JobStep job, Duration freshFor) {
    }

    /** A Secret or ConfigMap in the target namespace, and optionally one key of it. */
    record Reference(Kind kind, String name, Optional<String> key) {
        enum Kind { SECRET, CONFIG_MAP }
    }

    /** An environment variable's value: a literal, or a reference the kubelet resolves. */
    record EnvValue(Optional<String> literal, Optional<Reference> from) {
    }

    static MigrationTarget of(Target target) {
        return new MigrationTarget(
                target.string("namespace"),
                target.optionalString("database"),
                target.optionalString("deployment"),
                step(target, "backup", true).orElseThrow(),
                step(target, "rollback", true).orElseThrow(),
                step(target, "list", false).map(job -> new ListStep(job, freshFor(target))),
                target.optionalString("serviceAccount"),
                envFrom(target),
                env(target));
    }

    /** Identifies this target among several in one run, for Job names and labels: 6 hex digits. */
    static String shortHash(Target target) {
        return digest(target.key(), 6);
    }

    /** The first {@code hexDigits} hex digits of the text's SHA-256: short, DNS-safe, stable across restarts. */
    static String digest(String text, int hexDigits) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, hexDigits);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code the payments database in shop}, or {@code the database in shop}. */
    String describe() {
        return database.map(name -> "database " + name).orElse("the database") + " in namespace " + namespace;
    }

    private static Optional<JobStep> step(Target target, String field, boolean required) {
        Map<String, Object> spec = target.map(field);
        if (spec.isEmpty()) {
            if (required) {
                throw new Target.InvalidTargetException("target of type " + TYPE + " needs '" + field
                        + "' with an image and a command");
            }
            return Optional.empty();
        }
        Object image = spec.get("image");
        if (image == null || String.valueOf(image).isBlank()) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": '" + field + ".image' is required");
        }
        List<String> command = strings(spec.get("command"), field + ".command");
        List<String> args = strings(spec.get("args"), field + ".args");
        if (command.isEmpty() && args.isEmpty()) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": '" + field
                    + ".command' is required (what the image runs to " + field + ")");
        }
        return Optional.of(new JobStep(field, String.valueOf(image).trim(), command, args));
    }

    private static Duration freshFor(Target target) {
        Object value = target.map("list").get("freshFor");
        if (value == null) {
            return DEFAULT_FRESH_FOR;
        }
        try {
            Duration freshFor = DurationText.parse(String.valueOf(value));
            if (freshFor.toSeconds() < 1) {
                throw new IllegalArgumentException("'" + value + "' is under a second");
            }
            return freshFor;
        } catch (IllegalArgumentException e) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": 'list.freshFor' " + e.getMessage());
        }
    }

    private static List<String> strings(Object value, String field) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        if (value instanceof Map) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": '" + field + "' must be a list");
        }
        return List.of(String.valueOf(value));
    }

    private static List<Reference> envFrom(Target target) {
        Object value = target.spec().get("envFrom");
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": 'envFrom' must be a list of "
                    + "{secret: NAME} or {configMap: NAME}");
        }
        List<Reference> refs = new ArrayList<>();
        for (Object entry : list) {
            refs.add(reference(entry, "envFrom", false));
        }
        return refs;
    }

    private static Map<String, EnvValue> env(Target target) {
        Map<String, EnvValue> env = new LinkedHashMap<>();
        target.map("env").forEach((name, value) -> {
            if (value instanceof Map) {
                env.put(name, new EnvValue(Optional.empty(), Optional.of(reference(value, "env." + name, true))));
            } else {
                env.put(name, new EnvValue(Optional.of(String.valueOf(value)), Optional.empty()));
            }
        });
        return env;
    }

    private static Reference reference(Object entry, String field, boolean needsKey) {
        String shape = needsKey ? "{secret: NAME, key: KEY} or {configMap: NAME, key: KEY}" : "{secret: NAME} or {configMap: NAME}";
        if (!(entry instanceof Map<?, ?> map)) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": '" + field + "' entries must be " + shape);
        }
        Object secret = map.get("secret");
        Object configMap = map.get("configMap");
        Object key = map.get("key");
        if ((secret == null) == (configMap == null) || (needsKey && key == null)) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": '" + field + "' must be " + shape);
        }
        return new Reference(secret != null ? Reference.Kind.SECRET : Reference.Kind.CONFIG_MAP,
                String.valueOf(secret != null ? secret : configMap), Optional.ofNullable(key).map(String::valueOf));
    }
}
