package dev.rewind.incident;

import dev.rewind.rollback.Mentions;
import dev.rewind.rollback.RunObserver;
import dev.rewind.rollback.RunView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;

/**
 * Files the report of a run that ended: stored as it is at that moment, and, for runs that changed
 * something, sent to every publisher (the incident channel, an issue tracker).
 */
public final class ReportFiler implements RunObserver {

    private static final Logger LOG = LoggerFactory.getLogger(ReportFiler.class);

    private final ReportStore store;
    private final List<ReportPublisher> publishers;
    private final Clock clock;

    public ReportFiler(ReportStore store, List<ReportPublisher> publishers, Clock clock) {
        this.store = store;
        this.publishers = List.copyOf(publishers);
        this.clock = clock;
    }

    /** Brings the stored report up to date (e.g. a follow-up done) without publishing it again. */
    @Override
    public void amended(RunView view) {
        store.file(view.run().id(), ReportRenderer.markdown(Report.of(view, Mentions.PLAIN)), clock.instant());
    }

    @Override
    public void closed(RunView view) {
        String markdown = ReportRenderer.markdown(Report.of(view, Mentions.PLAIN));
        store.file(view.run().id(), markdown, clock.instant());
        if (view.run().startedAt().isEmpty() && !view.run().dryRun()) {
            return;
        }
        for (ReportPublisher publisher : publishers) {
            try {
                publisher.publish(view, markdown);
            } catch (RuntimeException e) {
                LOG.error("publishing the report of {} failed", view.run().id(), e);
            }
        }
    }
}
