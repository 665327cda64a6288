package dev.rewind.incident;

import java.time.Instant;
import java.util.Optional;

/** The reports filed when runs end, kept as they were then. */
public interface ReportStore {

    void file(String runId, String markdown, Instant at);

    Optional<Filed> find(String runId);

    void attachIssue(String runId, String url);

    record Filed(String runId, String markdown, Instant at, Optional<String> issueUrl) {
    }
}
