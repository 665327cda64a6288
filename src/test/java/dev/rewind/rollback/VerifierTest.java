package dev.rewind.rollback;

import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.config.CatalogueParser;
import dev.rewind.config.ServiceConfig;
import dev.rewind.signals.http.HttpProbes;
import dev.rewind.signals.UnconfiguredSignalSource;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A target that is still progressing (a revert pull request waiting for its merge, a rollout under
 * way) is waited for up to the service's step timeout, and never counts as recovered.
 */
class VerifierTest {

    private static final Health OPEN = Health.progressing("pull request #1 not merged yet: https://github.com/org/gitops/pull/1");
    private static final Health SYNCED = Health.healthy("Argo CD application checkout at 9f8e7d6: Synced / Healthy");

    private final List<String> progress = new ArrayList<>();
    private final List<Duration> slept = new ArrayList<>();

    /** Answers verify with {@code script}, one per call, repeating the last. */
    private static final class ScriptedAdapter implements RollbackAdapter {
        private final List<Health> script;
        private final AtomicInteger calls = new AtomicInteger();

        ScriptedAdapter(Health... script) {
            this.script = List.of(script);
        }

        @Override
        public String type() {
            return "scripted";
        }

        @Override
        public TargetState describe(Target target) {
            throw new UnsupportedOperationException("not used");
        }

        @Override
        public Outcome execute(Target target, Change change, Progress progress, Duration timeout) {
            throw new UnsupportedOperationException("not used");
        }

        @Override
        public Health verify(Target target) {
            return script.get(Math.min(calls.getAndIncrement(), script.size() - 1));
        }
    }

    private Verifier.Result verify(ScriptedAdapter adapter, String interval) throws InterruptedException {
        ServiceConfig service = new CatalogueParser(w -> { }, type -> false).parse("""
                services:
                  - name: checkout
                    channel: C0CHECKOUT
                    target: {type: scripted, repo: org/gitops}
                    approvers: [U0ALICE]
                    timeout: 2m
                    verification: {checks: 1, interval: %s}
                """.formatted(interval), "rewind.yml").find("checkout").orElseThrow();
        Verifier verifier = new Verifier(new AdapterRegistry(List.of(adapter)), new UnconfiguredSignalSource(), new HttpProbes(),
                Clock.systemUTC(), slept::add);
        return verifier.verify(service, Optional.empty(), progress::add, samples -> { });
    }

    @Test
    void aProgressingTargetIsWaitedForThenJudged() throws InterruptedException {
        ScriptedAdapter adapter = new ScriptedAdapter(OPEN, OPEN, OPEN, SYNCED);

        Verifier.Result result = verify(adapter, "30s");

        assertThat(result.recovered()).isTrue();
        assertThat(result.summary()).isEqualTo("Recovered: " + SYNCED.detail());
        assertThat(progress).containsExactly("Waiting: scripted org/gitops is still progressing: " + OPEN.detail(),
                "Check 1/1 passed: " + SYNCED.detail());
        assertThat(slept).hasSize(3).containsOnly(Duration.ofSeconds(30));
    }

    @Test
    void aTargetStillProgressingAtTheStepTimeoutFailsSayingWhatItWaitedFor() throws InterruptedException {
        ScriptedAdapter adapter = new ScriptedAdapter(OPEN);

        Verifier.Result result = verify(adapter, "30s");

        assertThat(result.recovered()).as("an unmerged pull request is no recovery").isFalse();
        assertThat(result.summary()).isEqualTo("Not confirmed after 3m: scripted org/gitops is still progressing: "
                + OPEN.detail() + ". The change may still take effect; check the target by hand");
        assertThat(adapter.calls.get()).as("2 min of patience at 30 s, then the usual 2 checks").isEqualTo(6);
    }

    @Test
    void anUnhealthyTargetEndsTheWaitAtOnce() throws InterruptedException {
        Health degraded = Health.unhealthy("Argo CD application checkout at 9f8e7d6 is Degraded");
        ScriptedAdapter adapter = new ScriptedAdapter(OPEN, degraded);

        Verifier.Result result = verify(adapter, "30s");

        assertThat(result.recovered()).isFalse();
        assertThat(result.summary()).isEqualTo("scripted org/gitops is unhealthy: " + degraded.detail());
        assertThat(adapter.calls.get()).isEqualTo(2);
    }

    @Test
    void withoutSpacedChecksThereIsNoExtraWait() throws InterruptedException {
        ScriptedAdapter adapter = new ScriptedAdapter(OPEN);

        Verifier.Result result = verify(adapter, "0s");

        assertThat(result.recovered()).isFalse();
        assertThat(adapter.calls.get()).isEqualTo(2);
    }
}
