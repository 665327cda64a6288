package dev.rewind.adapter.migration;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a Job stands, judged from its status as the Job controller writes it: the {@code Complete} or
 * {@code Failed} condition ends it; until then it is running (pods active) or waiting to start.
 */
record JobStatus(State state, String detail) {

    enum State { WAITING, RUNNING, SUCCEEDED, FAILED }

    static JobStatus of(Job job) {
        var status = job.getStatus();
        if (status == null) {
            return new JobStatus(State.WAITING, "waiting to start");
        }
        if (status.getConditions() != null) {
            for (JobCondition condition : status.getConditions()) {
                if (!"True".equals(condition.getStatus())) {
                    continue;
                }
                if ("Complete".equals(condition.getType())) {
                    return new JobStatus(State.SUCCEEDED, "succeeded" + took(status.getStartTime(), status.getCompletionTime()));
                }
                if ("Failed".equals(condition.getType())) {
                    String reason = Optional.ofNullable(condition.getReason()).orElse("Failed");
                    return new JobStatus(State.FAILED, "failed: " + reason
                            + (condition.getMessage() == null ? "" : " (" + condition.getMessage() + ")"));
                }
            }
        }
        if (status.getActive() != null && status.getActive() > 0) {
            return new JobStatus(State.RUNNING, "running");
        }
        return new JobStatus(State.WAITING, "waiting to start");
    }

    boolean finished() {
        return state == State.SUCCEEDED || state == State.FAILED;
    }

    private static String took(String start, String end) {
        try {
            if (start == null || end == null) {
                return "";
            }
            long seconds = Duration.between(Instant.parse(start), Instant.parse(end)).toSeconds();
            return " in " + seconds + " s";
        } catch (RuntimeException e) {
            return "";
        }
    }
}
