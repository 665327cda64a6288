-- The plan steps a run has finished, so a run picked up after a restart goes on from the first step
-- not done instead of running every step again.
CREATE TABLE run_steps (
    run_id       VARCHAR(32)   NOT NULL REFERENCES runs (id),
    step         INT           NOT NULL,
    target_key   VARCHAR(500)  NOT NULL,
    finished_at  BIGINT        NOT NULL,
    summary      VARCHAR(2000) NOT NULL,
    live         BOOLEAN       NOT NULL,
    PRIMARY KEY (run_id, step)
);
