-- Versions of ConfigMaps and Secrets observed by the config adapter's recorder (Kubernetes keeps no
-- history of them). Portable SQL: the same script runs on H2 and PostgreSQL. Times are epoch milliseconds.
-- A version is identified by a digest of its content; the same content seen again keeps its row and
-- number, and only last_seen_at moves. Secret values are never stored in clear: key_hashes holds a
-- SHA-256 digest per key, sealed an AES-GCM encrypted copy (or NULL when only digests are kept).

CREATE TABLE config_versions (
    namespace      VARCHAR(253)     NOT NULL,
    kind           VARCHAR(16)      NOT NULL,
    name           VARCHAR(253)     NOT NULL,
    version_id     VARCHAR(64)      NOT NULL,
    number         INTEGER          NOT NULL,
    first_seen_at  BIGINT           NOT NULL,
    last_seen_at   BIGINT           NOT NULL,
    data           VARCHAR(3000000) NOT NULL,
    key_hashes     VARCHAR(100000)  NOT NULL,
    sealed         VARCHAR(3000000),
    PRIMARY KEY (namespace, kind, name, version_id)
);
-- Numbers are per object; two replicas recording at once cannot hand out the same one.
CREATE UNIQUE INDEX config_versions_by_number ON config_versions (namespace, kind, name, number);
CREATE INDEX config_versions_by_recency ON config_versions (namespace, kind, name, last_seen_at);
