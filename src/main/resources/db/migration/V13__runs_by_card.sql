-- Retry hands a card to a new run; redraws ask which run a card belongs to now.
CREATE INDEX runs_by_card ON runs (card_channel, card_message);
