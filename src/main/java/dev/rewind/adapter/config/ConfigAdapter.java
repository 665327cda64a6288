package dev.rewind.adapter.config;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.ApiPermission;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.config.OneOrMore;
import dev.rewind.config.Required;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.kubernetes.GitOps;
import dev.rewind.adapter.kubernetes.RolloutStatus;
import dev.rewind.config.Secrets;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code config}: rolls a ConfigMap or Secret back to a version Rewind recorded earlier (Kubernetes
 * keeps no history of them; {@link ConfigVersionRecorder} does), then restarts the Deployments listed
 * in {@code restart} and watches them until ready. Secret values are never shown: revisions carry
 * only digests of them, and they can be restored only when an encrypted copy was kept.
 *
 * <p>Longer than most classes on purpose: an adapter is one file, and ConfigMaps and Secrets differ in
 * what may be shown and stored (Secret values only sealed, digests keyed), which this class decides.
 */
public final class ConfigAdapter implements RollbackAdapter {

    public static final String TYPE = "config";
    private static final DateTimeFormatter LABEL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final ConfigObjects objects;
    private final WorkloadRestarts restarts;
    private final ConfigHistory history;
    private final Secrets secrets;
    private final Clock clock;

    public ConfigAdapter(KubernetesClient client, ConfigHistory history, Secrets secrets, Clock clock) {
        this.objects = new ConfigObjects(client);
        this.restarts = new WorkloadRestarts(client, clock);
        this.history = history;
        this.secrets = secrets;
        this.clock = clock;
    }

    /** The live content, and the same content as unkeyed digests describe it (for versions recorded before). */
    private record Live(ConfigVersion keyed, ConfigVersion unkeyed) {
        boolean is(ConfigVersion version) {
            return version.id().equals(keyed.id()) || version.id().equals(unkeyed.id());
        }

        ConfigVersion comparableTo(ConfigVersion version) {
            return ConfigContent.unkeyed(version) ? unkeyed : keyed;
        }
    }

    private Live live(ConfigTarget config, HasMetadata object) {
        return new Live(ConfigContent.observe(config.ref(), object, clock.instant(), Optional.empty(),
                SecretDigests.of(config, secrets, history.digestKey())),
                ConfigContent.observeUnkeyed(config.ref(), object, clock.instant()));
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * The {@code target:} block: {@code {type: config, namespace: shop, configMap: NAME, restart: [payments]}}
     * or {@code secret: NAME} instead of {@code configMap}; for a Secret, {@code keyEnv} names the key that
     * encrypts its stored values and {@code storeSecretValues: false} keeps only their digests.
     */
    public record Spec(@Required String namespace, String configMap, String secret, @OneOrMore List<String> restart,
                       String keyEnv, Boolean storeSecretValues) {
    }

    @Override
    public Optional<Class<? extends Record>> specType() {
        return Optional.of(Spec.class);
    }

    @Override
    public void validate(Target target) {
        ConfigTarget.of(target);
    }

    @Override
    public TargetState describe(Target target) {
        ConfigTarget config = ConfigTarget.of(target);
        ConfigRef ref = config.ref();
        HasMetadata object = objects.get(ref);
        Live live = live(config, object);
        List<ConfigVersion> versions = history.versions(ref);
        Optional<ConfigVersion> recordedLive = versions.stream().filter(live::is).findFirst();
        Revision current = recordedLive.map(this::revision).orElseGet(() -> unrecorded(live.keyed()));
        List<ConfigVersion> earlier = versions.stream().filter(v -> !live.is(v)).toList();
        List<TargetState.Fact> facts = new ArrayList<>();
        facts.add(new TargetState.Fact("Version", current.label()));
        facts.add(new TargetState.Fact("History", versions.isEmpty() ? "no version recorded yet"
                : versions.size() + " version(s) recorded since " + LABEL_TIME.format(oldest(versions))));
        facts.add(new TargetState.Fact("Restarts", config.restart().isEmpty() ? "none listed"
                : "Deployments " + String.join(", ", config.restart())));
        return new TargetState(ref.toString(), current, earlier.stream().map(this::revision).toList(), facts,
                warnings(config, object, recordedLive.isPresent(), earlier));
    }

    @Override
    public Outcome execute(Target target, Change change, Progress progress, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ConfigTarget config = ConfigTarget.of(target);
        ConfigRef ref = config.ref();
        HasMetadata object = objects.get(ref);
        List<ConfigVersion> versions = history.versions(ref);
        ConfigVersion wanted = versions.stream().filter(v -> v.id().equals(change.revisionId())).findFirst()
                .orElseThrow(() -> new AdapterException("version " + change.revisionId() + " is not among the recorded "
                        + "versions of " + ref + " (recorded: " + (versions.isEmpty() ? "none"
                        : versions.stream().map(v -> label(v) + " = " + v.id()).collect(Collectors.joining(", "))) + ")"));
        for (String name : config.restart()) {
            if (restarts.find(ref.namespace(), name).isEmpty()) {
                throw new AdapterException("Deployment " + ref.namespace() + "/" + name + " (listed in restart) not found; "
                        + ref + " was not changed");
            }
        }
        Live observed = live(config, object);
        Optional<ConfigVersion> recordedLive = versions.stream().filter(observed::is).findFirst();
        String from = recordedLive.map(ConfigAdapter::label).orElse("the live version");
        ConfigVersion live = observed.comparableTo(wanted);
        List<String> changedKeys = changedKeys(live, wanted);
        if (ConfigContent.same(live, wanted)) {
            progress.step(ref + " already has the data of " + label(wanted) + "; not written again");
        } else {
            restore(config, object, wanted);
            progress.step(ref + ": data of " + label(wanted) + " restored (" + keysText(changedKeys) + ")");
        }
        List<String> ready = new ArrayList<>();
        for (String name : config.restart()) {
            if (restarts.restart(ref.namespace(), name, change.runId())) {
                progress.step("Deployment " + ref.namespace() + "/" + name + " restarted to pick up " + label(wanted));
            } else {
                progress.step("Deployment " + ref.namespace() + "/" + name + " was already restarted for run "
                        + change.runId() + "; waiting for it");
            }
        }
        for (String name : config.restart()) {
            Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1));
            RolloutStatus done = restarts.awaitRollout(ref.namespace(), name, progress, left);
            ready.add(name + " (" + done.detail() + ")");
        }
        String summary = ref + " rolled back from " + from + " to " + label(wanted) + " (" + keysText(changedKeys) + ")"
                + (ready.isEmpty() ? "; no Deployment to restart" : "; restarted " + String.join(", ", ready));
        return new Outcome(summary, Map.of("fromVersion", recordedLive.map(ConfigVersion::id).orElse(observed.keyed().id()),
                "toVersion", wanted.id()));
    }

    /** Reads, watches (the recorder) and writes back the ConfigMap or Secret; restarts and watches the Deployments. */
    @Override
    public List<ApiPermission> permissions(Target target) {
        Spec spec = target.as(Spec.class);
        String kind = spec.secret() != null ? "secrets" : "configmaps";
        List<ApiPermission> needed = new java.util.ArrayList<>(List.of(ApiPermission.core("get", kind, spec.namespace()),
                ApiPermission.core("watch", kind, spec.namespace()), ApiPermission.core("patch", kind, spec.namespace())));
        if (spec.restart() != null && !spec.restart().isEmpty()) {
            needed.addAll(List.of(ApiPermission.apps("get", "deployments", spec.namespace()),
                    ApiPermission.apps("patch", "deployments", spec.namespace()),
                    ApiPermission.apps("watch", "deployments", spec.namespace())));
        }
        return needed;
    }

    @Override
    public Health verify(Target target) {
        ConfigTarget config = ConfigTarget.of(target);
        ConfigRef ref = config.ref();
        Optional<HasMetadata> object = objects.find(ref);
        if (object.isEmpty()) {
            return Health.unhealthy(ref + " not found");
        }
        Live live = live(config, object.get());
        String version = history.find(ref, live.keyed().id()).or(() -> history.find(ref, live.unkeyed().id()))
                .map(ConfigAdapter::label).orElse("an unrecorded version");
        List<String> details = new ArrayList<>();
        Health.Status worst = Health.Status.HEALTHY;
        for (String name : config.restart()) {
            Optional<Deployment> deployment = restarts.find(ref.namespace(), name);
            if (deployment.isEmpty()) {
                return Health.unhealthy("Deployment " + ref.namespace() + "/" + name + " not found");
            }
            RolloutStatus status = RolloutStatus.of(deployment.get());
            details.add(name + ": " + status.detail());
            if (status.state() == RolloutStatus.State.FAILED) {
                worst = Health.Status.UNHEALTHY;
            } else if (status.state() == RolloutStatus.State.PROGRESSING && worst == Health.Status.HEALTHY) {
                worst = Health.Status.PROGRESSING;
            }
        }
        String detail = ref + " is at " + version + (details.isEmpty() ? "" : "; " + String.join("; ", details));
        return new Health(worst, detail);
    }

    private void restore(ConfigTarget config, HasMetadata object, ConfigVersion wanted) {
        ConfigRef ref = config.ref();
        if (Boolean.TRUE.equals(immutable(object))) {
            throw new AdapterException(ref + " is immutable: Kubernetes refuses changes to its data. Create a new "
                    + ref.kind().apiName() + " with the data of " + label(wanted) + " and point the workloads at it");
        }
        List<Map<String, Object>> patch = new ArrayList<>();
        if (config.isSecret()) {
            patch.add(Map.of("op", "add", "path", "/data", "value", secretData(config, wanted)));
        } else {
            patch.add(Map.of("op", "add", "path", "/data", "value", wanted.data()));
            ConfigMap map = (ConfigMap) object;
            if (!wanted.binaryData().isEmpty()) {
                patch.add(Map.of("op", "add", "path", "/binaryData", "value", wanted.binaryData()));
            } else if (map.getBinaryData() != null) {
                patch.add(Map.of("op", "remove", "path", "/binaryData"));
            }
        }
        objects.patch(ref, Serialization.asJson(patch));
    }

    /** The stored values of a Secret version, or a refusal that says why they are not there. */
    private Map<String, String> secretData(ConfigTarget config, ConfigVersion wanted) {
        ConfigRef ref = config.ref();
        SecretValues values = SecretValues.of(config, secrets);
        if (values.sealer().isEmpty()) {
            throw new AdapterException(ref + " cannot be rolled back by Rewind: only digests of its values are "
                    + "recorded, because " + values.whyNot() + ". Restore " + label(wanted)
                    + " where the Secret is managed, then restart the workloads that use it");
        }
        if (wanted.sealed().isEmpty()) {
            throw new AdapterException(ref + " cannot be rolled back to " + label(wanted) + ": that version was "
                    + "recorded with digests only (before its values were stored). Restore it where the Secret is managed");
        }
        return values.sealer().get().open(wanted.sealed().get(), ref, wanted.id(), config.keyEnv().orElseThrow());
    }

    private List<String> warnings(ConfigTarget config, HasMetadata object, boolean liveRecorded, List<ConfigVersion> earlier) {
        ConfigRef ref = config.ref();
        List<String> warnings = new ArrayList<>();
        if (config.isSecret()) {
            SecretValues values = SecretValues.of(config, secrets);
            if (values.sealer().isEmpty()) {
                warnings.add("Rewind cannot roll back " + ref + ": its values are not stored, only digests (because "
                        + values.whyNot() + "). The card shows which keys changed; restore the values where the "
                        + "Secret is managed");
            } else {
                List<String> digestOnly = earlier.stream().filter(v -> !v.restorable()).map(ConfigAdapter::label).toList();
                if (!digestOnly.isEmpty()) {
                    warnings.add("Recorded with digests only, so not restorable: " + String.join(", ", digestOnly));
                }
            }
        }
        if (earlier.isEmpty()) {
            warnings.add("No earlier version of " + ref + " is recorded: Rewind records versions from the moment it "
                    + "watches the object, so there is nothing to roll back to yet");
        }
        if (!liveRecorded) {
            warnings.add("The live content of " + ref + " has not been recorded yet: the version recorder may be "
                    + "behind or not running");
        }
        if (Boolean.TRUE.equals(immutable(object))) {
            warnings.add(ref + " is immutable: Kubernetes will refuse to change its data");
        }
        if (config.restart().isEmpty()) {
            warnings.add("No Deployments listed in restart: pods that read " + ref + " only at start-up keep the "
                    + "current values after the rollback");
        }
        for (String name : config.restart()) {
            if (restarts.find(ref.namespace(), name).isEmpty()) {
                warnings.add("Deployment " + ref.namespace() + "/" + name + " (listed in restart) not found");
            }
        }
        GitOps.managedBy(object).ifPresent(tool -> warnings.add("Managed by " + tool + ": a rollback here will be "
                + "reverted by its sync loop unless automated sync is paused; consider reverting the commit instead"));
        return warnings;
    }

    private Revision revision(ConfigVersion version) {
        return new Revision(version.id(), label(version), List.of(artefact(version)), Optional.of(version.firstSeen()),
                Optional.empty(), ConfigContent.attributes(version));
    }

    private static Revision unrecorded(ConfigVersion live) {
        return new Revision(live.id(), "live (not recorded yet)", List.of(artefact(live)), Optional.empty(),
                Optional.empty(), ConfigContent.attributes(live));
    }

    /** {@code configmap/payments-config@3f2a9c1b4d5e}: what the card shows where a Deployment shows images. */
    private static String artefact(ConfigVersion version) {
        return version.ref().kind().apiName().toLowerCase() + "/" + version.ref().name() + "@" + version.id();
    }

    static String label(ConfigVersion version) {
        return "v" + version.number() + " (" + LABEL_TIME.format(version.firstSeen()) + ")";
    }

    private static List<String> changedKeys(ConfigVersion live, ConfigVersion wanted) {
        Map<String, String> before = ConfigContent.attributes(live);
        Map<String, String> after = ConfigContent.attributes(wanted);
        Set<String> keys = new LinkedHashSet<>(after.keySet());
        keys.addAll(before.keySet());
        return keys.stream().filter(key -> !Objects.equals(before.get(key), after.get(key)))
                .map(key -> key.substring(key.lastIndexOf(' ') + 1)).sorted().distinct().toList();
    }

    private static String keysText(List<String> keys) {
        return keys.isEmpty() ? "no key changed" : "key" + (keys.size() == 1 ? "" : "s") + " changed: "
                + String.join(", ", keys);
    }

    private static Instant oldest(List<ConfigVersion> versions) {
        return versions.stream().map(ConfigVersion::firstSeen).min(Instant::compareTo).orElseThrow();
    }

    private static Boolean immutable(HasMetadata object) {
        return object instanceof ConfigMap map ? map.getImmutable() : ((Secret) object).getImmutable();
    }
}
