package dev.rewind.adapter.gitrevert;

import dev.rewind.config.Target;
import dev.rewind.adapter.http.RetryingHttp;
import dev.rewind.config.Secrets;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.Arguments;

import java.net.http.HttpClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** The {@code sync:} block is checked at start-up, without I/O, and a bad one is refused naming the field. */
class GitRevertSyncConfigTest {

    static final KubernetesClient UNUSED = new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl("https://kubernetes.invalid:6443").build()).build();
    final GitRevertAdapter adapter = new GitRevertAdapter(Secrets.of(Map.of()),
            new RetryingHttp(HttpClient.newHttpClient(), RetryingHttp.Backoff.DEFAULT), UNUSED);

    @AfterAll
    static void close() {
        UNUSED.close();
    }

    static Target target(Object sync) {
        Map<String, Object> spec = new HashMap<>(Map.of("apiUrl", "https://api.github.com", "repo", "org/gitops",
                "path", "apps/checkout", "tokenEnv", "GITHUB_TOKEN"));
        spec.put("sync", sync);
        return new Target(GitRevertAdapter.TYPE, spec);
    }

    static Map<String, Object> argo(String url, String application, String tokenEnv) {
        Map<String, Object> argo = new HashMap<>();
        argo.put("url", url);
        argo.put("application", application);
        argo.put("tokenEnv", tokenEnv);
        return argo;
    }

    static Stream<Arguments> badSyncBlocks() {
        Map<String, Object> extra = argo("https://argocd.example.com", "checkout", "ARGOCD_TOKEN");
        extra.put("token", "s3cr3t");
        return Stream.of(
                Arguments.of("argocd", "'sync' must be a mapping"),
                Arguments.of(Map.of(), "'sync' must name exactly one GitOps tool, argocd or flux, got none"),
                Arguments.of(Map.of("argo", Map.of()), "'sync' must name exactly one GitOps tool, argocd or flux, got argo"),
                Arguments.of(Map.of("argocd", argo("https://a", "x", "T"), "flux", Map.of()),
                        "exactly one GitOps tool, argocd or flux, got argocd, flux"),
                Arguments.of(Map.of("argocd", "checkout"), "'sync.argocd' must be a mapping, e.g. {url:"),
                Arguments.of(Map.of("argocd", argo("argocd.example.com", "checkout", "ARGOCD_TOKEN")),
                        "'sync.argocd.url' must be an http(s) URL, got 'argocd.example.com'"),
                Arguments.of(Map.of("argocd", argo("https://argocd.example.com", null, "ARGOCD_TOKEN")),
                        "'sync.argocd.application' is required"),
                Arguments.of(Map.of("argocd", argo("https://argocd.example.com", "checkout", " ")),
                        "'sync.argocd.tokenEnv' is required"),
                Arguments.of(Map.of("argocd", extra), "'sync.argocd.token' is not a field of sync.argocd (known: url,"
                        + " application, tokenEnv)"),
                Arguments.of(Map.of("flux", Map.of("namespace", "flux-system")), "'sync.flux.kustomization' is required"),
                Arguments.of(Map.of("flux", Map.of("namespace", "Flux_System", "kustomization", "checkout")),
                        "'sync.flux.namespace' must be a Kubernetes name"),
                Arguments.of(Map.of("flux", Map.of("namespace", "flux-system", "kustomization", List.of("a", "b"))),
                        "'sync.flux.kustomization' must be a single value"),
                Arguments.of(Map.of("flux", Map.of("namespace", "flux-system", "kustomization", "checkout",
                        "apiVersion", "v1beta2")), "'sync.flux.apiVersion' is not a field"));
    }

    @ParameterizedTest
    @MethodSource("badSyncBlocks")
    void aBadSyncBlockIsRefusedNamingTheField(Object sync, String message) {
        assertThatThrownBy(() -> adapter.validate(target(sync)))
                .isInstanceOf(Target.InvalidTargetException.class)
                .hasMessageStartingWith("target of type git-revert: ")
                .hasMessageContaining(message)
                .hasMessageNotContaining("s3cr3t");
    }

    @Test
    void goodSyncBlocksPass() {
        assertThatNoException().isThrownBy(() -> adapter.validate(target(Map.of("argocd",
                argo("https://argocd.example.com", "checkout", "ARGOCD_TOKEN")))));
        assertThatNoException().isThrownBy(() -> adapter.validate(target(Map.of("flux",
                Map.of("namespace", "flux-system", "kustomization", "checkout")))));
        assertThat(SyncSpec.of(target(Map.of("flux", Map.of("namespace", "flux-system", "kustomization", "checkout")))))
                .contains(new SyncSpec.Flux("flux-system", "checkout"));
    }
}
