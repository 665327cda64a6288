-- The first message about a run in a stakeholder channel (announce:), so the end is said as a reply under it.
CREATE TABLE run_announcements (
    run_id  VARCHAR(64)  NOT NULL,
    channel VARCHAR(64)  NOT NULL,
    ts      VARCHAR(64)  NOT NULL,
    PRIMARY KEY (run_id, channel)
);
