package dev.rewind.incident;

import dev.rewind.rollback.RunView;

/**
 * Somewhere a filed report is also sent: the incident channel, an issue tracker. Must not block:
 * implementations queue the work and retry it on their own.
 */
public interface ReportPublisher {

    void publish(RunView view, String markdown);
}
