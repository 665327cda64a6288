package dev.rewind.adapter.bluegreen;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.FollowUp;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.ApiPermission;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.config.Required;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.kubernetes.KubernetesErrors;
import dev.rewind.adapter.kubernetes.PodTemplates;
import dev.rewind.adapter.kubernetes.RolloutStatus;
import dev.rewind.adapter.kubernetes.RolloutWatch;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code blue-green}: two (or more) Deployments, one per slot, behind one Service whose selector
 * names the live slot ({@code slot: blue}). A rollback points the selector back at the chosen slot,
 * after making sure that slot's Deployment is fully ready: a standby scaled to zero is scaled up
 * first (to the live slot's replica count, or {@code replicas:}) and watched until ready. Only the
 * slot label of the selector is touched, with a JSON Patch that first tests the value it replaces.
 *
 * <p>Longer than most classes on purpose: an adapter is one file, and a switch has to scale a parked
 * slot up, wait for it, move the selector and offer the switch back as a follow-up, each with its guard.
 */
public final class BlueGreenAdapter implements RollbackAdapter {

    public static final String TYPE = "blue-green";
    static final String DEFAULT_SLOT_LABEL = "slot";

    private final KubernetesClient client;

    public BlueGreenAdapter(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * The {@code target:} block: {@code {type: blue-green, namespace: shop, service: storefront, slotLabel: slot,
     * slots: {blue: storefront-blue, green: storefront-green}}}, slot value → Deployment; {@code replicas} is
     * what the slot switched to is scaled to when it has none (default: as many as the live slot).
     */
    public record Spec(@Required String namespace, @Required String service, Map<String, String> slots,
                       String slotLabel, Integer replicas) {
    }

    @Override
    public Optional<Class<? extends Record>> specType() {
        return Optional.of(Spec.class);
    }

    @Override
    public void validate(Target target) {
        slots(target);
        configuredReplicas(target);
    }

    @Override
    public TargetState describe(Target target) {
        Service service = service(target);
        Map<String, String> slots = slots(target);
        String label = slotLabel(target);
        Optional<String> live = Optional.ofNullable(selector(service).get(label));
        Map<String, Slot> read = new LinkedHashMap<>();
        slots.forEach((slot, deployment) -> read.put(slot, readSlot(target, slot, deployment)));

        List<String> warnings = new ArrayList<>();
        List<TargetState.Fact> facts = new ArrayList<>();
        facts.add(new TargetState.Fact("Selector", selectorText(selector(service))));
        Revision current;
        if (live.isPresent() && read.containsKey(live.get())) {
            Slot liveSlot = read.get(live.get());
            current = liveSlot.revision();
            facts.add(new TargetState.Fact("Live slot", liveSlot.summary()));
            if (liveSlot.deployment().isPresent() && !liveSlot.isReady()) {
                warnings.add("The live slot " + liveSlot.name() + " is not ready: " + liveSlot.readiness());
            }
        } else {
            current = new Revision("none", live.map(s -> "unknown slot " + s).orElse("no slot"), List.of(),
                    Optional.empty(), Optional.empty(), Map.of());
            warnings.add(live.map(s -> "Service " + name(target) + " selects " + label + "=" + s
                            + ", which is not one of the configured slots (" + String.join(", ", slots.keySet()) + ")")
                    .orElse("Service " + name(target) + " selects no slot: its selector has no '" + label + "' label ("
                            + selectorText(selector(service)) + ")"));
        }
        List<Revision> candidates = new ArrayList<>();
        for (Slot slot : read.values()) {
            if (live.isPresent() && slot.name().equals(live.get())) {
                continue;
            }
            candidates.add(slot.revision());
            facts.add(new TargetState.Fact("Standby slot", slot.summary()));
            warnings.addAll(standbyWarnings(target, slot, live.map(read::get)));
        }
        return new TargetState(name(target), current, candidates, facts, warnings);
    }

    @Override
    public Outcome execute(Target target, Change change, Progress progress, Duration timeout) {
        Map<String, String> slots = slots(target);
        String chosen = change.revisionId();
        if (!slots.containsKey(chosen)) {
            throw new AdapterException("slot " + chosen + " is not one of the slots of " + name(target) + " ("
                    + String.join(", ", slots.keySet()) + ")");
        }
        Service service = service(target);
        String label = slotLabel(target);
        Map<String, String> before = selector(service);
        Optional<String> live = Optional.ofNullable(before.get(label));
        Slot slot = readSlot(target, chosen, slots.get(chosen));
        Deployment deployment = slot.deployment().orElseThrow(() -> new AdapterException("Deployment "
                + namespace(target) + "/" + slot.deploymentName() + " of slot " + chosen + " not found"));

        Map<String, String> recorded = new LinkedHashMap<>();
        int replicas = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
        if (replicas == 0) {
            int wanted = replicasFor(target, live.filter(slots::containsKey).map(s -> readSlot(target, s, slots.get(s))), chosen);
            scale(target, slot, wanted);
            recorded.put("scaledUp", slot.deploymentName() + " 0→" + wanted);
            progress.step("Slot " + chosen + ": Deployment " + namespace(target) + "/" + slot.deploymentName()
                    + " scaled from 0 to " + wanted + " replicas");
        }
        RolloutStatus ready = awaitReady(target, slot, live, progress, timeout);

        if (live.isPresent() && live.get().equals(chosen)) {
            progress.step("Service " + name(target) + " already selects " + label + "=" + chosen + "; slot is ready ("
                    + ready.detail() + ")");
            recorded.put("previousSlot", change.from().map(Revision::id).orElse(chosen));
        } else {
            live.filter(slots::containsKey).map(s -> readSlot(target, s, slots.get(s)))
                    .ifPresent(old -> recorded.put("previousImages", old.revision().imagesText()));
            switchSelector(target, label, live, chosen);
            progress.step("Service " + name(target) + " now selects " + label + "=" + chosen + " (was "
                    + live.map(s -> label + "=" + s).orElse("no " + label + " label") + ")");
            recorded.put("previousSlot", live.orElse(""));
            recorded.put("previousSelector", selectorText(before));
        }
        recorded.put("slot", chosen);
        return new Outcome("Service " + name(target) + " switched to slot " + chosen + " (Deployment "
                + slot.deploymentName() + ", " + slot.revision().imagesText() + "): " + ready.detail(), recorded);
    }

    /** Reads and switches the Service; reads, scales up and watches the slots' Deployments; reads pods for why. */
    @Override
    public List<ApiPermission> permissions(Target target) {
        String namespace = target.as(Spec.class).namespace();
        return List.of(ApiPermission.core("get", "services", namespace), ApiPermission.core("patch", "services", namespace),
                ApiPermission.apps("get", "deployments", namespace), ApiPermission.apps("patch", "deployments", namespace),
                ApiPermission.apps("watch", "deployments", namespace), ApiPermission.core("list", "pods", namespace));
    }

    @Override
    public Health verify(Target target) {
        Service service = service(target);
        Map<String, String> slots = slots(target);
        String label = slotLabel(target);
        String live = selector(service).get(label);
        if (live == null || !slots.containsKey(live)) {
            return Health.unhealthy("Service " + name(target) + " selects "
                    + (live == null ? "no slot" : "unknown slot " + label + "=" + live));
        }
        Slot slot = readSlot(target, live, slots.get(live));
        if (slot.deployment().isEmpty()) {
            return Health.unhealthy("Service " + name(target) + " selects slot " + live + ", but its Deployment "
                    + slot.deploymentName() + " does not exist");
        }
        String detail = "Service " + name(target) + " selects slot " + live + "; Deployment " + slot.deploymentName()
                + ": " + slot.readiness();
        if (slot.replicas() == 0) {
            return Health.unhealthy(detail + " (scaled to 0: nothing serves traffic)");
        }
        return switch (slot.status().state()) {
            case COMPLETE -> Health.healthy(detail);
            case PROGRESSING -> Health.progressing(detail);
            case FAILED -> Health.unhealthy(detail);
        };
    }

    /** The switch itself can be undone: offered after the run, for when going back did not help. */
    @Override
    public Optional<FollowUp> followUp(Target target, Map<String, String> recorded) {
        String previous = recorded.getOrDefault("previousSlot", "");
        String slot = recorded.getOrDefault("slot", "");
        if (previous.isEmpty() || previous.equals(slot) || !slots(target).containsKey(previous)) {
            return Optional.empty();
        }
        return Optional.of(new FollowUp("Switch back to " + previous, "Service " + name(target) + " selects slot " + slot
                + " since the rollback. If going back did not help, switching back to slot " + previous
                + " (the release rolled back from) undoes the switch; its Deployment must still be ready."));
    }

    /** Switches back to the slot the rollback left, only if the selector is still where the rollback put it. */
    @Override
    public String completeFollowUp(Target target, Map<String, String> recorded) {
        String previous = recorded.getOrDefault("previousSlot", "");
        String slot = recorded.getOrDefault("slot", "");
        String label = slotLabel(target);
        String live = selector(service(target)).get(label);
        if (previous.equals(live)) {
            return "Service " + name(target) + " already selects slot " + previous + "; nothing changed";
        }
        if (!slot.equals(live)) {
            throw new AdapterException("Service " + name(target) + " selects " + (live == null ? "no slot" : "slot " + live)
                    + " now, not slot " + slot + " as the rollback left it; not switching over someone else's change");
        }
        Slot back = readSlot(target, previous, slots(target).get(previous));
        String then = recorded.getOrDefault("previousImages", "");
        if (back.deployment().isPresent() && !then.isEmpty() && !back.revision().imagesText().equals(then)) {
            throw new AdapterException("Slot " + previous + " runs " + back.revision().imagesText() + " now, not " + then
                    + " as when the rollback left it (a new deploy to the standby?); switching back would send traffic to "
                    + "that instead. Not switching.");
        }
        if (back.deployment().isEmpty() || back.replicas() == 0 || !back.isReady()) {
            throw new AdapterException("Slot " + previous + " (Deployment " + back.deploymentName() + ") is not ready to take "
                    + "traffic (" + (back.deployment().isEmpty() ? "not found" : back.readiness()) + "); Service "
                    + name(target) + " stays on slot " + slot);
        }
        switchSelector(target, label, Optional.of(slot), previous);
        return "Service " + name(target) + " selects slot " + previous + " again (was " + slot + "); Deployment "
                + back.deploymentName() + ": " + back.readiness();
    }

    private RolloutStatus awaitReady(Target target, Slot slot, Optional<String> live, Progress progress, Duration timeout) {
        String what = "Slot " + slot.name() + " (Deployment " + namespace(target) + "/" + slot.deploymentName() + ")";
        try {
            return new RolloutWatch<>(client, deploymentResource(target, slot.deploymentName()), what,
                    RolloutStatus::of, BlueGreenAdapter::podSelector, progress).awaitComplete(timeout);
        } catch (AdapterException e) {
            throw new AdapterException(what + " is not ready, so Service " + name(target) + " was left on "
                    + live.map(s -> "slot " + s).orElse("its current selector") + ": " + e.getMessage(), e);
        }
    }

    private void switchSelector(Target target, String label, Optional<String> live, String chosen) {
        String path = "/spec/selector/" + label.replace("~", "~0").replace("/", "~1");
        List<Map<String, Object>> patch = new ArrayList<>();
        // The test makes the switch conditional: if someone moved the selector since we read it, nothing changes.
        if (live.isPresent()) {
            patch.add(Map.of("op", "test", "path", path, "value", live.get()));
            patch.add(Map.of("op", "replace", "path", path, "value", chosen));
        } else {
            patch.add(Map.of("op", "add", "path", path, "value", chosen));
        }
        try {
            client.services().inNamespace(namespace(target)).withName(target.as(Spec.class).service())
                    .patch(PatchContext.of(PatchType.JSON), Serialization.asJson(patch));
        } catch (KubernetesClientException e) {
            throw new AdapterException("Kubernetes refused to switch Service " + name(target) + " to " + label + "="
                    + chosen + " (the selector may have changed since it was read): " + KubernetesErrors.describe(e), e);
        }
    }

    private void scale(Target target, Slot slot, int replicas) {
        try {
            deploymentResource(target, slot.deploymentName()).patch(PatchContext.of(PatchType.JSON),
                    Serialization.asJson(List.of(Map.of("op", "replace", "path", "/spec/replicas", "value", replicas))));
        } catch (KubernetesClientException e) {
            throw new AdapterException("cannot scale Deployment " + namespace(target) + "/" + slot.deploymentName()
                    + " of slot " + slot.name() + " to " + replicas + ": " + KubernetesErrors.describe(e), e);
        }
    }

    /** The replica count a scaled-down slot is brought up to: {@code replicas:} if set, else the live slot's. */
    private int replicasFor(Target target, Optional<Slot> live, String chosen) {
        Optional<Integer> configured = configuredReplicas(target);
        if (configured.isPresent()) {
            return configured.get();
        }
        return live.filter(s -> s.replicas() > 0).map(Slot::replicas).orElseThrow(() -> new AdapterException(
                "slot " + chosen + " is scaled to 0 and the live slot gives no replica count to copy; set 'replicas:' "
                        + "in the target of " + name(target)));
    }

    private List<String> standbyWarnings(Target target, Slot slot, Optional<Slot> live) {
        if (slot.deployment().isEmpty()) {
            return List.of("Slot " + slot.name() + ": Deployment " + namespace(target) + "/"
                    + slot.deploymentName() + " not found; switching to it is impossible");
        }
        if (slot.replicas() == 0) {
            String to = configuredReplicas(target).map(String::valueOf)
                    .or(() -> live.filter(l -> l.replicas() > 0).map(l -> String.valueOf(l.replicas())))
                    .orElse("the count in 'replicas:' (not set: the switch will be refused)");
            return List.of("Slot " + slot.name() + " (Deployment " + slot.deploymentName() + ") is scaled down to 0: "
                    + "a switch scales it up to " + to + " first and waits until it is ready");
        }
        if (!slot.isReady()) {
            return List.of("Slot " + slot.name() + " (Deployment " + slot.deploymentName() + ") is not ready: "
                    + slot.readiness() + "; a switch waits for it");
        }
        return List.of();
    }

    private Slot readSlot(Target target, String slot, String deploymentName) {
        try {
            return new Slot(slot, deploymentName,
                    Optional.ofNullable(deploymentResource(target, deploymentName).get()));
        } catch (KubernetesClientException e) {
            throw new AdapterException("cannot read Deployment " + namespace(target) + "/" + deploymentName
                    + " of slot " + slot + ": " + KubernetesErrors.describe(e), e);
        }
    }

    private Service service(Target target) {
        Service service;
        try {
            service = client.services().inNamespace(namespace(target)).withName(target.as(Spec.class).service()).get();
        } catch (KubernetesClientException e) {
            throw new AdapterException("cannot read Service " + name(target) + ": " + KubernetesErrors.describe(e), e);
        }
        if (service == null) {
            throw new AdapterException("Service " + name(target) + " not found");
        }
        return service;
    }

    private RollableScalableResource<Deployment> deploymentResource(Target target, String name) {
        return client.apps().deployments().inNamespace(namespace(target)).withName(name);
    }

    private static Map<String, String> selector(Service service) {
        return service.getSpec() == null || service.getSpec().getSelector() == null ? Map.of()
                : service.getSpec().getSelector();
    }

    private static Map<String, String> podSelector(Deployment deployment) {
        return deployment.getSpec().getSelector() == null || deployment.getSpec().getSelector().getMatchLabels() == null
                ? Map.of() : deployment.getSpec().getSelector().getMatchLabels();
    }

    static String selectorText(Map<String, String> selector) {
        if (selector.isEmpty()) {
            return "(empty)";
        }
        List<String> parts = new ArrayList<>();
        new java.util.TreeMap<>(selector).forEach((key, value) -> parts.add(key + "=" + value));
        return String.join(",", parts);
    }

    /** The {@code slots:} mapping, slot value → Deployment name, in the order written. */
    static Map<String, String> slots(Target target) {
        Map<String, String> raw = Optional.ofNullable(target.as(Spec.class).slots()).orElse(Map.of());
        if (raw.size() < 2) {
            throw new Target.InvalidTargetException("target of type " + TYPE + " needs 'slots' with at least two "
                    + "entries (slot value → Deployment name), e.g. {blue: storefront-blue, green: storefront-green}");
        }
        Map<String, String> slots = new LinkedHashMap<>();
        raw.forEach((slot, deployment) -> {
            if (deployment == null || deployment.isBlank()) {
                throw new Target.InvalidTargetException("target of type " + TYPE + ": 'slots." + slot
                        + "' must name a Deployment");
            }
            slots.put(slot, deployment);
        });
        return slots;
    }

    static String slotLabel(Target target) {
        return Optional.ofNullable(target.as(Spec.class).slotLabel()).orElse(DEFAULT_SLOT_LABEL);
    }

    static Optional<Integer> configuredReplicas(Target target) {
        Optional<Integer> replicas = Optional.ofNullable(target.as(Spec.class).replicas());
        if (replicas.isPresent() && replicas.get() < 1) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": 'replicas' must be a whole number "
                    + "of at least 1, got '" + replicas.get() + "'");
        }
        return replicas;
    }

    private static String namespace(Target target) {
        return target.as(Spec.class).namespace();
    }

    private static String name(Target target) {
        Spec spec = target.as(Spec.class);
        return spec.namespace() + "/" + spec.service();
    }

    /** One slot as read now: its Deployment, if it exists. */
    private record Slot(String name, String deploymentName, Optional<Deployment> deployment) {

        int replicas() {
            return deployment.map(d -> d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas()).orElse(0);
        }

        RolloutStatus status() {
            return deployment.map(RolloutStatus::of)
                    .orElse(new RolloutStatus(RolloutStatus.State.FAILED, "Deployment " + deploymentName + " not found"));
        }

        boolean isReady() {
            return replicas() > 0 && status().state() == RolloutStatus.State.COMPLETE;
        }

        String readiness() {
            return replicas() == 0 ? "scaled to 0 replicas" : status().detail();
        }

        Revision revision() {
            return deployment.map(d -> new Revision(name, name, PodTemplates.images(d.getSpec().getTemplate()),
                            createdAt(d), Optional.ofNullable(d.getMetadata().getAnnotations())
                            .map(a -> a.get("kubernetes.io/change-cause")),
                            PodTemplates.attributes(d.getSpec().getTemplate())))
                    .orElse(new Revision(name, name, List.of(), Optional.empty(), Optional.empty(), Map.of()));
        }

        String summary() {
            return name + " (" + deploymentName + ": " + revision().imagesText() + ", "
                    + (deployment.isEmpty() ? "Deployment not found" : readiness()) + ")";
        }

        private static Optional<Instant> createdAt(Deployment d) {
            try {
                return Optional.ofNullable(d.getMetadata().getCreationTimestamp()).map(Instant::parse);
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
    }
}
