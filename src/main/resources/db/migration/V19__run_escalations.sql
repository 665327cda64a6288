-- Deadline reminders and escalations sent for a run: each step at most once, whichever replica sends it.
CREATE TABLE run_escalations (
    run_id  VARCHAR(64) NOT NULL,
    step    VARCHAR(32) NOT NULL,
    sent_at BIGINT      NOT NULL,
    PRIMARY KEY (run_id, step)
);
