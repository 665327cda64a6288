package dev.rewind.adapter;

import dev.rewind.config.ServiceConfig;

/**
 * Runs a service's smoke test ({@code verification.job}) once the checks have passed: recovered only if it
 * succeeds. Never throws: a Job that cannot be created or read is a failed smoke test, with the reason.
 */
public interface SmokeTests {

    /** How the smoke test ended, in a sentence for the card ("smoke test rewind-smoke-ab12 passed in 14s"). */
    record Result(boolean passed, String detail) {
    }

    Result run(String runId, String service, ServiceConfig.SmokeJob job);

    SmokeTests NONE = (runId, service, job) -> new Result(false, "no smoke-test runner is configured");
}
