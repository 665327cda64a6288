package dev.rewind.assess;

import dev.rewind.config.Catalogue;
import dev.rewind.config.CatalogueParser;
import dev.rewind.config.ConfigException;
import dev.rewind.config.TierThresholds;
import dev.rewind.signals.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An alert's severity label raises the tier to a floor; it never overrides what the numbers say. */
class SeverityFloorTest {

    @ParameterizedTest(name = "error rate {0} with floor {1} → {2}")
    @CsvSource(delimiter = '|', value = {
            "0.001 | FAST    | FAST      | tier raised to FAST by alert label severity=critical",
            "0.07  | FAST    | FAST      | tier raised to FAST by alert label severity=critical",
            "0.2   | FAST    | FAST      | -",
            "0.62  | FAST    | IMMEDIATE | -",
            "0.2   | PLANNED | FAST      | -",
            "-     | FAST    | FAST      | tier raised to FAST by alert label severity=critical"})
    void aLabelIsAFloorNotAnOverride(String rate, Tier floor, Tier expected, String raisedReason) {
        List<SignalReading> readings = rate.equals("-") ? List.of() : List.of(new SignalReading("errorRate", "q",
                new Reading.Value(Double.parseDouble(rate)), new Reading.Value(0.001), Instant.EPOCH, Instant.EPOCH, "before"));

        Verdict verdict = TierPolicy.decide(readings, Set.of(TierPolicy.floorFlag(floor, "severity=critical")),
                TierThresholds.DEFAULT);

        assertThat(verdict.tier()).isEqualTo(expected);
        if (raisedReason.equals("-")) {
            assertThat(verdict.reasons()).noneMatch(r -> r.startsWith("tier raised"));
        } else {
            assertThat(verdict.reasons()).contains(raisedReason);
        }
    }

    @Test
    void theExplicitFlagsStillForceImmediate() {
        Set<String> flags = new HashSet<>(Set.of("security", TierPolicy.floorFlag(Tier.FAST, "severity=critical")));

        Verdict verdict = TierPolicy.decide(List.of(), flags, TierThresholds.DEFAULT);

        assertThat(verdict.tier()).isEqualTo(Tier.IMMEDIATE);
        assertThat(verdict.reasons()).containsExactly("flagged security → IMMEDIATE");
    }

    @Test
    void byDefaultOnlyCriticalRaisesAndOnlyToFast() {
        Catalogue.AlertRouting routing = Catalogue.AlertRouting.DEFAULT;

        assertThat(routing.severityFloor(Map.of("severity", "Critical"))).contains(Map.entry("FAST", "severity=Critical"));
        assertThat(routing.severityFloor(Map.of("severity", "warning"))).isEmpty();
        assertThat(routing.severityFloor(Map.of("team", "shop"))).isEmpty();
    }

    @Test
    void anyLabelAndTiersCanBeConfiguredAndAWrongTierIsNamedWithItsPlace() {
        CatalogueParser parser = new CatalogueParser(w -> { }, type -> false);
        String services = "services: [{name: checkout, channel: C0C, target: {type: fake}, approvers: [U0ALICE]}]\n";

        Catalogue catalogue = parser.parse("alerts: {severityLabel: priority, severityTiers: {P1: fast, p2: planned}}\n"
                + services, "rewind.yml");
        assertThat(catalogue.alerts().severityFloor(Map.of("priority", "p1"))).contains(Map.entry("FAST", "priority=p1"));
        assertThat(catalogue.alerts().severityFloor(Map.of("priority", "P2"))).contains(Map.entry("PLANNED", "priority=P2"));
        assertThat(catalogue.alerts().severityFloor(Map.of("severity", "critical"))).isEmpty();

        assertThatThrownBy(() -> parser.parse("alerts: {severityTiers: {critical: URGENT}}\n" + services, "rewind.yml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.severityTiers.critical: 'URGENT' is not a tier; write IMMEDIATE, FAST, PLANNED or MONITOR");
    }
}
