package dev.rewind.store;

import dev.rewind.alerts.Alert;
import dev.rewind.alerts.AlertRetention;
import dev.rewind.alerts.AlertStore;
import dev.rewind.config.Catalogue;
import dev.rewind.config.CatalogueParser;
import dev.rewind.config.ConfigException;
import dev.rewind.testing.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Stored alerts are kept for the catalogue's {@code retention}, then deleted; what is open or recent stays. */
class AlertRetentionIT extends OnBothDatabases {

    private static Alert alert(String name, String service, Alert.Status status, Instant at) {
        return new Alert(name + "-" + service, name, status, Map.of("alertname", name, "service", service), Map.of(), at,
                status == Alert.Status.RESOLVED ? Optional.of(at) : Optional.empty(), "alertmanager");
    }

    /** One of everything the store keeps, at the clock's now: two closed incidents, one open, one payload unprocessed. */
    private static void storeOneOfEach(JdbiAlertStore store, TestClock clock, String tag) {
        Instant now = clock.instant();
        store.markProcessed(store.savePayload("alertmanager", "{\"" + tag + "\":1}", now), now);
        store.savePayload("alertmanager", "{\"" + tag + "-unprocessed\":1}", now);
        store.recordUnrouted(alert("DiskFull", "billing-" + tag, Alert.Status.FIRING, now), now, 0L);
        AlertStore.Incident resolved = store.openOrCreate("checkout-" + tag, "in-res-" + tag, now);
        store.record(resolved.id(), alert("HighErrorRate", "checkout-" + tag, Alert.Status.RESOLVED, now), now, 0L);
        assertThat(store.closeIfQuiet(resolved.id(), now)).isTrue();
        AlertStore.Incident expired = store.openOrCreate("cart-" + tag, "in-exp-" + tag, now);
        store.record(expired.id(), alert("HighLatency", "cart-" + tag, Alert.Status.FIRING, now), now, 0L);
        assertThat(store.expireQuiet(Optional.of("cart-" + tag), Optional.empty(), now.plusSeconds(1), now)).hasSize(1);
        AlertStore.Incident open = store.openOrCreate("search-" + tag, "in-open-" + tag, now);
        store.record(open.id(), alert("PodCrashLooping", "search-" + tag, Alert.Status.FIRING, now), now, 0L);
    }

    private static List<String> column(Database database, String sql) {
        return database.jdbi().withHandle(h -> h.createQuery(sql).mapTo(String.class).list());
    }

    @ParameterizedTest
    @MethodSource("databases")
    void rowsOlderThanTheRetentionAreDeletedAndRecentOnesAndOpenIncidentsKept(String kind) {
        try (Database database = open(kind)) {
            JdbiAlertStore store = new JdbiAlertStore(database);
            TestClock clock = new TestClock();
            Catalogue catalogue = new CatalogueParser(w -> { }, type -> false).parse("retention: 90d\nservices: []\n", "rewind.yml");
            AlertRetention retention = new AlertRetention(store, catalogue::retention, clock);

            storeOneOfEach(store, clock, "old");
            clock.advance(Duration.ofDays(2));
            storeOneOfEach(store, clock, "new");
            clock.advance(Duration.ofDays(89));

            AlertStore.Forgotten forgotten = retention.run();

            assertThat(forgotten).isEqualTo(new AlertStore.Forgotten(1, 1, 2));
            assertThat(column(database, "SELECT body FROM alert_payloads ORDER BY id"))
                    .containsExactly("{\"old-unprocessed\":1}", "{\"new\":1}", "{\"new-unprocessed\":1}");
            assertThat(column(database, "SELECT labels FROM unrouted_alerts"))
                    .singleElement().asString().contains("billing-new");
            assertThat(column(database, "SELECT id FROM alert_incidents ORDER BY id"))
                    .containsExactly("in-exp-new", "in-open-new", "in-open-old", "in-res-new");
            assertThat(column(database, "SELECT incident_id FROM incident_alerts ORDER BY incident_id"))
                    .containsExactly("in-exp-new", "in-open-new", "in-open-old", "in-res-new");
            assertThat(retention.run().total()).as("nothing more aged out").isZero();
        }
    }

    @Test
    void retentionIsATopLevelKeyOf90DaysByDefaultAndAtLeastOneDay() {
        CatalogueParser parser = new CatalogueParser(w -> { }, type -> false);
        assertThat(parser.parse("services: []\n", "rewind.yml").retention()).isEqualTo(Duration.ofDays(90));
        assertThat(parser.parse("retention: 30d\nservices: []\n", "rewind.yml").retention()).isEqualTo(Duration.ofDays(30));
        assertThatThrownBy(() -> parser.parse("retention: 1h\nservices: []\n", "rewind.yml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("rewind.yml: retention: '1h' is too short: stored alerts are kept at least 1d (write e.g. 90d)");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void anUnroutedAlertFromAPayloadHandledAgainAfterACrashIsKeptOnce(String kind) {
        try (Database db = open(kind)) {
            JdbiAlertStore store = new JdbiAlertStore(db);
            Instant now = Instant.parse("2026-12-05T03:00:00Z");
            Alert disk = alert("DiskFull", "billing", Alert.Status.FIRING, now);
            long payload = store.savePayload("alertmanager", "{}", now);
            store.recordUnrouted(disk, now, payload);
            store.recordUnrouted(disk, now, payload);
            store.recordUnrouted(disk, now.plusSeconds(60), store.savePayload("alertmanager", "{}", now.plusSeconds(60)));
            assertThat(store.forgetBefore(now.plusSeconds(3600)).unrouted())
                    .as("the first notification once, however often its payload was handled, and the repeat").isEqualTo(2);
        }
    }
}
