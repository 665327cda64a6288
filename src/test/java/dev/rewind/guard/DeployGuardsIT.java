package dev.rewind.guard;

import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.adapter.TargetState;
import dev.rewind.config.Catalogue;
import dev.rewind.config.CatalogueParser;
import dev.rewind.config.Target;
import dev.rewind.rollback.Catalogues;
import dev.rewind.store.Database;
import dev.rewind.store.JdbiAuditLog;
import dev.rewind.store.JdbiGuardStore;
import dev.rewind.store.JdbiRunRepository;
import dev.rewind.testing.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deploy detection by describing a target no informer watches (a release directory on hosts, a flag, a GitOps app):
 * the live revision, as its adapter describes it, on a real database. The adapter here is a stand-in for one whose
 * platform Rewind reaches over the network.
 */
class DeployGuardsIT {

    /** An adapter whose live revision the test sets, as a release directory or a flag's state would change. */
    private static final class Releases implements RollbackAdapter {
        volatile Revision live = new Revision("rel-1", "release 1", List.of(), Optional.empty(), Optional.empty(), Map.of());

        @Override
        public String type() {
            return "releases";
        }

        @Override
        public TargetState describe(Target target) {
            return new TargetState("hosts", live, List.of(), List.of(), List.of());
        }

        @Override
        public Outcome execute(Target target, Change change, Progress progress, Duration timeout) {
            throw new UnsupportedOperationException("not rolled back in this test");
        }

        @Override
        public Health verify(Target target) {
            return Health.healthy("ok");
        }
    }

    private final TestClock clock = new TestClock();
    private final Releases releases = new Releases();
    private Database database;
    private DeployGuards guards;
    private JdbiGuardStore store;

    @BeforeEach
    void start() {
        database = Database.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", Optional.empty(), Optional.empty());
        Catalogue catalogue = new CatalogueParser(warning -> { }, type -> false).parse(String.join("\n",
                "services:",
                "  - name: storefront",
                "    channel: C1",
                "    target: {type: releases, hosts: [web-1]}",
                "    approvers: [U1]",
                "    signals: {errorRate: 'errors'}",
                "    guard: {window: 10m, interval: 30s}",
                "    policy: [{name: errors, when: {signal: errorRate, above: 5%}, action: propose}]",
                ""), "rewind.yml");
        store = new JdbiGuardStore(database);
        guards = new DeployGuards(new Catalogues(() -> catalogue), new AdapterRegistry(List.of(releases)), store,
                new JdbiRunRepository(database), new JdbiAuditLog(database, clock), clock);
    }

    @AfterEach
    void stop() {
        database.close();
    }

    @Test
    void theFirstLookOnlyRemembersAndANewLiveRevisionStartsAGuard() {
        guards.pollUnwatched(target -> false);
        assertThat(store.latest("storefront", 10)).as("what was live at start-up is not a deploy").isEmpty();

        guards.pollUnwatched(target -> false);
        assertThat(store.latest("storefront", 10)).isEmpty();

        releases.live = new Revision("rel-2", "release 2", List.of(), Optional.empty(), Optional.empty(), Map.of());
        guards.pollUnwatched(target -> false);
        List<DeployGuard> started = store.latest("storefront", 10);
        assertThat(started).singleElement().satisfies(guard -> {
            assertThat(guard.label()).isEqualTo("release 2");
            assertThat(guard.source()).isEqualTo("describe");
            assertThat(guard.status()).isEqualTo(GuardStatus.WATCHING);
            assertThat(guard.endsAt()).isEqualTo(guard.deployedAt().plus(Duration.ofMinutes(10)));
        });
        guards.pollUnwatched(target -> false);
        assertThat(store.latest("storefront", 10)).as("the same revision again").hasSize(1);
        guards.pollUnwatched(target -> true);
        assertThat(store.latest("storefront", 10)).as("an informer watches it: no describe").hasSize(1);
    }

    @Test
    void aRevisionMadeWithinTheWindowIsGuardedEvenOnTheFirstLookAndAnOlderOneIsNot() {
        releases.live = new Revision("rel-3", "release 3", List.of(), Optional.of(clock.instant().minus(Duration.ofMinutes(20))),
                Optional.empty(), Map.of());
        guards.pollUnwatched(target -> false);
        assertThat(store.latest("storefront", 10)).as("made 20 min ago, window 10 min").isEmpty();

        Instant made = clock.instant().minus(Duration.ofMinutes(2));
        releases.live = new Revision("rel-4", "release 4", List.of(), Optional.of(made), Optional.empty(), Map.of());
        guards.pollUnwatched(target -> false);
        assertThat(store.latest("storefront", 10)).singleElement().satisfies(guard -> {
            assertThat(guard.deployedAt()).isEqualTo(made.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
            assertThat(guard.endsAt()).isEqualTo(made.plus(Duration.ofMinutes(10)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        });

        releases.live = new Revision("rel-5", "release 5", List.of(), Optional.of(clock.instant()), Optional.empty(), Map.of());
        guards.pollUnwatched(target -> false);
        List<DeployGuard> all = store.latest("storefront", 10);
        assertThat(all).extracting(DeployGuard::label, DeployGuard::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple("release 5", GuardStatus.WATCHING),
                org.assertj.core.groups.Tuple.tuple("release 4", GuardStatus.SUPERSEDED));
    }
}
