package dev.rewind.rollback;

import java.util.Map;

/** Tells a status page (or anything listening) that a rollback started or ended. Never throws; retries by itself. */
public interface StatusWebhook {

    /** POSTs {@code event} as JSON to {@code url}, signed with the secret in {@code secretEnv} for run {@code runId}. */
    void send(String url, String secretEnv, String runId, Map<String, Object> event);

    StatusWebhook NONE = (url, secretEnv, runId, event) -> { };
}
