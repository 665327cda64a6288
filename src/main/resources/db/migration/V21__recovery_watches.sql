-- The watch after "Recovered": one row per recovered run until it ends (stable or relapsed); survives restarts.
CREATE TABLE recovery_watches (
    run_id     VARCHAR(64)  PRIMARY KEY,
    service    VARCHAR(200) NOT NULL,
    started_at BIGINT       NOT NULL,
    until_at   BIGINT       NOT NULL,
    next_at    BIGINT       NOT NULL,
    failures   INT          NOT NULL
);
CREATE INDEX recovery_watches_by_next ON recovery_watches (next_at);
