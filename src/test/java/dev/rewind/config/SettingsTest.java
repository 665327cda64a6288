package dev.rewind.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {

    @Test
    void embeddedDefaultsNeedNoEnvironment() {
        Settings settings = Settings.from(Map.of());
        assertThat(settings.port()).isEqualTo(3000);
        assertThat(settings.databaseUrl()).isEqualTo("jdbc:h2:file:./data/rewind");
        assertThat(settings.configPath()).isEqualTo(Path.of("./rewind.yml"));
        assertThat(settings.slackApiUrl()).isEqualTo("https://slack.com/api/");
        assertThat(settings.publicUrl()).isEqualTo("http://localhost:3000");
        assertThat(settings.slackProblems()).hasSize(2);
        assertThat(settings.socketMode()).isFalse();
    }

    @Test
    void secretsNeverAppearInItsText() {
        Settings settings = Settings.from(Map.of("SLACK_BOT_TOKEN", "xoxb-very-secret", "SLACK_SIGNING_SECRET", "sign-secret",
                "DATABASE_PASSWORD", "pw-secret", "ALERTMANAGER_TOKEN", "am-secret", "SLACK_APP_TOKEN", "xapp-secret",
                "DATABASE_URL", "jdbc:postgresql://db/rewind?user=r&password=inline-secret",
                "PROMETHEUS_URL", "https://scraper:prom-secret@prometheus.example.com"));
        assertThat(settings.toString()).doesNotContain("very-secret", "sign-secret", "pw-secret", "am-secret",
                "xapp-secret", "inline-secret", "prom-secret").contains("(set)");
        assertThat(settings.socketMode()).isTrue();
        assertThat(settings.slackProblems()).isEmpty();
    }

    @Test
    void theApiTokenIsReadButNeverPrinted() {
        Settings settings = Settings.from(Map.of("REWIND_API_TOKEN", " api-token-secret "));

        assertThat(settings.apiToken()).contains("api-token-secret");
        assertThat(settings.toString()).doesNotContain("api-token-secret").contains("apiToken=(set)");
        assertThat(Settings.from(Map.of()).apiToken()).isEmpty();
    }

    @Test
    void passwordsInUrlsAreMaskedWhateverTheirCaseAndTheAuditKeyIsNeverPrinted() {
        Settings settings = Settings.from(Map.of("DATABASE_URL", "jdbc:postgresql://h/db?PASSWORD=hunter2&ssl=true",
                "PROMETHEUS_URL", "https://prometheus.example.com/api?Access_Token=tok-secret&x=1",
                "REWIND_AUDIT_KEY", "audit-key-secret"));
        assertThat(settings.toString()).doesNotContain("hunter2", "tok-secret", "audit-key-secret")
                .contains("databaseUrl=jdbc:postgresql://h/db?PASSWORD=***&ssl=true")
                .contains("Access_Token=***&x=1").contains("auditKey=(set)");
        assertThat(settings.auditKey()).contains("audit-key-secret");

        assertThat(Settings.redacted("jdbc:h2:file:./data/rewind;USER=sa;Password=s3cret;MODE=PostgreSQL"))
                .isEqualTo("jdbc:h2:file:./data/rewind;USER=sa;Password=***;MODE=PostgreSQL");
        assertThat(Settings.redacted("jdbc:postgresql://rewind:p%40ss@db:5432/rewind?sslpassword=x&pwd=y"))
                .isEqualTo("jdbc:postgresql://***@db:5432/rewind?sslpassword=***&pwd=***");
        assertThatThrownBy(() -> Settings.from(Map.of("DATABASE_URL", "jdbc:mysql://h/db?Password=hunter2")))
                .hasMessageNotContaining("hunter2").hasMessageContaining("Password=***");
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> Settings.from(Map.of("PORT", "http"))).hasMessage("PORT must be a number from 0 to 65535, got 'http'");
        assertThatThrownBy(() -> Settings.from(Map.of("PROMETHEUS_URL", "prometheus:9090")))
                .hasMessageContaining("PROMETHEUS_URL must be an http(s) URL");
        assertThatThrownBy(() -> Settings.from(Map.of("DATABASE_URL", "jdbc:mysql://x")))
                .hasMessageContaining("DATABASE_URL must be a jdbc:h2: or jdbc:postgresql: URL");
    }

    @Test
    void slackApiUrlGetsItsTrailingSlashAndPublicUrlLosesIt() {
        Settings settings = Settings.from(Map.of("SLACK_API_URL", "http://127.0.0.1:9999/api", "REWIND_PUBLIC_URL",
                "https://rewind.example.com/"));
        assertThat(settings.slackApiUrl()).isEqualTo("http://127.0.0.1:9999/api/");
        assertThat(settings.publicUrl()).isEqualTo("https://rewind.example.com");
    }
}
