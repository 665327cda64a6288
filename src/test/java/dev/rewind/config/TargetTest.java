package dev.rewind.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TargetTest {

    @Test
    void describeNamesTheTargetWithoutCredentialsFromItsUrl() {
        Target webhook = new Target("webhook", Map.of("url", "https://user:pw@hooks.example.com/rollback?token=abc",
                "secretEnv", "WEBHOOK_SECRET"));
        assertThat(webhook.describe()).isEqualTo("webhook https://hooks.example.com/rollback");
        assertThat(new Target("argocd", Map.of("url", "https://argo", "application", "shop")).describe())
                .isEqualTo("argocd shop");
    }
}
