package dev.rewind.adapter.gitrevert;

import dev.rewind.adapter.Health;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The verdict on a Flux Kustomization after a revert: healthy only when it applied the revert and is Ready. */
class FluxSyncTest {

    static final String OLD = "1a2b3c4" + "0".repeat(33);
    static final String REVERT = "9f8e7d6" + "0".repeat(33);
    static final String LATER = "b".repeat(40);
    static final LandedRevert LANDED = new LandedRevert(REVERT, Set.of(LATER)::contains);

    @ParameterizedTest(name = "applied {0}, attempted {1}, Ready {2} {3}, suspended {4} → {5}")
    @CsvSource(delimiter = '|', textBlock = """
            OLD    | OLD    | True    | ReconciliationSucceeded | false | PROGRESSING | at 1a2b3c4, not yet at the revert 9f8e7d6 (Ready
            OLD    | REVERT | Unknown | Progressing             | false | PROGRESSING | not yet at the revert 9f8e7d6 (reconciling: Progressing
            OLD    | REVERT | False   | ReconciliationFailed    | false | UNHEALTHY   | could not apply 9f8e7d6 (with the revert 9f8e7d6): not Ready: ReconciliationFailed: it broke
            OLD    | OLD    | False   | HealthCheckFailed       | false | PROGRESSING | not yet at the revert 9f8e7d6 (not Ready: HealthCheckFailed
            OLD    | REVERT | False   | DependencyNotReady      | false | PROGRESSING | not yet at the revert
            OLD    | OLD    | True    | ReconciliationSucceeded | true  | PROGRESSING | it is suspended and applies nothing until resumed (flux resume kustomization checkout -n flux-system)
            REVERT | REVERT | True    | ReconciliationSucceeded | false | HEALTHY     | at 9f8e7d6, which contains the revert 9f8e7d6: Ready
            LATER  | LATER  | True    | ReconciliationSucceeded | true  | HEALTHY     | at bbbbbbb, which contains the revert 9f8e7d6
            REVERT | REVERT | False   | HealthCheckFailed       | false | UNHEALTHY   | at 9f8e7d6 applied the revert 9f8e7d6 but is not Ready: HealthCheckFailed: it broke
            REVERT | REVERT | False   | DependencyNotReady      | false | PROGRESSING | (with the revert 9f8e7d6): not Ready: DependencyNotReady
            REVERT | LATER  | Unknown | Progressing             | false | PROGRESSING | (with the revert 9f8e7d6): reconciling
            NONE   | NONE   | Unknown | Progressing             | false | PROGRESSING | (nothing applied yet), not yet at the revert 9f8e7d6
            """)
    void judgesTheKustomization(String applied, String attempted, String ready, String reason, boolean suspended,
                                Health.Status expected, String detail) {
        Health verdict = new FluxSync.Status("flux-system", "checkout", suspended, revision(applied), revision(attempted),
                new FluxSync.Ready(ready, reason, "it broke")).judge(LANDED);

        assertThat(verdict.status()).isEqualTo(expected);
        assertThat(verdict.detail()).startsWith("Flux Kustomization flux-system/checkout").contains(detail);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            main@sha1:9f8e7d6000000000000000000000000000000000                             | 9f8e7d6000000000000000000000000000000000
            main/9f8e7d6000000000000000000000000000000000                                  | 9f8e7d6000000000000000000000000000000000
            9f8e7d6000000000000000000000000000000000                                       | 9f8e7d6000000000000000000000000000000000
            latest@sha256:9f8e7d6000000000000000000000000000000000000000000000000000000000 | -
            v1.2.3                                                                         | -
            main@sha1:9f8e7d6                                                              | -
            """)
    void readsTheCommitOfARevision(String revision, String commit) {
        assertThat(FluxSync.Status.commit(revision)).isEqualTo(commit.equals("-") ? Optional.empty() : Optional.of(commit));
    }

    @Test
    void aKustomizationWithoutAReadyConditionIsReconciling() {
        assertThat(FluxSync.Ready.UNKNOWN.failed()).isFalse();
        assertThat(FluxSync.Ready.UNKNOWN.describe()).isEqualTo("reconciling: no Ready condition yet");
    }

    private static String revision(String name) {
        return switch (name) {
            case "OLD" -> "main@sha1:" + OLD;
            case "REVERT" -> "main@sha1:" + REVERT;
            case "LATER" -> "main/" + LATER;
            default -> "";
        };
    }
}
