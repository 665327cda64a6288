package dev.rewind.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A Slack id from rewind.yml is read once into a person or a group; anything else is refused with its place. */
class PrincipalTest {

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({"U0ALICE, Person", "U1, Person", "W0GRID, Person", "S0SRE, Group", "S1, Group"})
    void slackIdsNameAPersonOrAGroup(String id, String kind) {
        Principal principal = Principal.parse(id, "services[0] (checkout).approvers");

        assertThat(principal.id()).isEqualTo(id);
        assertThat(principal).isInstanceOf(kind.equals("Person") ? Principal.Person.class : Principal.Group.class);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"@sre-oncall", "sre", "alice", "C0CHANNEL", "u0alice", "U", "S", "U0 ALICE"})
    void anythingElseIsRefusedNamingThePlace(String id) {
        assertThatThrownBy(() -> Principal.parse(id, "services[0] (checkout).approvers"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("services[0] (checkout).approvers: '" + id + "' is not a Slack user id (U…) or user-group id "
                        + "(S…); names like @sre-oncall change, ids do not");
    }
}
