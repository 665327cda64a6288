package dev.rewind.rollback;

import java.time.Clock;

/** Writes a run's timeline: each entry is stored, then shown wherever the run is on view (card, incident room). */
final class Timeline {

    private final RunTimeline store;
    private final RunViews views;
    private final Clock clock;

    Timeline(RunTimeline store, RunViews views, Clock clock) {
        this.store = store;
        this.views = views;
        this.clock = clock;
    }

    void add(String runId, RunEvent.Kind kind, String message) {
        // Steps carry adapters' and receivers' words: they may name no one (Rewind's own sentences here have no tokens).
        RunEvent event = new RunEvent(runId, clock.instant(), kind, Mentions.neutralise(message));
        store.append(event);
        views.progress(event);
    }
}
