-- Which replica runs each periodic job that must run on one replica at a time, and until when.
CREATE TABLE job_leases (
    job        VARCHAR(200) PRIMARY KEY,
    holder     VARCHAR(200) NOT NULL,
    expires_at BIGINT       NOT NULL
);
