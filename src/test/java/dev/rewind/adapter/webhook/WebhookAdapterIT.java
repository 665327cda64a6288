package dev.rewind.adapter.webhook;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.adapter.RollbackAdapterContract;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.http.RetryingHttp;
import dev.rewind.config.Secrets;
import dev.rewind.testing.FakeHttpService.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The contract and the whole round trip: signed POST out, signed reports back through Rewind's web
 * server; and the reports that must not count (forged, replayed onto another run, stale, v1, before
 * the request or after the step), each refused with its reason while the step goes on.
 */
class WebhookAdapterIT extends RollbackAdapterContract {

    private WebhookWorld world;
    private WebhookAdapter adapter;

    @BeforeEach
    void world() {
        world = new WebhookWorld();
        adapter = new WebhookAdapter(Secrets.of(Map.of("WEBHOOK_SECRET", WebhookWorld.SECRET)),
                new RetryingHttp(HttpClient.newHttpClient(), new RetryingHttp.Backoff(3, Duration.ofMillis(10),
                        Duration.ofMillis(50))), world.callbacks(), world.publicUrl());
    }

    @AfterEach
    void close() {
        world.close();
    }

    @Override
    protected RollbackAdapter adapter() {
        return adapter;
    }

    @Override
    protected Target target() {
        return target(Map.of());
    }

    private Target target(Map<String, Object> extra) {
        Map<String, Object> spec = new HashMap<>(Map.of("url", world.receiverUrl(), "secretEnv", "WEBHOOK_SECRET",
                "timeout", "10m"));
        spec.putAll(extra);
        return new Target(WebhookAdapter.TYPE, spec);
    }

    @Override
    protected Target missingTarget() {
        return target(Map.of("secretEnv", "NO_SUCH_SECRET"));
    }

    @Override
    protected void assertLiveIs(Revision chosen) {
        assertThat(world.deliveries()).as("deliveries to the receiver").last().satisfies(d -> {
            assertThat(d.signatureValid()).isTrue();
            assertThat(d.payload().path("to").asString()).isEqualTo(chosen.label());
        });
    }

    /**
     * Rollbacks the receiver was asked for: run ids, not requests. A re-run sends its request again (no
     * report from before it counts), and the receiver makes one change per X-Rewind-Run, as the README asks.
     */
    @Override
    protected long changesSeen() {
        return world.deliveries().stream().map(WebhookWorld.Delivery::runId).distinct().count();
    }

    private Change change(String runId) {
        Revision from = new Revision("as-deployed", "v2.0 (as deployed)", List.of(), Optional.empty(), Optional.empty(), Map.of());
        Revision to = new Revision("previous", "v1.9", List.of(), Optional.empty(), Optional.empty(), Map.of());
        return new Change(runId, "checkout", "production", "previous", Optional.of(from), Optional.of(to),
                "errors at 40%", "U0ALICE");
    }

    @Test
    void theReceiverGetsTheSignedWireFormat() {
        adapter.execute(target(), change("rb-hook0000001"), Progress.NONE, Duration.ofSeconds(10));

        WebhookWorld.Delivery delivery = world.deliveries().get(0);
        assertThat(delivery.signatureValid()).as("v2 HMAC-SHA256 of run id, timestamp and raw body with the shared secret")
                .isTrue();
        assertThat(delivery.signature()).startsWith("v2=");
        assertThat(delivery.runId()).isEqualTo("rb-hook0000001");
        assertThat(Long.parseLong(delivery.timestamp())).isCloseTo(Instant.now().getEpochSecond(), within(10L));
        var payload = delivery.payload();
        assertThat(payload.propertyNames()).containsExactly("runId", "service", "environment", "from", "to", "reason",
                "callbackUrl");
        assertThat(payload.path("runId").asString()).isEqualTo("rb-hook0000001");
        assertThat(payload.path("service").asString()).isEqualTo("checkout");
        assertThat(payload.path("environment").asString()).isEqualTo("production");
        assertThat(payload.path("from").asString()).isEqualTo("v2.0 (as deployed)");
        assertThat(payload.path("to").asString()).isEqualTo("v1.9");
        assertThat(payload.path("reason").asString()).isEqualTo("errors at 40%");
        assertThat(payload.path("callbackUrl").asString()).isEqualTo(world.publicUrl() + "/runs/rb-hook0000001/events");
    }

    @Test
    void progressReportsArePassedOnAndSuccessEndsTheStep() {
        world.script(List.of(Map.of("status", "progress", "message", "draining traffic"),
                Map.of("status", "progress", "message", "v1.9 is live on 3/3 hosts"),
                Map.of("status", "succeeded", "message", "rolled back to v1.9")));
        List<String> steps = Collections.synchronizedList(new ArrayList<>());

        Outcome outcome = adapter.execute(target(), change("rb-hook0000002"), steps::add, Duration.ofSeconds(10));

        assertThat(steps).containsSubsequence("Webhook receiver: draining traffic", "Webhook receiver: v1.9 is live on 3/3 hosts");
        assertThat(outcome.summary()).contains("reported success: rolled back to v1.9");
        assertThat(outcome.summary()).doesNotContain("in-the-query");
        assertThat(outcome.recorded()).containsEntry("callbackUrl", world.publicUrl() + "/runs/rb-hook0000002/events");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(world.reports()).as("status reports received").hasSize(3));
        assertThat(world.reports()).as("status reports received").extracting(WebhookWorld.Report::status).containsOnly(200);
        assertThat(adapter.verify(target()).detail()).contains("rolled back to v1.9");
    }

    @Test
    void aFailureReportFailsTheStepWithTheReceiversWords() {
        world.script(List.of(Map.of("status", "failed", "message", "previous build was garbage-collected")));
        assertThatThrownBy(() -> adapter.execute(target(), change("rb-hook0000003"), Progress.NONE, Duration.ofSeconds(10)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("reported failure: previous build was garbage-collected");
        assertThat(adapter.verify(target()).status()).isEqualTo(Health.Status.UNHEALTHY);
    }

    @Test
    void silenceBeyondTheTimeoutFailsSayingSo() {
        world.script(List.of(Map.of("status", "progress", "message", "working on it")));
        assertThatThrownBy(() -> adapter.execute(target(Map.of("timeout", "300ms")), change("rb-hook0000004"),
                Progress.NONE, Duration.ofSeconds(10)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("no completion within 300ms");
    }

    @Test
    void nonSuccessAnswersAreRetried() {
        world.receiver().failNext(2, Reply.error(503, "busy"));
        adapter.execute(target(), change("rb-hook0000005"), Progress.NONE, Duration.ofSeconds(10));
        assertThat(world.receiver().requests()).hasSize(3);
    }

    @Test
    void aReceiverThatKeepsRefusingFailsWithItsAnswer() {
        world.receiver().failNext(3, Reply.error(500, "no such service"));
        assertThatThrownBy(() -> adapter.execute(target(), change("rb-hook0000006"), Progress.NONE, Duration.ofSeconds(10)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("answered HTTP 500").hasMessageContaining("no such service")
                .hasMessageNotContaining("in-the-query");
    }

    @Test
    void forgedStaleAndV1ReportsGet401WithTheReasonAndChangeNothing() throws Exception {
        world.script(List.of());
        CompletableFuture<Outcome> running = CompletableFuture.supplyAsync(() ->
                adapter.execute(target(), change("rb-hook0000007"), Progress.NONE, Duration.ofSeconds(10)));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(world.deliveries()).as("deliveries to the receiver").isNotEmpty());

        String body = "{\"status\":\"succeeded\",\"message\":\"forged\"}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String now = Long.toString(Instant.now().getEpochSecond());
        HttpResponse<String> forged = world.report("rb-hook0000007", body, now,
                WebhookWorld.v2("not-the-secret", now, "rb-hook0000007", bytes));
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.body()).contains("does not match the run id rb-hook0000007");
        HttpResponse<String> unsigned = world.report("rb-hook0000007", body, now, null);
        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(unsigned.body()).contains("missing X-Rewind-Signature");
        HttpResponse<String> v1 = world.report("rb-hook0000007", body, now, WebhookWorld.v1(WebhookWorld.SECRET, bytes));
        assertThat(v1.statusCode()).as("the old body-only signature").isEqualTo(401);
        assertThat(v1.body()).contains("v1 signature");
        HttpResponse<String> noTime = world.report("rb-hook0000007", body, null,
                WebhookWorld.v2(WebhookWorld.SECRET, now, "rb-hook0000007", bytes));
        assertThat(noTime.statusCode()).isEqualTo(401);
        assertThat(noTime.body()).contains("missing X-Rewind-Timestamp");
        HttpResponse<String> old = world.signedReport("rb-hook0000007", body, Instant.now().getEpochSecond() - 400);
        assertThat(old.statusCode()).as("a report signed 400 s ago").isEqualTo(401);
        assertThat(old.body()).contains("6m40s in the past");
        HttpResponse<String> future = world.signedReport("rb-hook0000007", body, Instant.now().getEpochSecond() + 400);
        assertThat(future.statusCode()).as("a report signed 400 s ahead").isEqualTo(401);
        assertThat(future.body()).contains("6m40s in the future");
        assertThat(running).as("none of them ended the step").isNotDone();

        assertThat(world.signedReport("rb-hook0000007", "{\"status\":\"succeeded\",\"message\":\"ok\"}").statusCode())
                .isEqualTo(200);
        assertThat(running.get(5, TimeUnit.SECONDS).summary()).contains("reported success: ok");
    }

    @Test
    void aCapturedReportForOneRunReplayedOntoAnotherGets401() throws Exception {
        adapter.execute(target(), change("rb-hookrunA01"), Progress.NONE, Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(world.reports()).as("status reports received").isNotEmpty());
        WebhookWorld.Report captured = world.reports().get(0);
        assertThat(captured.url()).endsWith("/runs/rb-hookrunA01/events");
        assertThat(captured.body()).contains("succeeded");

        world.script(List.of());
        CompletableFuture<Outcome> runB = CompletableFuture.supplyAsync(() ->
                adapter.execute(target(), change("rb-hookrunB01"), Progress.NONE, Duration.ofSeconds(10)));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(world.deliveries()).as("deliveries to the receiver").hasSize(2));

        HttpResponse<String> replayed = world.report("rb-hookrunB01", captured.body(), captured.timestamp(),
                captured.signature());
        assertThat(replayed.statusCode()).isEqualTo(401);
        assertThat(replayed.body()).contains("does not match the run id rb-hookrunB01");
        assertThat(runB).as("run B is still waiting for its own receiver").isNotDone();

        assertThat(world.signedReport("rb-hookrunB01", "{\"status\":\"failed\",\"message\":\"B's own answer\"}")
                .statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> runB.get(5, TimeUnit.SECONDS)).hasMessageContaining("B's own answer");
    }

    @Test
    void reportsAfterTheStepEndedOrTwiceGet409AndChangeNothing() {
        adapter.execute(target(), change("rb-hook0000010"), Progress.NONE, Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(world.reports()).as("status reports received").isNotEmpty());
        WebhookWorld.Report accepted = world.reports().get(0);
        assertThat(accepted.status()).isEqualTo(200);

        HttpResponse<String> again = world.report("rb-hook0000010", accepted.body(), accepted.timestamp(),
                accepted.signature());
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("no longer waiting");
        HttpResponse<String> late = world.signedReport("rb-hook0000010", "{\"status\":\"failed\",\"message\":\"late\"}");
        assertThat(late.statusCode()).isEqualTo(409);
        assertThat(late.body()).contains("run rb-hook0000010 is no longer waiting for a webhook report")
                .contains("already ended with succeeded");
        assertThat(adapter.verify(target()).status()).as("the late failure changed nothing").isEqualTo(Health.Status.HEALTHY);
    }

    @Test
    void theSameReportTwiceWhileWaitingCountsOnce() throws Exception {
        world.script(List.of());
        List<String> steps = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Outcome> running = CompletableFuture.supplyAsync(() ->
                adapter.execute(target(), change("rb-hook0000011"), steps::add, Duration.ofSeconds(10)));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(world.deliveries()).as("deliveries to the receiver").isNotEmpty());
        String body = "{\"status\":\"progress\",\"message\":\"draining\"}";
        String now = Long.toString(Instant.now().getEpochSecond());
        String signature = WebhookWorld.v2(WebhookWorld.SECRET, now, "rb-hook0000011", body.getBytes(StandardCharsets.UTF_8));

        assertThat(world.report("rb-hook0000011", body, now, signature).statusCode()).isEqualTo(200);
        HttpResponse<String> replayed = world.report("rb-hook0000011", body, now, signature);
        assertThat(replayed.statusCode()).isEqualTo(409);
        assertThat(replayed.body()).contains("already accepted");

        world.signedReport("rb-hook0000011", "{\"status\":\"succeeded\"}");
        running.get(5, TimeUnit.SECONDS);
        assertThat(steps).filteredOn(step -> step.contains("draining")).hasSize(1);
    }

    @Test
    void malformedReportsGet400WithTheReasonAndUnknownRuns404() {
        world.script(List.of());
        CompletableFuture.runAsync(() -> {
            try {
                adapter.execute(target(Map.of("timeout", "2s")), change("rb-hook0000008"), Progress.NONE, Duration.ofSeconds(10));
            } catch (AdapterException expected) {
                // times out: this test only sends malformed reports
            }
        });
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(world.deliveries()).as("deliveries to the receiver").isNotEmpty());

        HttpResponse<String> notJson = world.signedReport("rb-hook0000008", "status=succeeded");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).contains("not JSON");
        HttpResponse<String> badStatus = world.signedReport("rb-hook0000008", "{\"status\":\"done\"}");
        assertThat(badStatus.statusCode()).isEqualTo(400);
        assertThat(badStatus.body()).contains("'status' is 'done'");
        HttpResponse<String> unknown = world.signedReport("rb-nosuchrun1", "{\"status\":\"succeeded\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("rb-nosuchrun1");
    }

    @Test
    void aCompletionSentBeforeTheRequestGets409AndTheExecuteStillAsksTheReceiver() {
        world.callbacks().connect(runId -> runId.equals("rb-hook0000009") ? List.of(WebhookWorld.SECRET) : List.of());
        HttpResponse<String> early = world.signedReport("rb-hook0000009",
                "{\"status\":\"succeeded\",\"message\":\"done while you were away\"}");
        assertThat(early.statusCode()).isEqualTo(409);
        assertThat(early.body()).contains("has not sent run rb-hook0000009's webhook request");
        world.script(List.of(Map.of("status", "succeeded", "message", "rolled back just now")));

        Outcome outcome = adapter.execute(target(), change("rb-hook0000009"), Progress.NONE, Duration.ofSeconds(10));

        assertThat(world.deliveries()).as("deliveries to the receiver").as("the request is sent whatever arrived before").hasSize(1);
        assertThat(outcome.summary()).contains("rolled back just now").doesNotContain("while you were away");
    }

    @Test
    void describeNeedsTheSecretAndOffersPrevious() {
        TargetState state = adapter.describe(target());
        assertThat(state.current().label()).isEqualTo("as deployed");
        assertThat(state.candidates()).extracting(Revision::id).containsExactly("previous");
        assertThat(state.facts()).anyMatch(f -> f.value().equals(world.publicUrl() + "/runs/{runId}/events"));
        assertThat(state.target()).doesNotContain("in-the-query");
        assertThatThrownBy(() -> adapter.describe(missingTarget())).hasMessageContaining("NO_SUCH_SECRET");
    }

    @Test
    void validateChecksTheTimeout() {
        assertThatThrownBy(() -> adapter.validate(target(Map.of("timeout", "ten minutes"))))
                .isInstanceOf(Target.InvalidTargetException.class).hasMessageContaining("'timeout'");
    }
}
