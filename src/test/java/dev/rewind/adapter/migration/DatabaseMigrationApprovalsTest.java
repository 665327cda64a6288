package dev.rewind.adapter.migration;

import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.config.Catalogue;
import dev.rewind.config.CatalogueParser;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A service with a database-migration step needs two approvals unless its catalogue entry says otherwise. */
class DatabaseMigrationApprovalsTest {

    private static final String MIGRATION = "    target: {type: database-migration, namespace: shop,"
            + " backup: {image: 'shop/m:1', command: [backup]}, rollback: {image: 'shop/m:1', command: [down]}}\n";

    private final List<String> warnings = new ArrayList<>();

    private Catalogue parse(String yaml) {
        // the adapter itself says it is destructive; no Kubernetes call is made while parsing
        AdapterRegistry adapters = new AdapterRegistry(List.of(new DatabaseMigrationAdapter(null)));
        return new CatalogueParser(warnings::add, adapters::destructive).parse(yaml, "rewind.yml");
    }

    @Test
    void aDatabaseMigrationStepDefaultsToTwoApprovals() {
        Catalogue catalogue = parse("services:\n  - name: payments\n    channel: C0PAY\n    approvers: [S0SRE]\n" + MIGRATION);
        assertThat(catalogue.find("payments").orElseThrow().approval().approvals()).isEqualTo(2);
    }

    @Test
    void aPlanWithADatabaseMigrationStepAlsoNeedsTwo() {
        Catalogue catalogue = parse("services:\n  - name: payments\n    channel: C0PAY\n    approvers: [S0SRE]\n"
                + "    targets:\n      - {type: kubernetes-deployment, namespace: shop, deployment: payments}\n"
                + "      -" + MIGRATION.substring("    target:".length()));
        assertThat(catalogue.find("payments").orElseThrow().approval().approvals()).isEqualTo(2);
    }

    @Test
    void anExplicitNumberWins() {
        Catalogue catalogue = parse("services:\n  - name: payments\n    channel: C0PAY\n    approvers: [S0SRE]\n"
                + "    approvals: 1\n" + MIGRATION);
        assertThat(catalogue.find("payments").orElseThrow().approval().approvals()).isEqualTo(1);
    }

    @Test
    void otherServicesKeepOne() {
        Catalogue catalogue = parse("services:\n  - name: checkout\n    channel: C0CO\n    approvers: [S0SRE]\n"
                + "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}\n");
        assertThat(catalogue.find("checkout").orElseThrow().approval().approvals()).isEqualTo(1);
    }
}
