package dev.rewind.rollback;

import java.time.Clock;

/** Writes a run's timeline: each entry is stored, then shown wherever the run is on view (card, incident room). */
final class Timeline {

    private final RunRepository runs;
    private final RunViews views;
    private final Clock clock;

    Timeline(RunRepository runs, RunViews views, Clock clock) {
        this.runs = runs;
        this.views = views;
        this.clock = clock;
    }

    void add(String runId, RunEvent.Kind kind, String message) {
        RunEvent event = new RunEvent(runId, clock.instant(), kind, message);
        runs.append(event);
        views.progress(event);
    }
}
