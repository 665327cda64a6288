-- The stored payload an incident alert's latest notification came in: a payload handled again after a restart
-- (it was stored but not marked processed) then updates the alert without counting the notification twice.
ALTER TABLE incident_alerts ADD COLUMN last_payload_id BIGINT;
