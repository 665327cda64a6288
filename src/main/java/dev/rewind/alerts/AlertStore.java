package dev.rewind.alerts;

import dev.rewind.rollback.AlertDigest;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where alerts are kept: every payload as received (before anything is done with it), the incident
 * each service has open, and the alerts in it. The store guarantees one open incident per service.
 */
public interface AlertStore {

    long savePayload(String source, String body, Instant at);

    void markProcessed(long payloadId, Instant at);

    /** Payloads stored but not processed (a crash between the two), oldest first. */
    List<StoredPayload> unprocessed();

    /**
     * The service's open incident, or a new one with {@code newId} when it has none. Safe against
     * concurrent callers: exactly one of them creates it.
     */
    Incident openOrCreate(String service, String newId, Instant at);

    void linkRun(String incidentId, String runId);

    /**
     * Claims the opening of the incident's card, so that of several replicas receiving its first alerts at once only
     * one opens it. A claim older than {@code stale} lapses (its replica died while opening). @return whether claimed
     */
    boolean claimCard(String incidentId, Instant now, java.time.Duration stale);

    /**
     * Records a notification of an alert: new, repeated, or resolved. The same alert from the same stored payload
     * (handled again after a restart) is not counted twice.
     */
    void record(String incidentId, Alert alert, Instant at, long payloadId);

    /** Closes the incident when none of its alerts is firing; @return whether it closed now. */
    boolean closeIfQuiet(String incidentId, Instant at);

    void recordUnrouted(Alert alert, Instant at, long payloadId);

    Optional<AlertDigest> digestForRun(String runId);

    /**
     * Deletes what was received or finished before {@code cutoff}: processed payloads, unrouted alerts,
     * and closed incidents (resolved or expired) with their alerts. Open incidents and unprocessed
     * payloads are kept whatever their age. @return how many of each were deleted
     */
    Forgotten forgetBefore(Instant cutoff);

    record Forgotten(int payloads, int unrouted, int incidents) {
        public int total() {
            return payloads + unrouted + incidents;
        }
    }

    record StoredPayload(long id, String source, String body) {
    }

    /**
     * Closes open incidents with no notification since {@code quietSince} (all services, or one),
     * marking them expired rather than resolved; an incident that already holds {@code repeat} (a late
     * repeat of one of its alerts: same fingerprint, same start) is kept. @return the incidents closed now
     */
    List<Incident> expireQuiet(Optional<String> service, Optional<Alert> repeat, Instant quietSince, Instant at);

    /** An incident and whether this call opened it. */
    record Incident(String id, String service, Optional<String> runId, boolean created) {
    }
}
