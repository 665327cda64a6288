package dev.rewind.alerts;

import dev.rewind.testing.TestClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Alerts for no service: one digest per channel a minute, and a bounded memory of what was said. */
class UnroutedAnnouncementsTest {

    private final TestClock clock = new TestClock();
    private final UnroutedAnnouncements announcements = new UnroutedAnnouncements(clock);
    private static final Optional<String> OPS = Optional.of("C0OPS");

    private static Alert alert(int n, String service) {
        return new Alert("fp-" + n, "DiskFull", Alert.Status.FIRING,
                Map.of("alertname", "DiskFull", "service", service, "instance", "i" + n), Map.of(),
                java.time.Instant.parse("2026-12-04T21:00:00Z"), Optional.empty(), "alertmanager");
    }

    @Test
    void aSingleAlertIsAnnouncedInFullAtOnce() {
        announcements.add(OPS, alert(1, "billing"), "service", clock.instant());

        List<UnroutedAnnouncements.Digest> due = announcements.due(clock.instant());

        assertThat(due).singleElement().satisfies(d -> {
            assertThat(d.channel()).isEqualTo(OPS);
            assertThat(d.text()).isEqualTo("Alert DiskFull (firing) matched no service in rewind.yml: its service label is "
                    + "billing; labels: {alertname=DiskFull, instance=i1, service=billing}. It is stored; no card was opened.");
        });
    }

    @Test
    void eightThousandAlertsMakeOneDigestPerChannelAMinute() {
        for (int n = 0; n < 8_000; n++) {
            announcements.add(n % 2 == 0 ? OPS : Optional.of("C0PLATFORM"), alert(n, "billing-" + (n % 40)), "service",
                    clock.instant());
        }

        List<UnroutedAnnouncements.Digest> first = announcements.due(clock.instant());
        assertThat(first).extracting(UnroutedAnnouncements.Digest::channel)
                .containsExactlyInAnyOrder(OPS, Optional.of("C0PLATFORM"));
        assertThat(first).allSatisfy(d -> {
            assertThat(d.alerts()).isEqualTo(4_000);
            assertThat(d.text()).startsWith("4000 alerts matched no service in rewind.yml since ")
                    .contains("other values ×").contains("The first 10: DiskFull (firing, service=billing-")
                    .endsWith("They are stored; no card was opened.");
            assertThat(d.text().length()).isLessThan(3_000);
        });

        announcements.add(OPS, alert(9_000, "billing"), "service", clock.instant());
        announcements.add(OPS, alert(9_001, "billing"), "service", clock.instant());
        clock.advance(Duration.ofSeconds(59));
        assertThat(announcements.due(clock.instant())).as("within the minute: nothing more").isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(announcements.due(clock.instant())).singleElement()
                .satisfies(d -> assertThat(d.text()).startsWith("2 alerts matched no service").contains("They are: "));
        assertThat(announcements.due(clock.instant())).isEmpty();
    }

    @Test
    void anAlertIsAnnouncedAgainOnlyAfterAnHour() {
        assertThat(announcements.add(OPS, alert(1, "billing"), "service", clock.instant())).isTrue();
        announcements.due(clock.instant());
        clock.advance(Duration.ofMinutes(59));
        assertThat(announcements.add(OPS, alert(1, "billing"), "service", clock.instant())).isFalse();
        assertThat(announcements.due(clock.instant())).isEmpty();
        clock.advance(Duration.ofMinutes(2));
        assertThat(announcements.add(OPS, alert(1, "billing"), "service", clock.instant())).isTrue();
    }

    @Test
    void theMemoryOfAnnouncedAlertsStaysBounded() {
        for (int n = 0; n < 50_000; n++) {
            announcements.add(OPS, alert(n, "billing"), "service", clock.instant());
        }

        assertThat(announcements.tracked()).isLessThanOrEqualTo(UnroutedAnnouncements.TRACKED);
        assertThat(announcements.due(clock.instant())).singleElement()
                .satisfies(d -> assertThat(d.alerts()).isEqualTo(50_000));
    }
}
