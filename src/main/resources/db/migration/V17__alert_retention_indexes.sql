-- The retention job deletes stored alerts by age: find them without scanning the tables.
CREATE INDEX alert_payloads_by_received ON alert_payloads (received_at);
CREATE INDEX unrouted_alerts_by_received ON unrouted_alerts (received_at);
CREATE INDEX alert_incidents_by_resolved ON alert_incidents (resolved_at);
CREATE INDEX alert_incidents_by_expired ON alert_incidents (expired_at);
