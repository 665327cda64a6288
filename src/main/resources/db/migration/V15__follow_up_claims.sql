-- When a follow-up was claimed, so a claim left by a process that died mid-call can be taken over.
ALTER TABLE follow_ups ADD COLUMN claimed_at BIGINT;
