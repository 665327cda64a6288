package dev.rewind.adapter;

import dev.rewind.config.Target;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every adapter passes, against its stand-in (fabric8's mock server, WireMock, an
 * in-process SSH server): a target spec its own block binds into, describe, execute, verify,
 * idempotent re-execute, and clear failures for an unknown revision or a missing target. A subclass
 * wires the adapter to a world in which the target has a live revision and at least one earlier one.
 */
public abstract class RollbackAdapterContract {

    /** The adapter under test, talking to its stand-in. */
    protected abstract RollbackAdapter adapter();

    /** A target that exists, with a live revision and at least one earlier revision. */
    protected abstract Target target();

    /** A target that names something that does not exist. */
    protected abstract Target missingTarget();

    /** Asserts, by reading the stand-in directly (not through the adapter), that the target is now at {@code chosen}. */
    protected abstract void assertLiveIs(Revision chosen);

    /** How many changing calls the stand-in has seen so far; re-execution must not add undo work twice. */
    protected long changesSeen() {
        return -1;
    }

    protected Duration timeout() {
        return Duration.ofSeconds(20);
    }

    protected Change change(Revision to) {
        return new Change("rb-contract01", "svc", "production", to.id(), Optional.empty(), Optional.of(to),
                "contract test", "U0TEST");
    }

    @Test
    void declaresATargetSpecThatItsOwnBlockBindsIntoQuietly() {
        List<String> warnings = new ArrayList<>();
        assertThat(adapter().specType()).as("the record its target: block binds into").isPresent();
        new AdapterRegistry(List.of(adapter())).validate(target(), "rewind.yml.services[0] (svc).target", warnings::add);
        assertThat(warnings).isEmpty();
    }

    @Test
    void describeShowsTheLiveRevisionAndEarlierOnes() {
        TargetState state = adapter().describe(target());
        assertThat(state.current()).isNotNull();
        assertThat(state.current().label()).isNotBlank();
        assertThat(state.candidates()).isNotEmpty();
        assertThat(state.candidates()).extracting(Revision::id).doesNotContain(state.current().id());
        assertThat(state.target()).isNotBlank();
    }

    @Test
    void executeTakesTheTargetToTheChosenRevision() {
        TargetState before = adapter().describe(target());
        Revision chosen = before.previous().orElseThrow();
        List<String> steps = Collections.synchronizedList(new ArrayList<>());

        Outcome outcome = adapter().execute(target(), change(chosen), steps::add, timeout());

        assertThat(outcome.summary()).isNotBlank();
        assertThat(steps).as("progress reported").isNotEmpty();
        assertLiveIs(chosen);
    }

    @Test
    void verifyIsHealthyAfterARollback() {
        Revision chosen = adapter().describe(target()).previous().orElseThrow();
        adapter().execute(target(), change(chosen), Progress.NONE, timeout());
        whatPeopleDoAfterExecute();
        assertThat(adapter().verify(target()).status()).isEqualTo(Health.Status.HEALTHY);
    }

    /** What people must do before a change is in effect (e.g. merge a pull request); nothing for most adapters. */
    protected void whatPeopleDoAfterExecute() {
    }

    @Test
    void executingTheSameChangeAgainIsHarmless() {
        Revision chosen = adapter().describe(target()).previous().orElseThrow();
        adapter().execute(target(), change(chosen), Progress.NONE, timeout());
        long changes = changesSeen();

        Outcome again = adapter().execute(target(), change(chosen), Progress.NONE, timeout());

        assertThat(again.summary()).isNotBlank();
        assertLiveIs(chosen);
        if (changes >= 0) {
            assertThat(changesSeen()).as("no second change for the same rollback").isEqualTo(changes);
        }
    }

    @Test
    void anUnknownRevisionFailsWithAClearReason() {
        Revision bogus = new Revision("no-such-revision", "no-such-revision", List.of(), Optional.empty(),
                Optional.empty(), Map.of());
        assertThatThrownBy(() -> adapter().execute(target(), change(bogus), Progress.NONE, timeout()))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("no-such-revision");
    }

    @Test
    void aMissingTargetFailsWithAClearReason() {
        assertThatThrownBy(() -> adapter().describe(missingTarget()))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("not found");
    }
}
