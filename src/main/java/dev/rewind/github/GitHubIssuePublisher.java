package dev.rewind.github;

import dev.rewind.config.ServiceConfig;
import dev.rewind.incident.ReportPublisher;
import dev.rewind.outbox.OutboxSignal;
import dev.rewind.outbox.OutboxStore;
import dev.rewind.rollback.Catalogues;
import dev.rewind.rollback.RunView;

import java.time.Clock;
import java.util.Optional;

/** Files a report as a GitHub issue for services whose {@code report.github} names a repository. */
public final class GitHubIssuePublisher implements ReportPublisher {

    static final String KIND = "github.issue";

    private final Catalogues catalogues;
    private final OutboxStore outbox;
    private final OutboxSignal signal;
    private final Clock clock;

    public GitHubIssuePublisher(Catalogues catalogues, OutboxStore outbox, OutboxSignal signal, Clock clock) {
        this.catalogues = catalogues;
        this.outbox = outbox;
        this.signal = signal;
        this.clock = clock;
    }

    @Override
    public void publish(RunView view, String markdown) {
        Optional<ServiceConfig.Report> report = catalogues.service(view.run().service()).map(ServiceConfig::report);
        if (report.isEmpty() || report.get().github().isEmpty()) {
            return;
        }
        String runId = view.run().id();
        outbox.append("github:" + runId, KIND, Optional.of(runId), Optional.empty(), "", clock.instant());
        signal.signal();
    }
}
