package dev.rewind.adapter.istio;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
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
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code istio-weights}: sends all traffic of an Istio VirtualService back to the stable subset.
 * Every http route whose destinations include both the stable and the canary subset gets weights
 * 100/0, by a JSON Patch that sets only those weight fields (each guarded by a test of the subset at
 * that position, so a VirtualService edited meanwhile is refused, not mangled). Everything else in
 * the VirtualService stays as it was.
 */
public final class IstioWeightsAdapter implements RollbackAdapter {

    public static final String TYPE = "istio-weights";
    static final String DEFAULT_API_VERSION = "networking.istio.io/v1beta1";
    static final String STABLE_ID = "stable-100";

    private final KubernetesClient client;

    public IstioWeightsAdapter(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * The {@code target:} block: {@code {type: istio-weights, namespace: shop, virtualService: reviews,
     * stableSubset: stable, canarySubset: canary}}, and {@code apiVersion} where the cluster serves
     * another version of VirtualService than {@value #DEFAULT_API_VERSION}.
     */
    public record Spec(@Required String namespace, @Required String virtualService, @Required String stableSubset,
                       @Required String canarySubset, String apiVersion) {

        String version() {
            return apiVersion != null ? apiVersion : DEFAULT_API_VERSION;
        }
    }

    @Override
    public Optional<Class<? extends Record>> specType() {
        return Optional.of(Spec.class);
    }

    @Override
    public void validate(Target target) {
        Spec spec = target.as(Spec.class);
        if (spec.stableSubset().equals(spec.canarySubset())) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": 'stableSubset' and 'canarySubset' "
                    + "must differ, both are '" + spec.stableSubset() + "'");
        }
        if (!spec.version().startsWith("networking.istio.io/")) {
            throw new Target.InvalidTargetException("target of type " + TYPE + ": 'apiVersion' must be "
                    + "networking.istio.io/<version>, got '" + spec.version() + "'");
        }
    }

    @Override
    public TargetState describe(Target target) {
        GenericKubernetesResource service = virtualService(target);
        List<WeightedRoute> routes = routes(target, service);
        String stable = spec(target).stableSubset();
        String canary = spec(target).canarySubset();
        Revision current = live(target, routes);
        List<Revision> candidates = current.id().equals(STABLE_ID) ? List.of() : List.of(allStable(target, routes));
        List<TargetState.Fact> facts = new ArrayList<>();
        for (WeightedRoute route : routes) {
            facts.add(new TargetState.Fact("Route " + route.name(), route.weights(stable, canary)));
        }
        int others = httpRoutes(service) - routes.size();
        if (others > 0) {
            facts.add(new TargetState.Fact("Other http routes", others + " without both subsets, left untouched"));
        }
        List<String> warnings = new ArrayList<>();
        if (routes.size() > 1) {
            warnings.add(routes.size() + " http routes carry both " + stable + " and " + canary + " ("
                    + routes.stream().map(WeightedRoute::name).collect(Collectors.joining(", "))
                    + "); a rollback sets all of them to " + stable + " 100%");
        }
        for (WeightedRoute route : routes) {
            if (route.elsewhere() != 0) {
                warnings.add("Route " + route.name() + " also sends " + route.elsewhere() + "% elsewhere ("
                        + String.join(", ", route.destinations()) + "): Rewind will refuse to change its weights");
            }
        }
        Optional.ofNullable(service.getMetadata().getOwnerReferences()).orElse(List.of()).stream().findFirst()
                .ifPresent(owner -> warnings.add(ownerWarning(owner)));
        return new TargetState(name(target), current, candidates, facts, warnings);
    }

    @Override
    public Outcome execute(Target target, Change change, Progress progress, Duration timeout) {
        GenericKubernetesResource service = virtualService(target);
        List<WeightedRoute> routes = routes(target, service);
        String stable = spec(target).stableSubset();
        String canary = spec(target).canarySubset();
        if (!change.revisionId().equals(STABLE_ID) && !change.revisionId().equals(stable + " 100%")) {
            throw new AdapterException("revision " + change.revisionId() + " is not known for VirtualService "
                    + name(target) + ": the only rollback is " + STABLE_ID + " (all traffic to subset " + stable + ")");
        }
        String before = weightsText(routes, stable, canary);
        List<WeightedRoute> toChange = routes.stream().filter(r -> !r.allOnStable()).toList();
        if (toChange.isEmpty()) {
            progress.step("VirtualService " + name(target) + " already sends 100% to " + stable + " on "
                    + routeCount(routes.size()) + "; nothing to change");
            return new Outcome("VirtualService " + name(target) + " already sends all traffic to subset " + stable
                    + " (" + before + ")", Map.of("previousWeights", before));
        }
        for (WeightedRoute route : toChange) {
            if (route.elsewhere() != 0) {
                throw new AdapterException("Route " + route.name() + " of VirtualService " + name(target) + " also sends "
                        + route.elsewhere() + "% to other destinations (" + String.join(", ", route.destinations())
                        + "); Rewind moves only " + canary + " traffic to " + stable + " and changed nothing");
            }
        }
        patch(target, toChange, stable, canary);
        for (WeightedRoute route : toChange) {
            progress.step("VirtualService " + name(target) + ", route " + route.name() + ": " + stable + " "
                    + route.stableWeight() + "% → 100%, " + canary + " " + route.canaryWeight() + "% → 0%");
        }
        if (toChange.size() > 1) {
            progress.step(toChange.size() + " http routes carried both subsets; all of them now send 100% to " + stable);
        }
        List<WeightedRoute> after = routes(target, virtualService(target));
        if (!after.stream().allMatch(WeightedRoute::allOnStable)) {
            throw new AdapterException("VirtualService " + name(target) + " was patched, but its weights read back as "
                    + weightsText(after, stable, canary) + ": something else (Argo Rollouts, Flagger, a GitOps sync) "
                    + "may be setting them");
        }
        progress.step("Weights read back: " + weightsText(after, stable, canary));
        return new Outcome("VirtualService " + name(target) + ": all traffic back on subset " + stable + " on "
                + routeCount(after.size()) + " (was " + before + ")", Map.of("previousWeights", before));
    }

    /** Reads the VirtualService and sets its weights. */
    @Override
    public List<ApiPermission> permissions(Target target) {
        String namespace = target.as(Spec.class).namespace();
        return List.of(new ApiPermission("get", "networking.istio.io", "virtualservices", namespace),
                new ApiPermission("patch", "networking.istio.io", "virtualservices", namespace));
    }

    @Override
    public Optional<String> notDrillable(Target target) {
        return Optional.of("Rewind can send all traffic back to stable, but the canary's share is set by your rollout tool: a drill could not give it back");
    }

    @Override
    public Health verify(Target target) {
        List<WeightedRoute> routes = routes(target, virtualService(target));
        String stable = spec(target).stableSubset();
        String canary = spec(target).canarySubset();
        String weights = weightsText(routes, stable, canary);
        if (routes.stream().allMatch(WeightedRoute::allOnStable)) {
            return Health.healthy("VirtualService " + name(target) + " sends 100% to " + stable + " on "
                    + routeCount(routes.size()) + " (" + weights + ")");
        }
        return Health.unhealthy("VirtualService " + name(target) + " still sends traffic to " + canary + " (" + weights + ")");
    }

    private void patch(Target target, List<WeightedRoute> routes, String stable, String canary) {
        List<Map<String, Object>> patch = new ArrayList<>();
        for (WeightedRoute route : routes) {
            patch.add(Map.of("op", "test", "path", route.path(route.stableAt()) + "/destination/subset", "value", stable));
            patch.add(Map.of("op", "test", "path", route.path(route.canaryAt()) + "/destination/subset", "value", canary));
            // "add" sets the member whether or not the weight was written out (Istio reads a missing one as 0).
            patch.add(Map.of("op", "add", "path", route.path(route.stableAt()) + "/weight", "value", 100));
            patch.add(Map.of("op", "add", "path", route.path(route.canaryAt()) + "/weight", "value", 0));
        }
        try {
            resource(target).patch(PatchContext.of(PatchType.JSON), Serialization.asJson(patch));
        } catch (KubernetesClientException e) {
            throw new AdapterException("Kubernetes refused the new weights for VirtualService " + name(target)
                    + " (it may have been edited since it was read): " + KubernetesErrors.describe(e), e);
        }
    }

    private List<WeightedRoute> routes(Target target, GenericKubernetesResource service) {
        Spec spec = spec(target);
        List<WeightedRoute> routes = WeightedRoute.read(http(service), spec.stableSubset(), spec.canarySubset());
        if (routes.isEmpty()) {
            throw new AdapterException("VirtualService " + name(target) + " has no http route whose destinations include "
                    + "both subset " + spec.stableSubset() + " and subset " + spec.canarySubset());
        }
        return routes;
    }

    private Revision live(Target target, List<WeightedRoute> routes) {
        String stable = spec(target).stableSubset();
        String canary = spec(target).canarySubset();
        if (routes.stream().allMatch(WeightedRoute::allOnStable)) {
            return allStable(target, routes);
        }
        List<Integer> canaryWeights = routes.stream().map(WeightedRoute::canaryWeight).distinct().toList();
        String weights = canaryWeights.stream().map(String::valueOf).collect(Collectors.joining("/"));
        return new Revision(canary + "-" + weights.replace('/', '-'), canary + " " + weights + "%",
                routes.stream().flatMap(r -> r.destinations().stream()).distinct().toList(), Optional.empty(),
                Optional.empty(), attributes(routes, stable, canary, false));
    }

    private Revision allStable(Target target, List<WeightedRoute> routes) {
        String stable = spec(target).stableSubset();
        String canary = spec(target).canarySubset();
        return new Revision(STABLE_ID, stable + " 100%", List.of(), Optional.empty(), Optional.empty(),
                attributes(routes, stable, canary, true));
    }

    private static Map<String, String> attributes(List<WeightedRoute> routes, String stable, String canary, boolean allStable) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (WeightedRoute route : routes) {
            attributes.put("route " + route.name() + " " + stable + " weight", (allStable ? 100 : route.stableWeight()) + "%");
            attributes.put("route " + route.name() + " " + canary + " weight", (allStable ? 0 : route.canaryWeight()) + "%");
        }
        return attributes;
    }

    private static String weightsText(List<WeightedRoute> routes, String stable, String canary) {
        return routes.stream().map(r -> r.name() + ": " + r.weights(stable, canary)).collect(Collectors.joining("; "));
    }

    private static String routeCount(int routes) {
        return routes == 1 ? "its 1 weighted route" : routes + " weighted routes";
    }

    private static String ownerWarning(OwnerReference owner) {
        return "Owned by " + owner.getKind() + " " + owner.getName() + ": its controller sets these weights and may "
                + "undo the rollback; roll back through it (e.g. abort the " + owner.getKind() + ") or pause it";
    }

    private GenericKubernetesResource virtualService(Target target) {
        GenericKubernetesResource service;
        try {
            service = resource(target).get();
        } catch (KubernetesClientException e) {
            throw new AdapterException("cannot read VirtualService " + name(target) + ": " + KubernetesErrors.describe(e), e);
        }
        if (service == null) {
            throw new AdapterException("VirtualService " + name(target) + " not found");
        }
        return service;
    }

    private Resource<GenericKubernetesResource> resource(Target target) {
        Spec spec = spec(target);
        String[] apiVersion = spec.version().split("/", 2);
        ResourceDefinitionContext context = new ResourceDefinitionContext.Builder().withGroup(apiVersion[0])
                .withVersion(apiVersion[1]).withKind("VirtualService").withPlural("virtualservices")
                .withNamespaced(true).build();
        return client.genericKubernetesResources(context).inNamespace(spec.namespace()).withName(spec.virtualService());
    }

    private static Object http(GenericKubernetesResource service) {
        Object spec = service.getAdditionalProperties().get("spec");
        return spec instanceof Map<?, ?> map ? map.get("http") : null;
    }

    private static int httpRoutes(GenericKubernetesResource service) {
        return http(service) instanceof List<?> list ? list.size() : 0;
    }

    private static Spec spec(Target target) {
        return target.as(Spec.class);
    }

    private static String name(Target target) {
        Spec spec = spec(target);
        return spec.namespace() + "/" + spec.virtualService();
    }
}
