package dev.rewind.slack;

import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SlackStub;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A database-migration card: the migrations to revert appear on it once its listing Job has run. */
class MigrationCardIT {

    private static final String CATALOGUE = String.join("\n",
            "services:",
            "  - name: payments",
            "    channel: " + CHANNEL,
            "    target:",
            "      type: database-migration",
            "      namespace: shop",
            "      database: payments",
            "      backup:   {image: 'shop/payments-migrate:1.4.2', command: [backup-db]}",
            "      rollback: {image: 'shop/payments-migrate:1.4.2', command: [migrate, down, '1']}",
            "      list:     {image: 'shop/payments-migrate:1.4.2', command: [migrate, status]}",
            "    approvers: [" + ALICE + "]",
            "    approvals: 1",
            "");

    private RewindFixture rewind;

    @BeforeEach
    void start() throws Exception {
        rewind = RewindFixture.builder().catalogue(CATALOGUE).emptyCluster().withoutPrometheus().build();
        rewind.kubernetes().client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop")
                .endMetadata().build()).create();
        rewind.kubernetes().jobPrints("migrate status", "0042_add_refunds\n0041_index_orders\n");
    }

    @AfterEach
    void stop() {
        rewind.close();
    }

    @Test
    void theCardSaysTheMigrationsAreBeingListedAndRedrawsItselfWithThemWhenTheListingFinishes() {
        Map<String, String> card = rewind.cardFor(ALICE, "payments");
        List<SlackStub.Post> posts = rewind.slack().postedWithTs();
        String ts = posts.get(posts.size() - 1).ts();
        assertThat(SlackStub.readable(card)).contains("Migrations to revert: being listed by Job rewind-list-")
                .contains("the card shows them when it finishes");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(rewind.kubernetes().jobs("shop"))
                .as("Jobs in shop, one succeeded").anyMatch(job -> job.getStatus() != null && job.getStatus().getSucceeded() != null));

        // Nobody clicks anything: the card asked to be read again while its listing ran.
        rewind.clock().advance(Duration.ofSeconds(11));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(ts)).as("the card as last drawn")
                .contains("0042_add_refunds"));
        assertThat(rewind.latestCardText(ts)).contains("Migrations to revert: listed by Job rewind-list-")
                .contains("0042_add_refunds\n0041_index_orders");
        assertThat(rewind.kubernetes().jobs("shop")).as("one listing, no Job of a run").hasSize(1);
        assertThat(rewind.slack().ephemeralTexts()).as("no click was needed").isEmpty();
    }

    private static String runId(Map<String, String> card) {
        Matcher matcher = Pattern.compile("\"value\":\"(rb-[0-9a-z]{10})").matcher(card.get("blocks"));
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }
}
