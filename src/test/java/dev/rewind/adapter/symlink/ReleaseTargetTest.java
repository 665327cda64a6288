package dev.rewind.adapter.symlink;

import dev.rewind.config.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReleaseTargetTest {

    private final SymlinkReleaseAdapter adapter = new SymlinkReleaseAdapter(Duration.ofSeconds(5));

    private static Map<String, Object> block() {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("hosts", List.of("app1:22", "app2:2222"));
        spec.put("user", "deploy");
        spec.put("deployTo", "/srv/app");
        spec.put("keyFile", "/etc/rewind/deploy_key");
        spec.put("knownHosts", "/etc/rewind/known_hosts");
        spec.put("restart", "touch tmp/restart.txt");
        return spec;
    }

    private static Target with(String field, Object value) {
        Map<String, Object> spec = block();
        if (value == null) {
            spec.remove(field);
        } else {
            spec.put(field, value);
        }
        return new Target(SymlinkReleaseAdapter.TYPE, spec);
    }

    @Test
    void theContractBlockIsRead() {
        ReleaseTarget target = ReleaseTarget.of(new Target(SymlinkReleaseAdapter.TYPE, block()));
        assertThat(target.hosts()).containsExactly(new SshHost("app1", 22), new SshHost("app2", 2222));
        assertThat(target.hosts()).extracting(SshHost::label).containsExactly("app1", "app2:2222");
        assertThat(target.login()).isEqualTo(new SshSession.Login("deploy", Path.of("/etc/rewind/deploy_key"),
                Path.of("/etc/rewind/known_hosts")));
        assertThat(target.restart()).contains("touch tmp/restart.txt");
        assertThat(target.layout().currentLink()).isEqualTo("/srv/app/current");
    }

    @ParameterizedTest
    @CsvSource({"hosts", "user", "deployTo", "keyFile", "knownHosts"})
    void aMissingFieldIsNamed(String field) {
        assertThatThrownBy(() -> adapter.validate(with(field, null)))
                .isInstanceOf(Target.InvalidTargetException.class)
                .hasMessageContaining("'" + field + "'");
    }

    @Test
    void restartIsOptional() {
        assertThat(ReleaseTarget.of(with("restart", null)).restart()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "deployTo   | srv/app           | must be an absolute, normalised directory",
            "deployTo   | /srv/../etc       | must be an absolute, normalised directory",
            "deployTo   | /                 | must be an absolute, normalised directory",
            "user       | deploy; id        | 'user' must be a plain user name",
            "privateKey | -----BEGIN        | the SSH key is read from the file named by 'keyFile', never from rewind.yml",
            "password   | hunter2           | 'password' is not accepted",
            "hosts      | app1:99999        | port 99999 is out of range",
            "hosts      | app1:ssh          | port 'ssh' is not a number",
            "hosts      | 'app1;id'         | not a host name or address",
    })
    void aWrongFieldIsRefusedWithTheReason(String field, String value, String message) {
        assertThatThrownBy(() -> adapter.validate(with(field, value)))
                .isInstanceOf(Target.InvalidTargetException.class)
                .hasMessageContaining(message)
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void theSameHostTwiceIsRefused() {
        assertThatThrownBy(() -> adapter.validate(with("hosts", List.of("app1", "app1:22"))))
                .hasMessageContaining("the same host twice");
    }

    @Test
    void ipv6HostsNeedBrackets() {
        assertThat(SshHost.parse("[2001:db8::1]:2222")).isEqualTo(new SshHost("2001:db8::1", 2222));
        assertThat(SshHost.parse("[2001:db8::1]").label()).isEqualTo("[2001:db8::1]");
        assertThatThrownBy(() -> SshHost.parse("2001:db8::1")).hasMessageContaining("[address]:port");
    }
}
