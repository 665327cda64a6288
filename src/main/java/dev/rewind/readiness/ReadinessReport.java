package dev.rewind.readiness;

import java.time.Instant;
import java.util.List;

/** Every check a rollback of {@code service} would need, as they stood at {@code checkedAt}. */
public record ReadinessReport(String service, Instant checkedAt, List<ReadinessCheck> checks) {

    public ReadinessReport {
        checks = List.copyOf(checks);
    }

    /** Ready when nothing would make the rollback fail; warnings and unchecked items do not count against it. */
    public boolean ready() {
        return count(ReadinessCheck.Status.FAILED) == 0;
    }

    public long count(ReadinessCheck.Status status) {
        return checks.stream().filter(c -> c.status() == status).count();
    }
}
