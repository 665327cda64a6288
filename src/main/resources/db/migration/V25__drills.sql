-- Drills: one row per rehearsal (its rollback run, then its restore run), kept for /rollback drills.
-- A scheduled drill carries the schedule's time, unique per service, so each one runs once across replicas.
CREATE TABLE drills (
    id              VARCHAR(64)   PRIMARY KEY,
    service         VARCHAR(200)  NOT NULL,
    requested_by    VARCHAR(200)  NOT NULL,
    source          VARCHAR(16)   NOT NULL,
    from_revision   VARCHAR(300)  NOT NULL,
    from_label      VARCHAR(300)  NOT NULL,
    run_id          VARCHAR(64),
    restore_run_id  VARCHAR(64),
    state           VARCHAR(16)   NOT NULL,
    started_at      BIGINT        NOT NULL,
    scheduled_for   BIGINT,
    ended_at        BIGINT,
    report          VARCHAR(8000),
    recovery_s      BIGINT,
    CONSTRAINT drills_one_per_slot UNIQUE (service, scheduled_for)
);
CREATE INDEX drills_by_service ON drills (service, started_at);
CREATE INDEX drills_by_run ON drills (run_id);
CREATE INDEX drills_by_restore ON drills (restore_run_id);
