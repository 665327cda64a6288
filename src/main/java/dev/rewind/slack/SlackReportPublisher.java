package dev.rewind.slack;

import dev.rewind.incident.ReportPublisher;
import dev.rewind.outbox.OutboxSignal;
import dev.rewind.outbox.OutboxStore;
import dev.rewind.rollback.RunView;

import java.time.Clock;
import java.util.Optional;

/** Sends a filed report to the run's incident channel (or its card's channel) as a Markdown file. */
public final class SlackReportPublisher implements ReportPublisher {

    private final OutboxStore outbox;
    private final OutboxSignal signal;
    private final Clock clock;

    public SlackReportPublisher(OutboxStore outbox, OutboxSignal signal, Clock clock) {
        this.outbox = outbox;
        this.signal = signal;
        this.clock = clock;
    }

    @Override
    public void publish(RunView view, String markdown) {
        String runId = view.run().id();
        outbox.append(OutboxKinds.incidentStream(runId), OutboxKinds.REPORT, Optional.of(runId), Optional.empty(), "",
                clock.instant());
        signal.signal();
    }
}
