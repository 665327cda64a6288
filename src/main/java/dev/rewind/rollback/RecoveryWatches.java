package dev.rewind.rollback;

import java.time.Instant;
import java.util.List;

/** The watches after recovery, stored so that a restart (or another replica) carries them on. */
public interface RecoveryWatches {

    /** One run's watch: since when, until when, and how many checks in a row have failed. */
    record Watch(String runId, String service, Instant startedAt, Instant until, int failures) {
    }

    void start(Watch watch, Instant firstCheck);

    List<Watch> due(Instant now);

    /** After a check: the failures in a row so far, and when to look next. */
    void checked(String runId, int failures, Instant next);

    /** The watch is over (stable or relapsed); false when another replica ended it first. */
    boolean end(String runId);
}
