-- What a rollback left for after the incident (e.g. automated sync turned off in Argo CD), one per
-- step that left something, offered as a button until someone carries it out.
CREATE TABLE follow_ups (
    id           VARCHAR(40)   PRIMARY KEY,
    run_id       VARCHAR(32)   NOT NULL REFERENCES runs (id),
    step         INT           NOT NULL,
    target_key   VARCHAR(500)  NOT NULL,
    action       VARCHAR(200)  NOT NULL,
    description  VARCHAR(2000) NOT NULL,
    recorded     VARCHAR(8000) NOT NULL,
    created_at   BIGINT        NOT NULL,
    claimed_by   VARCHAR(100),
    done_by      VARCHAR(100),
    done_at      BIGINT,
    result       VARCHAR(2000)
);
CREATE INDEX follow_ups_by_run ON follow_ups (run_id, step);
