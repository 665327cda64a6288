-- One row that every audit writer locks (SELECT ... FOR UPDATE) before it reads the newest hash, so writers in
-- every replica take turns instead of racing on audit.prev_hash and retrying (eight busy writers on PostgreSQL
-- could exhaust the retries).
CREATE TABLE audit_writer_lock (id INT PRIMARY KEY);
INSERT INTO audit_writer_lock (id) VALUES (1);
