package dev.rewind.store;

import dev.rewind.testing.RunBuilder;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.TargetState;
import dev.rewind.assess.Assessment;
import dev.rewind.assess.SignalReading;
import dev.rewind.assess.TargetView;
import dev.rewind.assess.Tier;
import dev.rewind.assess.Verdict;
import dev.rewind.rollback.Approval;
import dev.rewind.rollback.ApprovalStore;
import dev.rewind.rollback.RunTimeline;
import dev.rewind.rollback.AuditLog;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunEvent;
import dev.rewind.rollback.FollowUpTask;
import dev.rewind.rollback.FollowUpTasks;
import dev.rewind.rollback.RunRepository;
import dev.rewind.rollback.RunState;
import dev.rewind.signals.Reading;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store's guarantees, the same on H2 (the embedded default) and PostgreSQL (for several
 * replicas): conditional transitions, one run per target, exclusive leases, distinct approvals, an
 * audit chain that stays linear under concurrent writers and shows tampering.
 */
class StoreIT extends OnBothDatabases {

    private final Clock clock = Clock.systemUTC();

    private RollbackRun run(String service) {
        Instant now = clock.instant();
        return RunBuilder.aRun().service(service).at(now).build();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void onlyOneRunCanHoldATargetEvenUnderConcurrency(String kind) throws Exception {
        try (Database db = open(kind)) {
            RunRepository runs = new JdbiRunRepository(db);
            List<RollbackRun> cards = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                cards.add(run("checkout"));
                runs.insert(cards.get(i));
            }
            ExecutorService pool = Executors.newFixedThreadPool(10);
            CountDownLatch go = new CountDownLatch(1);
            AtomicInteger claimed = new AtomicInteger();
            List<CompletableFuture<Void>> clicks = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                RollbackRun card = cards.get(i % cards.size());
                String user = "U" + i;
                clicks.add(CompletableFuture.runAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    if (runs.claim(card.id(), user, "r2", List.of("kubernetes-deployment:shop/checkout"),
                            clock.instant()) instanceof RunRepository.Claim.Claimed) {
                        claimed.incrementAndGet();
                    }
                }, pool));
            }
            go.countDown();
            clicks.forEach(CompletableFuture::join);
            pool.shutdown();
            assertThat(claimed).hasValue(1);
            assertThat(runs.inStates(RunState.holding())).hasSize(1);
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aCardBelongsToTheNewestRunOnIt(String kind) {
        try (Database db = open(kind)) {
            RunRepository runs = new JdbiRunRepository(db);
            RollbackRun.CardRef card = new RollbackRun.CardRef("C0CHECKOUT", "1700000000.000100");
            RollbackRun failed = run("checkout");
            runs.insert(failed);
            runs.attachCard(failed.id(), card, clock.instant());
            assertThat(runs.cardOwner(card)).contains(failed.id());

            RollbackRun later = run("checkout");
            RollbackRun retried = RunBuilder.from(later).at(failed.createdAt().plusSeconds(1)).build();
            runs.insert(retried);
            runs.attachCard(retried.id(), card, clock.instant());

            assertThat(runs.cardOwner(card)).as("Retry handed the card on").contains(retried.id());
            assertThat(runs.cardOwner(new RollbackRun.CardRef("C0CHECKOUT", "1.2"))).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aFollowUpIsKeptOnceTakenByOneClickerAndDoneOnce(String kind) {
        try (Database db = open(kind)) {
            RunRepository runs = new JdbiRunRepository(db);
            RollbackRun run = run("shop");
            runs.insert(run);
            FollowUpTasks tasks = new JdbiFollowUpTasks(db);
            String id = FollowUpTask.idOf(run.id(), 0);
            tasks.add(new FollowUpTask(id, run.id(), 0, "argocd:shop", "Restore automated sync", "sync is off",
                    Map.of("automatedBefore", "{\"prune\":true}"), clock.instant(), Optional.empty()));
            tasks.add(new FollowUpTask(id, run.id(), 0, "argocd:shop", "Restore automated sync", "executed again",
                    Map.of(), clock.instant(), Optional.empty()));

            assertThat(tasks.forRun(run.id())).singleElement().satisfies(task -> {
                assertThat(task.description()).as("the first record stands").isEqualTo("sync is off");
                assertThat(task.recorded()).containsEntry("automatedBefore", "{\"prune\":true}");
            });
            Instant t0 = clock.instant();
            java.time.Duration timeout = java.time.Duration.ofMinutes(5);
            assertThat(tasks.claim(id, "U1", t0, t0.minus(timeout))).isTrue();
            assertThat(tasks.claim(id, "U2", t0, t0.minus(timeout))).as("someone is on it").isFalse();
            tasks.release(id, "U1");
            assertThat(tasks.claim(id, "U2", t0, t0.minus(timeout))).isTrue();
            Instant later = t0.plus(timeout).plusSeconds(1);
            assertThat(tasks.claim(id, "U4", later, later.minus(timeout))).as("a claim left by a dead process is taken over")
                    .isTrue();
            tasks.complete(id, "U2", clock.instant(), "on again");
            tasks.release(id, "U2");
            Instant much = later.plus(timeout).plusSeconds(1);
            assertThat(tasks.claim(id, "U3", much, much.minus(timeout))).as("done is done").isFalse();
            RollbackRun next = run("shop");
            runs.insert(next);
            String newer = FollowUpTask.idOf(next.id(), 0);
            tasks.add(new FollowUpTask(newer, next.id(), 0, "argocd:shop", "Restore automated sync", "off again",
                    Map.of(), clock.instant().plusSeconds(60), Optional.empty()));
            assertThat(tasks.newestPending(List.of("argocd:shop", "blue-green:shop"))).extracting(FollowUpTask::id)
                    .as("the earlier one is done; the later run's is the one left").containsExactly(newer);
            assertThat(tasks.find(id).orElseThrow().done()).hasValueSatisfying(done -> {
                assertThat(done.by()).isEqualTo("U2");
                assertThat(done.result()).isEqualTo("on again");
            });
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void transitionsHappenOnceAndAFinalStateReleasesTheTarget(String kind) {
        try (Database db = open(kind)) {
            RunRepository runs = new JdbiRunRepository(db);
            RollbackRun first = run("checkout");
            RollbackRun second = run("checkout");
            runs.insert(first);
            runs.insert(second);
            List<String> keys = List.of("kubernetes-deployment:shop/checkout");
            assertThat(runs.claim(first.id(), "U1", "r2", keys, clock.instant())).isInstanceOf(RunRepository.Claim.Claimed.class);
            assertThat(runs.claim(second.id(), "U2", "r2", keys, clock.instant()))
                    .isEqualTo(new RunRepository.Claim.TargetBusy(first.id()));
            assertThat(runs.find(second.id()).orElseThrow().state()).as("a refused claim changes nothing")
                    .isEqualTo(RunState.ASSESSED);

            assertThat(runs.transition(first.id(), RunState.AWAITING_APPROVAL, RunState.APPROVED, Optional.empty(), clock.instant())).isTrue();
            assertThat(runs.transition(first.id(), RunState.AWAITING_APPROVAL, RunState.APPROVED, Optional.empty(), clock.instant())).isFalse();
            assertThat(runs.transition(first.id(), RunState.APPROVED, RunState.EXECUTING, Optional.empty(), clock.instant())).isTrue();
            assertThat(runs.find(first.id()).orElseThrow().startedAt()).isPresent();
            assertThat(runs.transition(first.id(), RunState.EXECUTING, RunState.FAILED, Optional.of("boom"), clock.instant())).isTrue();
            RollbackRun failed = runs.find(first.id()).orElseThrow();
            assertThat(failed.outcome()).contains("boom");
            assertThat(failed.finishedAt()).isPresent();

            assertThat(runs.claim(second.id(), "U2", "r2", keys, clock.instant())).isInstanceOf(RunRepository.Claim.Claimed.class);
            assertThat(runs.startedSince("checkout", clock.instant().minusSeconds(60))).extracting(RollbackRun::id)
                    .containsExactly(first.id());
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aRequesterWithdrawsOnlyTheirOwnRequestAndMonitorOnlyTouchesAnUndecidedCard(String kind) {
        try (Database db = open(kind)) {
            RunRepository runs = new JdbiRunRepository(db);
            RollbackRun run = run("checkout");
            runs.insert(run);
            List<String> keys = List.of("kubernetes-deployment:shop/checkout");
            assertThat(runs.scheduleReassessmentIfUndecided(run.id(), clock.instant().plusSeconds(300))).isTrue();
            assertThat(runs.claim(run.id(), "U0BOB", "r2", keys, clock.instant())).isInstanceOf(RunRepository.Claim.Claimed.class);
            assertThat(runs.scheduleReassessmentIfUndecided(run.id(), clock.instant().plusSeconds(300)))
                    .as("a requested card is no longer monitored").isFalse();

            assertThat(runs.transitionIfRequestedBy(run.id(), RunState.AWAITING_APPROVAL, RunState.ABORTED, "U0CAROL",
                    Optional.of("Dismissed by U0CAROL"), clock.instant())).as("someone else's request").isFalse();
            assertThat(runs.find(run.id()).orElseThrow().state()).isEqualTo(RunState.AWAITING_APPROVAL);
            assertThat(runs.find(run.id()).orElseThrow().outcome()).isEmpty();

            assertThat(runs.transitionIfRequestedBy(run.id(), RunState.AWAITING_APPROVAL, RunState.ABORTED, "U0BOB",
                    Optional.of("Dismissed by U0BOB"), clock.instant())).isTrue();
            assertThat(runs.find(run.id()).orElseThrow().outcome()).contains("Dismissed by U0BOB");
            RollbackRun next = run("checkout");
            runs.insert(next);
            assertThat(runs.claim(next.id(), "U0ALICE", "r2", keys, clock.instant()))
                    .as("the withdrawn request freed the target").isInstanceOf(RunRepository.Claim.Claimed.class);
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aLeaseIsExclusiveUntilItRunsOutOrItsHostRestarts(String kind) {
        try (Database db = open(kind)) {
            RunRepository runs = new JdbiRunRepository(db);
            RollbackRun run = run("checkout");
            runs.insert(run);
            Instant now = clock.instant();
            assertThat(runs.lease(run.id(), "hostA/1/x", "hostA/1/x", now.plusSeconds(60), now)).isTrue();
            assertThat(runs.lease(run.id(), "hostB/7/y", "hostB/", now.plusSeconds(60), now)).isFalse();
            assertThat(runs.lease(run.id(), "hostA/1/x", "hostA/1/x", now.plusSeconds(90), now)).as("renewal").isTrue();
            assertThat(runs.lease(run.id(), "hostA/2/z", "hostA/", now.plusSeconds(60), now)).as("same host, new process")
                    .isTrue();
            assertThat(runs.lease(run.id(), "hostB/7/y", "hostB/", now.plusSeconds(200), now.plusSeconds(100)))
                    .as("after expiry").isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void eachPersonApprovesOnce(String kind) {
        try (Database db = open(kind)) {
            RunRepository runs = new JdbiRunRepository(db);
            RollbackRun run = run("checkout");
            runs.insert(run);
            ApprovalStore approvals = new JdbiApprovalStore(db);
            assertThat(approvals.addApproval(new Approval(run.id(), "U1", clock.instant(), false))).isTrue();
            assertThat(approvals.addApproval(new Approval(run.id(), "U1", clock.instant(), false))).isFalse();
            assertThat(approvals.addApproval(new Approval(run.id(), "U2", clock.instant(), true))).isTrue();
            assertThat(approvals.approvals(run.id())).extracting(Approval::userId).containsExactlyInAnyOrder("U1", "U2");
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void assessmentsTimelinesAndCardsRoundTrip(String kind) {
        try (Database db = open(kind)) {
            RunRepository runs = new JdbiRunRepository(db);
            RollbackRun run = run("checkout");
            runs.insert(run);
            Revision current = new Revision("rs-3", "r3", List.of("app:3"), Optional.of(Instant.parse("2026-11-24T10:00:00Z")),
                    Optional.of("deploy 3"), Map.of("container app image", "app:3"));
            Revision previous = new Revision("rs-2", "r2", List.of("app:2"), Optional.empty(), Optional.empty(),
                    Map.of("container app image", "app:2"));
            Assessment assessment = new Assessment("checkout", "production",
                    List.of(TargetView.read("kubernetes-deployment shop/checkout", "kubernetes-deployment",
                            new TargetState("shop/checkout", current, List.of(previous),
                                    List.of(new TargetState.Fact("Replicas", "3/3")), List.of("careful"))),
                            TargetView.failed("x", "y", "unreachable")),
                    List.of(new SignalReading("errorRate", "q", new Reading.Value(0.2), new Reading.NoData(),
                            clock.instant(), clock.instant().minusSeconds(600), "1h earlier"),
                            new SignalReading("latency", "q2", new Reading.Unavailable("Prometheus unreachable: x"),
                                    new Reading.Value(0.3), clock.instant(), clock.instant(), "b")),
                    new Verdict(Tier.FAST, List.of("error rate 20% → FAST")), Set.of("security"), clock.instant());
            runs.saveAssessment(run.id(), assessment, clock.instant());
            runs.attachCard(run.id(), new RollbackRun.CardRef("C1", "1700.1"), clock.instant());
            RunTimeline timeline = new JdbiRunTimeline(db);
            timeline.append(new RunEvent(run.id(), clock.instant(), RunEvent.Kind.ASSESSED, "tier FAST"));

            RollbackRun read = runs.find(run.id()).orElseThrow();
            assertThat(read.assessment()).contains(assessment);
            assertThat(read.card()).contains(new RollbackRun.CardRef("C1", "1700.1"));
            assertThat(timeline.events(run.id())).extracting(RunEvent::message).containsExactly("tier FAST");
            assertThat(runs.latestForService("checkout")).map(RollbackRun::id).contains(run.id());
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void theAuditChainStaysWholeUnderConcurrentWritersAndShowsTampering(String kind) {
        try (Database db = open(kind)) {
            AuditLog audit = new JdbiAuditLog(db, clock);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int writer = w;
                writers.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 10; i++) {
                        audit.record("U" + writer, "approved", Optional.empty(), "checkout", "entry " + i);
                    }
                }, pool));
            }
            writers.forEach(CompletableFuture::join);
            pool.shutdown();
            assertThat(audit.verify()).isEqualTo(new AuditLog.ChainCheck(true, 80, Optional.empty(), "80 entries, chain intact"));
            assertThat(audit.latest(Optional.of("checkout"), 5)).hasSize(5);

            long eleventh = db.jdbi().withHandle(h -> h.createQuery("SELECT seq FROM audit ORDER BY seq LIMIT 1 OFFSET 10")
                    .mapTo(Long.class).one());
            db.jdbi().useHandle(h -> h.execute("UPDATE audit SET detail = 'forged' WHERE seq = " + eleventh));
            AuditLog.ChainCheck edited = audit.verify();
            assertThat(edited.intact()).isFalse();
            assertThat(edited.detail()).contains("was changed after it was written");

            db.jdbi().useHandle(h -> h.execute("DELETE FROM audit WHERE seq = " + eleventh));
            AuditLog.ChainCheck deleted = audit.verify();
            assertThat(deleted.intact()).isFalse();
            assertThat(deleted.detail()).contains("deleted or reordered");
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void repeatedSlackDeliveriesAreRecognised(String kind) {
        try (Database db = open(kind)) {
            JdbiDeliveryLog deliveries = new JdbiDeliveryLog(db, clock);
            assertThat(deliveries.firstTime("event:Ev123")).isTrue();
            assertThat(deliveries.firstTime("event:Ev123")).isFalse();
            assertThat(deliveries.firstTime("event:Ev124")).isTrue();
        }
    }
}
