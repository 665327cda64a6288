package dev.rewind.testing;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.utils.ResponseProvider;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * fabric8's Kubernetes mock server in CRUD mode (with expectations first, for what CRUD cannot serve,
 * such as pod logs), plus small stand-ins for two controllers the mock lacks. The Deployment
 * controller: when a Deployment's spec changes it finds or creates the ReplicaSet for the new
 * template, numbers its revision as the real controller does, and reports the rollout done, or stuck
 * with ImagePullBackOff for images the test marked as broken. The Job controller: a new Job gets a
 * pod, runs for a tick, then succeeds — or fails, or hangs, as the test scripted for its command —
 * and its pod's log is served the way {@code getLog()} with {@code tailingLines(20)} or
 * {@code limitBytes(65536)} asks for it.
 */
public final class KubernetesWorld implements AutoCloseable {

    private static final String REVISION = "deployment.kubernetes.io/revision";

    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final ScheduledExecutorService controller = ControllerSim.thread("fake-deployment-controller");
    private final Set<String> brokenImages = ConcurrentHashMap.newKeySet();
    private final Set<String> unready = ConcurrentHashMap.newKeySet();
    private static final String BOT_HEADER = "X-Rewind-Test-Client";
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final List<String> botCalls = new CopyOnWriteArrayList<>();
    private final Map<String, JobScript> jobScripts = new ConcurrentHashMap<>();
    private volatile boolean paused;
    private final Set<String> denied = ConcurrentHashMap.newKeySet();
    private volatile boolean accessReviewsRefused;

    public KubernetesWorld() {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations) {
                    @Override
                    public io.fabric8.mockwebserver.http.MockResponse dispatch(
                            io.fabric8.mockwebserver.http.RecordedRequest request) {
                        calls.add(request.getMethod() + " " + request.getPath());
                        if (request.getHeader(BOT_HEADER) != null) {
                            botCalls.add(request.getMethod() + " " + request.getPath());
                        }
                        return closedOffTheEventLoop(super.dispatch(request));
                    }
                }, false);
        server.init();
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
                .andReply(new AccessReviews()).always();
        client = server.createClient();
        controller.scheduleWithFixedDelay(this::reconcileAll, 20, 20, TimeUnit.MILLISECONDS);
        controller.scheduleWithFixedDelay(this::runJobs, 20, 20, TimeUnit.MILLISECONDS);
    }

    /** From now on, access reviews say Rewind may not {@code verb} {@code resource} (e.g. "patch", "deployments"). */
    public void deny(String verb, String resource) {
        denied.add(verb + " " + resource);
    }

    /** From now on, the API server refuses access reviews themselves (403), as a locked-down cluster may. */
    public void refuseAccessReviews() {
        accessReviewsRefused = true;
    }

    /** Answers SelfSubjectAccessReviews: allowed unless {@link #deny} said otherwise. */
    private final class AccessReviews implements ResponseProvider<Object> {
        @Override
        public int getStatusCode(RecordedRequest request) {
            return accessReviewsRefused ? 403 : 201;
        }

        @Override
        public Object getBody(RecordedRequest request) {
            if (accessReviewsRefused) {
                return new StatusBuilder().withCode(403).withReason("Forbidden").withMessage("selfsubjectaccessreviews"
                        + ".authorization.k8s.io is forbidden").build();
            }
            SelfSubjectAccessReview review = Serialization.unmarshal(request.getUtf8Body(), SelfSubjectAccessReview.class);
            var asked = review.getSpec().getResourceAttributes();
            boolean allowed = !denied.contains(asked.getVerb() + " " + asked.getResource());
            review.setStatus(new SubjectAccessReviewStatusBuilder().withAllowed(allowed)
                    .withReason(allowed ? "allowed by the test's RBAC" : "no RBAC rule allows it").build());
            return review;
        }

        @Override
        public Headers getHeaders() {
            return Headers.builder().build();
        }

        @Override
        public void setHeaders(Headers headers) {
        }
    }

    /**
     * The mock's watch listener waits, in {@code onClosed}, for its sender thread to finish, while that
     * thread waits for the same Vert.x event loop to flush a write: a watch closed while an event is in
     * flight stalls every connection on that loop for up to 30 s. Closing on another thread breaks the cycle.
     */
    private static io.fabric8.mockwebserver.http.MockResponse closedOffTheEventLoop(
            io.fabric8.mockwebserver.http.MockResponse response) {
        WebSocketListener watch = response.getWebSocketListener();
        if (watch == null) {
            return response;
        }
        return response.withWebSocketUpgrade(new WebSocketListener() {
            @Override
            public void onBeforeAccept(WebSocket socket, Response upgrade) {
                watch.onBeforeAccept(socket, upgrade);
            }

            @Override
            public void onOpen(WebSocket socket, Response upgrade) {
                watch.onOpen(socket, upgrade);
            }

            @Override
            public void onMessage(WebSocket socket, String text) {
                watch.onMessage(socket, text);
            }

            @Override
            public void onMessage(WebSocket socket, byte[] bytes) {
                watch.onMessage(socket, bytes);
            }

            @Override
            public void onClosing(WebSocket socket, int code, String reason) {
                watch.onClosing(socket, code, reason);
            }

            @Override
            public void onClosed(WebSocket socket, int code, String reason) {
                offTheEventLoop(() -> watch.onClosed(socket, code, reason));
            }

            @Override
            public void onFailure(WebSocket socket, Throwable failure, Response upgrade) {
                offTheEventLoop(() -> watch.onFailure(socket, failure, upgrade));
            }
        });
    }

    private static void offTheEventLoop(Runnable close) {
        Thread thread = new Thread(close, "mock-watch-close");
        thread.setDaemon(true);
        thread.start();
    }

    public KubernetesClient client() {
        return client;
    }

    /** A fresh client for the bot, so closing it does not close the test's. */
    public KubernetesClient newClient() {
        return track(server.createClient());
    }

    private final List<KubernetesClient> clients = new CopyOnWriteArrayList<>();

    private KubernetesClient track(KubernetesClient created) {
        clients.add(created);
        return created;
    }

    /**
     * A client for the code under test whose calls are told apart from the fake controllers' (see
     * {@link #drainBotCalls()}), so a test can record exactly what Rewind asked of the API server.
     */
    public KubernetesClient botClient() {
        Interceptor marker = new Interceptor() {
            @Override
            public void before(BasicBuilder request, HttpRequest original, Interceptor.RequestTags tags) {
                request.setHeader(BOT_HEADER, "bot");
            }
        };
        return track(server.createClient(builder -> builder.withHttpClientBuilderConsumer(
                http -> http.addOrReplaceInterceptor("rewind-test-client", marker))));
    }

    /** The calls made through {@link #botClient()} clients since the last drain, as {@code "GET /apis/apps/v1/…"}. */
    public List<String> drainBotCalls() {
        List<String> drained = List.copyOf(botCalls);
        botCalls.removeAll(drained);
        return drained;
    }

    /** A kubeconfig file that points at the mock server, for a bot started as a separate process. */
    public Path kubeconfig(Path dir) throws java.io.IOException {
        String url = client.getMasterUrl().toString();
        Path file = dir.resolve("kubeconfig");
        Files.writeString(file, String.join("\n",
                "apiVersion: v1", "kind: Config", "clusters:", "- name: mock", "  cluster:", "    server: " + url,
                "contexts:", "- name: mock", "  context:", "    cluster: mock", "    user: mock", "    namespace: shop",
                "current-context: mock", "users:", "- name: mock", "  user:", "    token: mock-token", ""));
        return file;
    }

    /** A Deployment whose history holds one revision per image, the last one live. */
    public void deployment(String namespace, String name, int replicas, String... images) {
        for (int i = 0; i < images.length; i++) {
            String image = images[i];
            if (i == 0) {
                client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                        .withNewSpec().withReplicas(replicas).withRevisionHistoryLimit(10)
                        .withNewSelector().addToMatchLabels("app", name).endSelector()
                        .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                        .withNewSpec().addNewContainer().withName("app").withImage(image)
                        .addNewEnv().withName("FEATURE").withValue("v" + i).endEnv()
                        .endContainer().endSpec().endTemplate()
                        .endSpec().build()).create();
            } else {
                int index = i;
                client.apps().deployments().inNamespace(namespace).withName(name).edit(d -> {
                    d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
                    d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().get(0).setValue("v" + index);
                    return d;
                });
            }
            awaitReconciled(namespace, name);
        }
    }

    /** A new release of an existing Deployment: its container's image changed, rolled out by the fake controller. */
    public void deploy(String namespace, String name, String image) {
        client.apps().deployments().inNamespace(namespace).withName(name).edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
            return d;
        });
        awaitReconciled(namespace, name);
    }

    /** A Deployment with one revision whose pods carry {@code podLabels} (also its selector), e.g. a blue-green slot. */
    public void deployment(String namespace, String name, Map<String, String> podLabels, int replicas, String image) {
        client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().addToMatchLabels(podLabels).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels(podLabels).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage(image).endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
        awaitReconciled(namespace, name);
    }

    /** A Service selecting pods by {@code selector}. */
    public void service(String namespace, String name, Map<String, String> selector) {
        client.services().inNamespace(namespace).resource(new ServiceBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withSelector(selector).addNewPort().withName("http").withPort(80)
                .withNewTargetPort("http").endPort().endSpec().build()).create();
    }

    /** Changes a Deployment's replica count, as {@code kubectl scale} does, and waits for the fake controller. */
    public void scale(String namespace, String name, int replicas) {
        client.apps().deployments().inNamespace(namespace).withName(name).edit(d -> {
            d.getSpec().setReplicas(replicas);
            return d;
        });
        awaitReconciled(namespace, name);
    }

    /** From now on the Deployment's pods crash (none ready), as if its image were bad at runtime. */
    public void crashPods(String namespace, String name) {
        unready.add(namespace + "/" + name);
        client.apps().deployments().inNamespace(namespace).withName(name).editStatus(d -> {
            d.getStatus().setObservedGeneration(d.getStatus().getObservedGeneration() - 1);
            return d;
        });
        awaitReconciled(namespace, name);
    }

    /**
     * How many API calls so far (by anyone, the fake controllers included) match, e.g.
     * {@code call -> call.startsWith("PATCH /api/v1/namespaces/shop/services/")}. Unlike
     * {@link #drainRequests()} this works while the fake controllers keep polling.
     */
    public long callsMatching(Predicate<String> call) {
        return calls.stream().filter(call).count();
    }

    /** Creates the ConfigMap, or replaces its data, as {@code kubectl apply} would. */
    public void configMap(String namespace, String name, Map<String, String> data) {
        client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).endMetadata().withData(data).build()).createOr(NonDeletingOperation::update);
    }

    /**
     * Creates the Secret, or replaces its data, from clear values. Written as base64 {@code data}: the
     * mock does not turn {@code stringData} into {@code data} as a real API server does.
     */
    public void secret(String namespace, String name, Map<String, String> values) {
        Map<String, String> data = new LinkedHashMap<>();
        values.forEach((key, value) -> data.put(key, java.util.Base64.getEncoder()
                .encodeToString(value.getBytes(StandardCharsets.UTF_8))));
        client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).endMetadata().withData(data).build()).createOr(NonDeletingOperation::update);
    }

    /** A Secret's values in clear, for assertions. */
    public Map<String, String> secretValues(String namespace, String name) {
        Map<String, String> values = new LinkedHashMap<>();
        client.secrets().inNamespace(namespace).withName(name).get().getData().forEach((key, value) ->
                values.put(key, new String(java.util.Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
        return values;
    }

    /** Jobs whose image or command contains {@code needle} fail (BackoffLimitExceeded), their pod logging {@code log}. */
    public void jobFails(String needle, String log) {
        jobScripts.put(needle, new JobScript(JobEnd.FAIL, log));
    }

    /** Jobs whose image or command contains {@code needle} succeed, their pod logging {@code log}. */
    public void jobPrints(String needle, String log) {
        jobScripts.put(needle, new JobScript(JobEnd.SUCCEED, log));
    }

    /** Jobs whose image or command contains {@code needle} never start: their pod waits on ImagePullBackOff. */
    public void jobHangs(String needle) {
        jobScripts.put(needle, new JobScript(JobEnd.HANG, ""));
    }

    public List<Job> jobs(String namespace) {
        return client.batch().v1().jobs().inNamespace(namespace).list().getItems();
    }

    private enum JobEnd { SUCCEED, FAIL, HANG }

    private record JobScript(JobEnd end, String log) {
    }

    private void runJobs() {
        if (paused) {
            return;
        }
        try {
            for (Job job : client.batch().v1().jobs().inAnyNamespace().list().getItems()) {
                if (job.getStatus() == null || job.getStatus().getStartTime() == null) {
                    startJob(job);
                } else if (job.getStatus().getConditions() == null || job.getStatus().getConditions().isEmpty()) {
                    finishJob(job);
                }
            }
        } catch (RuntimeException e) {
            // the mock server is shutting down, or a write raced with the test; try again next tick
        }
    }

    private JobScript script(Job job) {
        var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        String text = container.getImage() + " " + String.join(" ", Optional.ofNullable(container.getCommand()).orElse(List.of()))
                + " " + String.join(" ", Optional.ofNullable(container.getArgs()).orElse(List.of()));
        return jobScripts.entrySet().stream().filter(e -> text.contains(e.getKey())).map(Map.Entry::getValue).findFirst()
                .orElse(new JobScript(JobEnd.SUCCEED, ""));
    }

    private static String podOf(Job job) {
        return job.getMetadata().getName() + "-x7k2q";
    }

    private void startJob(Job job) {
        String ns = job.getMetadata().getNamespace();
        JobScript script = script(job);
        var waiting = new ContainerStatusBuilder().withName("job").withNewState().withNewWaiting()
                .withReason("ImagePullBackOff").withMessage("Back-off pulling image \""
                        + job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage() + "\"")
                .endWaiting().endState().build();
        var running = new ContainerStatusBuilder().withName("job").withNewState().withNewRunning().endRunning().endState().build();
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(podOf(job)).withNamespace(ns)
                .addToLabels("job-name", job.getMetadata().getName())
                .addToLabels("batch.kubernetes.io/job-name", job.getMetadata().getName())
                .withCreationTimestamp(Instant.now().toString()).endMetadata()
                .withNewStatus().withPhase(script.end() == JobEnd.HANG ? "Pending" : "Running")
                .withContainerStatuses(script.end() == JobEnd.HANG ? waiting : running).endStatus().build())
                .createOr(NonDeletingOperation::update);
        job.setStatus(new JobStatusBuilder().withActive(1).withStartTime(Instant.now().toString()).build());
        client.batch().v1().jobs().inNamespace(ns).resource(job).updateStatus();
    }

    private void finishJob(Job job) {
        JobScript script = script(job);
        if (script.end() == JobEnd.HANG) {
            return;
        }
        String ns = job.getMetadata().getNamespace();
        boolean failed = script.end() == JobEnd.FAIL;
        String log = "/api/v1/namespaces/" + ns + "/pods/" + podOf(job) + "/log?pretty=false";
        server.expect().get().withPath(log + "&tailLines=20").andReturn(200, script.log()).always();
        server.expect().get().withPath(log + "&limitBytes=65536").andReturn(200, script.log()).always();
        client.pods().inNamespace(ns).withName(podOf(job)).editStatus(pod -> {
            pod.getStatus().setPhase(failed ? "Failed" : "Succeeded");
            pod.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName("job").withNewState()
                    .withNewTerminated().withExitCode(failed ? 1 : 0).withReason(failed ? "Error" : "Completed")
                    .endTerminated().endState().build()));
            return pod;
        });
        String now = Instant.now().toString();
        job.getStatus().setActive(null);
        job.getStatus().setCompletionTime(failed ? null : now);
        job.getStatus().setSucceeded(failed ? null : 1);
        job.getStatus().setFailed(failed ? 1 : null);
        job.getStatus().setConditions(List.of(failed
                ? new JobConditionBuilder().withType("Failed").withStatus("True").withReason("BackoffLimitExceeded")
                        .withMessage("Job has reached the specified backoff limit").build()
                : new JobConditionBuilder().withType("Complete").withStatus("True").build()));
        client.batch().v1().jobs().inNamespace(ns).resource(job).updateStatus();
    }

    /** The API calls made since the last drain, as {@code "GET /apis/apps/v1/…"}. */
    public List<String> drainRequests() {
        return drainRequests(null);
    }

    /** The API calls made since the last drain by clients with this User-Agent (any, when null). */
    public List<String> drainRequests(String userAgent) {
        List<String> calls = new java.util.ArrayList<>();
        try {
            io.fabric8.mockwebserver.http.RecordedRequest request;
            while ((request = server.takeRequest(200, TimeUnit.MILLISECONDS)) != null) {
                if (userAgent == null || userAgent.equals(request.getHeader("User-Agent"))) {
                    calls.add(request.getMethod() + " " + request.getPath());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return calls;
    }

    public void breakImage(String image) {
        brokenImages.add(image);
    }

    /** Whether a test marked this image as one whose pull fails (ImagePullBackOff). */
    public boolean isBroken(String image) {
        return brokenImages.contains(image);
    }

    /** Stops the fake controllers, as if the cluster's control plane were slow. */
    public void pauseController(boolean paused) {
        this.paused = paused;
    }

    public Deployment get(String namespace, String name) {
        return client.apps().deployments().inNamespace(namespace).withName(name).get();
    }

    public String image(String namespace, String name) {
        return get(namespace, name).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    public List<ReplicaSet> replicaSets(String namespace) {
        return client.apps().replicaSets().inNamespace(namespace).list().getItems();
    }

    private void awaitReconciled(String namespace, String name) {
        ControllerSim.awaitReconciled(namespace + "/" + name, () -> {
            Deployment d = get(namespace, name);
            return d.getStatus() != null && d.getMetadata().getGeneration() != null
                    && d.getMetadata().getGeneration().equals(d.getStatus().getObservedGeneration());
        });
    }

    private void reconcileAll() {
        if (paused) {
            return;
        }
        try {
            for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
                long generation = d.getMetadata().getGeneration() == null ? 1 : d.getMetadata().getGeneration();
                Long observed = d.getStatus() == null ? null : d.getStatus().getObservedGeneration();
                if (observed == null || observed != generation) {
                    reconcile(d, generation);
                }
            }
        } catch (RuntimeException e) {
            // the mock server is shutting down, or a write raced with the test; try again next tick
        }
    }

    private void reconcile(Deployment d, long generation) {
        String ns = d.getMetadata().getNamespace();
        String name = d.getMetadata().getName();
        PodTemplateSpec template = d.getSpec().getTemplate();
        String hash = hash(template);
        List<ReplicaSet> sets = client.apps().replicaSets().inNamespace(ns).list().getItems().stream()
                .filter(rs -> rs.getMetadata().getOwnerReferences() != null && rs.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> d.getMetadata().getUid().equals(o.getUid())))
                .toList();
        long maxRevision = sets.stream().mapToLong(rs -> Long.parseLong(rs.getMetadata().getAnnotations()
                .getOrDefault(REVISION, "0"))).max().orElse(0);
        ReplicaSet current = sets.stream().filter(rs -> hash.equals(rs.getMetadata().getLabels().get("pod-template-hash")))
                .findFirst().orElse(null);
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        long revision;
        if (current == null) {
            revision = maxRevision + 1;
            Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels());
            labels.put("pod-template-hash", hash);
            PodTemplateSpec rsTemplate = Serialization.clone(template);
            rsTemplate.getMetadata().setLabels(labels);
            Map<String, String> annotations = new LinkedHashMap<>();
            annotations.put(REVISION, Long.toString(revision));
            if (d.getMetadata().getAnnotations() != null && d.getMetadata().getAnnotations().containsKey("kubernetes.io/change-cause")) {
                annotations.put("kubernetes.io/change-cause", d.getMetadata().getAnnotations().get("kubernetes.io/change-cause"));
            }
            client.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder()
                    .withMetadata(new ObjectMetaBuilder().withName(name + "-" + hash).withNamespace(ns)
                            .withLabels(labels).withAnnotations(annotations)
                            .withCreationTimestamp(Instant.now().toString())
                            .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
                                    .withName(name).withUid(d.getMetadata().getUid()).withController(true).build())
                            .build())
                    .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(labels).endSelector()
                    .withTemplate(rsTemplate).endSpec()
                    .withStatus(new ReplicaSetStatusBuilder().withReplicas(replicas).withReadyReplicas(replicas).build())
                    .build()).create();
        } else {
            long existing = Long.parseLong(current.getMetadata().getAnnotations().getOrDefault(REVISION, "0"));
            revision = existing == maxRevision ? existing : maxRevision + 1;
            client.apps().replicaSets().inNamespace(ns).withName(current.getMetadata().getName()).edit(rs -> {
                rs.getMetadata().getAnnotations().put(REVISION, Long.toString(revision));
                rs.getSpec().setReplicas(replicas);
                return rs;
            });
        }
        for (ReplicaSet other : sets) {
            if (!hash.equals(other.getMetadata().getLabels().get("pod-template-hash"))
                    && other.getSpec().getReplicas() != null && other.getSpec().getReplicas() > 0) {
                client.apps().replicaSets().inNamespace(ns).withName(other.getMetadata().getName()).edit(rs -> {
                    rs.getSpec().setReplicas(0);
                    rs.setStatus(new ReplicaSetStatusBuilder().withReplicas(0).build());
                    return rs;
                });
            }
        }
        boolean broken = template.getSpec().getContainers().stream().anyMatch(c -> brokenImages.contains(c.getImage()));
        boolean crashing = unready.contains(ns + "/" + name);
        client.apps().deployments().inNamespace(ns).withName(name).edit(latest -> {
            if (latest.getMetadata().getAnnotations() == null) {
                latest.getMetadata().setAnnotations(new LinkedHashMap<>());
            }
            latest.getMetadata().getAnnotations().put(REVISION, Long.toString(revision));
            return latest;
        });
        Deployment latest = get(ns, name);
        if (broken) {
            ControllerSim.waitingPod(client, ns, name + "-" + hash + "-x", Map.of("app", name, "pod-template-hash", hash),
                    "ImagePullBackOff", "Back-off pulling image \"" + template.getSpec().getContainers().get(0).getImage() + "\"");
            latest.setStatus(new DeploymentStatusBuilder().withObservedGeneration(latest.getMetadata().getGeneration())
                    .withReplicas(replicas + 1).withUpdatedReplicas(1).withReadyReplicas(replicas)
                    .withAvailableReplicas(replicas)
                    .withConditions(new DeploymentConditionBuilder().withType("Progressing").withStatus("False")
                            .withReason("ProgressDeadlineExceeded").withMessage("ReplicaSet \"" + name + "-" + hash
                                    + "\" has timed out progressing.").build())
                    .build());
        } else if (crashing) {
            Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels());
            labels.put("pod-template-hash", hash);
            ControllerSim.waitingPod(client, ns, name + "-" + hash + "-c", labels, "CrashLoopBackOff",
                    "back-off 40s restarting failed container=app");
            latest.setStatus(new DeploymentStatusBuilder().withObservedGeneration(latest.getMetadata().getGeneration())
                    .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(0).withAvailableReplicas(0)
                    .withConditions(new DeploymentConditionBuilder().withType("Progressing").withStatus("True")
                            .withReason("ReplicaSetUpdated").build())
                    .build());
        } else {
            latest.setStatus(new DeploymentStatusBuilder().withObservedGeneration(latest.getMetadata().getGeneration())
                    .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(replicas)
                    .withAvailableReplicas(replicas)
                    .withConditions(new DeploymentConditionBuilder().withType("Progressing").withStatus("True")
                            .withReason("NewReplicaSetAvailable").build())
                    .build());
        }
        client.apps().deployments().inNamespace(ns).resource(latest).updateStatus();
    }

    private static String hash(PodTemplateSpec template) {
        return ControllerSim.templateHash(template, "pod-template-hash");
    }

    static Comparator<ReplicaSet> byRevision() {
        return Comparator.comparingLong(rs -> Long.parseLong(rs.getMetadata().getAnnotations().getOrDefault(REVISION, "0")));
    }

    @Override
    public void close() {
        controller.shutdownNow();
        clients.forEach(KubernetesClient::close);
        client.close();
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            // a connection the mock server still held open; the test is over either way
        }
    }
}
