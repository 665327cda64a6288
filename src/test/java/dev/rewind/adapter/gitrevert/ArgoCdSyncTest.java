package dev.rewind.adapter.gitrevert;

import dev.rewind.adapter.Health;
import dev.rewind.adapter.argocd.ArgoApplication;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The verdict on an Argo CD application after a revert: healthy only when it runs the revert, synced and healthy. */
class ArgoCdSyncTest {

    static final String OLD = "1a2b3c4" + "0".repeat(33);
    static final String REVERT = "9f8e7d6" + "0".repeat(33);
    static final String LATER = "b".repeat(40);
    static final LandedRevert LANDED = new LandedRevert(REVERT, Set.of(LATER)::contains);

    @ParameterizedTest(name = "{0} {1} {2}, operation {3} at {4}, automated {5} → {6}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            OLD    | Synced    | Healthy     | Succeeded | OLD    | true  | PROGRESSING | at 1a2b3c4, not yet at the revert 9f8e7d6
            OLD    | Synced    | Degraded    | Succeeded | OLD    | true  | PROGRESSING | not yet at the revert 9f8e7d6 (Synced / Degraded
            OLD    | OutOfSync | Healthy     | Failed    | OLD    | true  | PROGRESSING | not yet at the revert
            REVERT | OutOfSync | Healthy     | Succeeded | OLD    | true  | PROGRESSING | has the revert 9f8e7d6 but is OutOfSync, waiting for automated sync
            REVERT | OutOfSync | Healthy     | Succeeded | OLD    | false | PROGRESSING | automated sync is off: sync it in Argo CD (argocd app sync checkout)
            REVERT | OutOfSync | Degraded    | Failed    | OLD    | true  | PROGRESSING | but is OutOfSync
            REVERT | OutOfSync | Healthy     | Failed    | REVERT | true  | UNHEALTHY   | at 9f8e7d6 could not sync the revert 9f8e7d6: one or more objects failed to apply
            REVERT | Synced    | Progressing | Running   | REVERT | true  | PROGRESSING | is syncing the revert 9f8e7d6
            REVERT | Synced    | Progressing | Succeeded | REVERT | true  | PROGRESSING | (with the revert 9f8e7d6): Synced / Progressing
            REVERT | Synced    | Suspended   | Succeeded | REVERT | true  | PROGRESSING | Synced / Suspended
            REVERT | Synced    | Healthy     | Succeeded | REVERT | true  | HEALTHY     | at 9f8e7d6, which contains the revert 9f8e7d6: Synced / Healthy
            LATER  | Synced    | Healthy     | Succeeded | LATER  | false | HEALTHY     | at bbbbbbb, which contains the revert 9f8e7d6
            REVERT | Synced    | Degraded    | Succeeded | REVERT | true  | UNHEALTHY   | at 9f8e7d6 (with the revert 9f8e7d6) is Degraded: pods crash
            REVERT | Synced    | Missing     | Succeeded | REVERT | true  | UNHEALTHY   | is Missing
            1.2.3  | Synced    | Healthy     | Succeeded | 1.2.3  | true  | PROGRESSING | reports no git revision yet
            """)
    void judgesTheApplication(String revision, String sync, String health, String phase, String operationRevision,
                              boolean automated, Health.Status expected, String detail) {
        Health verdict = new ArgoCdSync.Status("checkout", application(sha(revision), sync, health, phase,
                sha(operationRevision), automated)).judge(LANDED);

        assertThat(verdict.status()).isEqualTo(expected);
        assertThat(verdict.detail()).startsWith("Argo CD application checkout").contains(detail);
    }

    private static String sha(String name) {
        return switch (name) {
            case "OLD" -> OLD;
            case "REVERT" -> REVERT;
            case "LATER" -> LATER;
            default -> name;
        };
    }

    static ArgoApplication application(String revision, String sync, String health, String phase, String operationRevision,
                                       boolean automated) {
        Map<String, Object> healthJson = new LinkedHashMap<>(Map.of("status", health));
        if (health.equals("Degraded")) {
            healthJson.put("message", "pods crash");
        }
        Map<String, Object> app = Map.of(
                "spec", Map.of("syncPolicy", automated ? Map.of("automated", Map.of("prune", true)) : Map.of()),
                "status", Map.of("sync", Map.of("status", sync, "revision", revision), "health", healthJson,
                        "operationState", Map.of("phase", phase, "message", phase.equals("Failed")
                                        ? "one or more objects failed to apply" : "successfully synced",
                                "operation", Map.of("sync", Map.of("revision", operationRevision)))));
        return new ArgoApplication(JsonMapper.shared().valueToTree(app));
    }
}
