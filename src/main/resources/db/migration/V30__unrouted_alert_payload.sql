-- The stored payload an unrouted alert came in: handled again after a restart, it is not recorded twice (the
-- unique index lets one row per alert per payload in; rows from before this column have none and never clash).
ALTER TABLE unrouted_alerts ADD COLUMN payload_id BIGINT;
CREATE UNIQUE INDEX unrouted_alerts_once_per_payload ON unrouted_alerts (payload_id, fingerprint);
