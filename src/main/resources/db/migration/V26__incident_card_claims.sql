-- Which replica opens an alert incident's card: the one that claims it first (claims older than a minute lapse,
-- so a replica that died while opening does not leave the incident without a card).
ALTER TABLE alert_incidents ADD COLUMN card_claimed_at BIGINT;
