package dev.rewind.rollback;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An append-only record of every request, decision, refusal, transition and adapter step. Each
 * entry carries the hash of the one before it, so a deleted or edited entry breaks the chain.
 */
public interface AuditLog {

    /** Appends an entry; never throws for a concurrent writer (it retries onto the new end of the chain). */
    void record(String actor, String action, Optional<String> runId, String service, String detail);

    /** The newest {@code limit} entries for a service (all services when {@code service} is empty), newest first. */
    List<Entry> latest(Optional<String> service, int limit);

    /** Re-computes the whole chain. */
    ChainCheck verify();

    record Entry(long seq, Instant at, String actor, String action, Optional<String> runId, String service,
                 String detail, String previousHash, String hash) {
    }

    /** Whether the chain is whole; when not, the first entry where it breaks and why. */
    record ChainCheck(boolean intact, long entries, Optional<Long> brokenAt, String detail) {
    }
}
