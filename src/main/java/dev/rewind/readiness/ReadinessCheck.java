package dev.rewind.readiness;

import java.util.Optional;

/**
 * One thing a rollback of a service would need, and whether it holds now.
 *
 * @param fix what to change when it does not hold, in words an on-call engineer can act on
 */
public record ReadinessCheck(String name, Status status, String detail, Optional<String> fix) {

    public enum Status {
        /** Holds. */
        OK,
        /** Holds, but worth knowing (the oldest revisions are being dropped). */
        WARNING,
        /** Would make a rollback fail or do nothing. */
        FAILED,
        /** Could not be checked; {@code detail} says why. */
        UNKNOWN
    }

    public static ReadinessCheck ok(String name, String detail) {
        return new ReadinessCheck(name, Status.OK, detail, Optional.empty());
    }

    public static ReadinessCheck warning(String name, String detail, String fix) {
        return new ReadinessCheck(name, Status.WARNING, detail, Optional.of(fix));
    }

    public static ReadinessCheck failed(String name, String detail, String fix) {
        return new ReadinessCheck(name, Status.FAILED, detail, Optional.of(fix));
    }

    public static ReadinessCheck unknown(String name, String detail) {
        return new ReadinessCheck(name, Status.UNKNOWN, detail, Optional.empty());
    }
}
