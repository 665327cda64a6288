-- The deploy guard: one row per new revision watched (by the informer or a pipeline's POST /api/v1/deploys),
-- kept after it ends so a pipeline can read its status. rule_progress is JSON: {"rule": [holdingSinceMillis|-1, probeFailures]}.
CREATE TABLE deploy_guards (
    id            VARCHAR(64)   PRIMARY KEY,
    service       VARCHAR(200)  NOT NULL,
    revision      VARCHAR(300)  NOT NULL,
    label         VARCHAR(300)  NOT NULL,
    deployed_at   BIGINT        NOT NULL,
    source        VARCHAR(32)   NOT NULL,
    deployed_by   VARCHAR(200),
    url           VARCHAR(2000),
    started_at    BIGINT        NOT NULL,
    ends_at       BIGINT        NOT NULL,
    interval_ms   BIGINT        NOT NULL,
    next_check_at BIGINT        NOT NULL,
    checks        INT           NOT NULL,
    status        VARCHAR(16)   NOT NULL,
    run_id        VARCHAR(64),
    trigger_note  VARCHAR(2000),
    rule_progress VARCHAR(20000) NOT NULL,
    ended_at      BIGINT,
    CONSTRAINT deploy_guards_one_per_revision UNIQUE (service, revision)
);
CREATE INDEX deploy_guards_due ON deploy_guards (status, next_check_at);
CREATE INDEX deploy_guards_by_service ON deploy_guards (service, status);
