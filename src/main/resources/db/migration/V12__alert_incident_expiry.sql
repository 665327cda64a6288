-- An incident closed because its alerts went quiet without a "resolved" (a lost notification, a
-- silenced rule): when, so the card can say it was not a resolution.
ALTER TABLE alert_incidents ADD COLUMN expired_at BIGINT;
