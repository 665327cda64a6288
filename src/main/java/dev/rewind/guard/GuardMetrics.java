package dev.rewind.guard;

import java.time.Duration;

/** What the deploy guard reports to the bot's metrics. */
public interface GuardMetrics {

    /**
     * One evaluation of one guard.
     *
     * @param result {@code clear} (no rule held), {@code holding} (a rule's limits held, not yet for long enough),
     *               {@code triggered}, or {@code unreadable} (a signal had no number)
     * @param lag    how late it ran against its schedule
     */
    void evaluated(String result, Duration lag);

    /** A rule held and its action was applied. */
    void triggered(String rule, String action);

    GuardMetrics NONE = new GuardMetrics() {
        @Override
        public void evaluated(String result, Duration lag) {
        }

        @Override
        public void triggered(String rule, String action) {
        }
    };
}
