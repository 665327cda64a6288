package dev.rewind.adapter;

import java.util.Optional;

/**
 * What an adapter found, before any outage, that would make a rollback of its target fail or do
 * nothing ({@code revisionHistoryLimit: 0}), with the fix in words an on-call engineer can act on.
 *
 * @param blocking whether a rollback would fail or change nothing (else it is a warning)
 */
public record ReadinessFinding(String check, boolean blocking, String detail, Optional<String> fix) {

    public static ReadinessFinding blocking(String check, String detail, String fix) {
        return new ReadinessFinding(check, true, detail, Optional.of(fix));
    }

    public static ReadinessFinding warning(String check, String detail, String fix) {
        return new ReadinessFinding(check, false, detail, Optional.of(fix));
    }
}
