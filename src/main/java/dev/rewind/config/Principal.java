package dev.rewind.config;

import java.util.List;

/**
 * Whom a Slack id in {@code rewind.yml} names: one person ({@code U…}, or {@code W…} in Enterprise Grid)
 * or a user group ({@code S…}), whose members are looked up when it matters. Parsed once, when the
 * catalogue is read, so the rest of Rewind never looks at an id's first letter again.
 */
public sealed interface Principal permits Principal.Person, Principal.Group {

    /** The Slack id, as written. */
    String id();

    /** One person. */
    record Person(String id) implements Principal {
    }

    /** A user group: anyone in it. */
    record Group(String id) implements Principal {
    }

    /**
     * @param place where the id was written, for the message when it is not one
     * @throws ConfigException naming the place when {@code id} is not a Slack user or user-group id
     */
    static Principal parse(String id, String place) {
        if (id.matches("[UW][A-Z0-9]+")) {
            return new Person(id);
        }
        if (id.matches("S[A-Z0-9]+")) {
            return new Group(id);
        }
        throw new ConfigException(place + ": '" + id + "' is not a Slack user id (U…) or user-group id (S…); "
                + "names like @sre-oncall change, ids do not");
    }

    /** The ids of {@code principals}, in order: for sentences that name them. */
    static List<String> ids(List<? extends Principal> principals) {
        return principals.stream().map(Principal::id).toList();
    }
}
