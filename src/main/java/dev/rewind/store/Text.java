package dev.rewind.store;

import java.sql.SQLException;

/** Small helpers for what goes into columns. */
final class Text {

    /** SQLSTATE for a unique-constraint violation, the same on H2 and PostgreSQL. */
    private static final String UNIQUE_VIOLATION = "23505";

    private Text() {
    }

    /** A nullable epoch-millis column as an instant. */
    static java.util.Optional<java.time.Instant> instant(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? java.util.Optional.empty() : java.util.Optional.of(java.time.Instant.ofEpochMilli(value));
    }

    static String clip(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    static boolean isUniqueViolation(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs one INSERT whose key makes it happen at most once (a delivery seen, an approval given, a
     * policy applied): the database, not a check-then-insert, decides who was first.
     *
     * @return true when this call inserted the row, false when one with the same key was already there
     */
    static boolean insertOnce(Runnable insert) {
        try {
            insert.run();
            return true;
        } catch (RuntimeException e) {
            if (isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }
}
