package dev.rewind.rollback;

import dev.rewind.adapter.Revision;
import dev.rewind.assess.ServiceOverview;
import dev.rewind.config.DurationText;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * When a rollback did not bring a service back, the deploy was probably not the cause: what else changed in the
 * last hour is the next question. For a run that ends NOT_RECOVERED this reads every other catalogued service's
 * live revision (and config version, for config targets) and writes the ones made within the hour on the card and
 * in the incident room, off the engine's thread.
 */
public final class ChangesElsewhere implements RunObserver {

    static final Duration WINDOW = Duration.ofHours(1);

    private final Catalogues catalogues;
    private final ServiceOverview overview;
    private final RunTimeline timeline;
    private final RunViews views;
    private final Executor work;
    private final Clock clock;

    public ChangesElsewhere(Catalogues catalogues, ServiceOverview overview, RunTimeline timeline, RunViews views, Executor work,
                            Clock clock) {
        this.catalogues = catalogues;
        this.overview = overview;
        this.timeline = timeline;
        this.views = views;
        this.work = work;
        this.clock = clock;
    }

    @Override
    public void finished(RollbackRun run, String adapterType) {
        if (run.state() != RunState.NOT_RECOVERED) {
            return;
        }
        work.execute(() -> {
            String text = Mentions.neutralise(describe(run.service(), overview.list(catalogues.get()), clock.instant()));
            RunEvent event = new RunEvent(run.id(), clock.instant(), RunEvent.Kind.NOTE, text);
            timeline.append(event);
            views.progress(event);
        });
    }

    /** "What else changed in the last hour: cart r8 (shop/cart:2.1.0) 12m ago; …", or that nothing did. */
    static String describe(String service, List<ServiceOverview.Line> lines, Instant now) {
        List<String> changed = new ArrayList<>();
        for (ServiceOverview.Line line : lines) {
            if (line.service().name().equals(service) || line.target().state().isEmpty()) {
                continue;
            }
            Revision live = line.target().state().get().current();
            live.createdAt().filter(at -> !at.isBefore(now.minus(WINDOW))).ifPresent(at -> changed.add(line.service().name()
                    + " " + live.label() + " (" + live.imagesText() + ") " + DurationText.format(
                    Duration.between(at, now).withNanos(0)) + " ago"));
        }
        return changed.isEmpty() ? "What else changed in the last hour: nothing among the other services Rewind knows"
                : "What else changed in the last hour: " + String.join("; ", changed);
    }
}
