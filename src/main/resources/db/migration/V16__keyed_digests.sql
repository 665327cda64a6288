-- Keys Rewind makes for itself when none is configured: the audit chain's HMAC key when
-- REWIND_AUDIT_KEY is not set, and the key of Secret value digests for targets without a keyEnv.
-- Generated once (32 random bytes, base64), by whichever replica gets there first.
CREATE TABLE installation_keys (
    name        VARCHAR(64)   PRIMARY KEY,
    key_base64  VARCHAR(100)  NOT NULL,
    created_at  BIGINT        NOT NULL
);

-- How each audit row's hash was made: 1 = SHA-256 of its fields (rows written before this
-- migration), 2 = HMAC-SHA256 of its fields with the audit key. Once a 2 appears, no 1 may follow.
ALTER TABLE audit ADD COLUMN hash_version INTEGER DEFAULT 1 NOT NULL;
