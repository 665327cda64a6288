package dev.rewind.rollback;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What happened during a run, in order: its timeline entries (shown on the card, in the room and in
 * the report), the signal values seen, and which plan steps finished (so a resumed run skips them).
 */
public interface RunTimeline {

    /** Adds an entry at the end of the run's timeline. */
    void append(RunEvent event);

    List<RunEvent> events(String runId);

    void recordSamples(String runId, List<SignalSample> samples);

    /** Records that plan step {@code step} finished; a second record for it is ignored. */
    void stepDone(String runId, FinishedStep step, Instant at);

    /** The finished steps of a run, by step index. */
    Map<Integer, FinishedStep> stepsDone(String runId);

    /** A plan step that finished: on which target, and whether its change was live (not waiting for people). */
    record FinishedStep(int index, String targetKey, String summary, boolean live) {
    }

    List<SignalSample> samples(String runId);
}
