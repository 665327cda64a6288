package dev.rewind.adapter.migration;

import dev.rewind.adapter.migration.DatabaseMigrationAdapter.Spec;
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
        Spec spec = target.as(Spec.class);
        return new MigrationTarget(
                spec.namespace(),
                Optional.ofNullable(spec.database()),
                Optional.ofNullable(spec.deployment()),
                step("backup", spec.backup()).orElseThrow(() -> missing("backup")),
                step("rollback", spec.rollback()).orElseThrow(() -> missing("rollback")),
                Optional.ofNullable(spec.list()).flatMap(list -> step("list", list.job()))
                        .map(job -> new ListStep(job, freshFor(spec.list().freshFor()))),
                Optional.ofNullable(spec.serviceAccount()),
                envFrom(spec.envFrom()),
                env(spec.env()));
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

    private static Target.InvalidTargetException missing(String field) {
        return new Target.InvalidTargetException("target of type " + TYPE + " needs '" + field
                + "' with an image and a command");
    }

    private static Optional<JobStep> step(String field, Spec.Job job) {
        if (job == null) {
            return Optional.empty();
        }
        if (job.image() == null || job.image().isBlank()) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": '" + field + ".image' is required");
        }
        List<String> command = Optional.ofNullable(job.command()).orElse(List.of());
        List<String> args = Optional.ofNullable(job.args()).orElse(List.of());
        if (command.isEmpty() && args.isEmpty()) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": '" + field
                    + ".command' is required (what the image runs to " + field + ")");
        }
        return Optional.of(new JobStep(field, job.image(), command, args));
    }

    /** Read here rather than bound as a Duration, to keep the message the adapter has always given. */
    private static Duration freshFor(String value) {
        if (value == null) {
            return DEFAULT_FRESH_FOR;
        }
        try {
            Duration freshFor = DurationText.parse(value);
            if (freshFor.toSeconds() < 1) {
                throw new IllegalArgumentException("'" + value + "' is under a second");
            }
            return freshFor;
        } catch (IllegalArgumentException e) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": 'list.freshFor' " + e.getMessage());
        }
    }

    private static List<Reference> envFrom(List<Spec.Source> sources) {
        List<Reference> refs = new ArrayList<>();
        for (Spec.Source source : Optional.ofNullable(sources).orElse(List.of())) {
            if (source == null || (source.secret() == null) == (source.configMap() == null)) {
                throw new Target.InvalidTargetException("target of type " + TYPE + ": 'envFrom' must be "
                        + "{secret: NAME} or {configMap: NAME}");
            }
            refs.add(source.secret() != null ? new Reference(Reference.Kind.SECRET, source.secret(), Optional.empty())
                    : new Reference(Reference.Kind.CONFIG_MAP, source.configMap(), Optional.empty()));
        }
        return refs;
    }

    private static Map<String, EnvValue> env(Map<String, Object> given) {
        Map<String, EnvValue> env = new LinkedHashMap<>();
        Optional.ofNullable(given).orElse(Map.of()).forEach((name, value) -> {
            if (value instanceof Map<?, ?> map) {
                env.put(name, new EnvValue(Optional.empty(), Optional.of(reference(map, "env." + name))));
            } else {
                env.put(name, new EnvValue(Optional.of(String.valueOf(value)), Optional.empty()));
            }
        });
        return env;
    }

    /** One key of a Secret or ConfigMap, for an {@code env:} entry. */
    private static Reference reference(Map<?, ?> map, String field) {
        Object secret = map.get("secret");
        Object configMap = map.get("configMap");
        Object key = map.get("key");
        if ((secret == null) == (configMap == null) || key == null) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": '" + field + "' must be "
                    + "{secret: NAME, key: KEY} or {configMap: NAME, key: KEY}");
        }
        return new Reference(secret != null ? Reference.Kind.SECRET : Reference.Kind.CONFIG_MAP,
                String.valueOf(secret != null ? secret : configMap), Optional.of(String.valueOf(key)));
    }
}
