package dev.rewind.adapter.symlink;

import dev.rewind.adapter.AdapterException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Does the same job on every host of a target at once, each over its own connection and within a time budget. */
final class Fleet {

    /** The job for one host, given its open connection. */
    @FunctionalInterface
    interface HostJob<T> {
        T run(SshHost host, RemoteReleases remote);
    }

    /** What the job did on one host: a value, or the reason it failed (already worded for people). */
    record Answer<T>(SshHost host, Optional<T> value, Optional<String> failure) {

        boolean ok() {
            return value.isPresent();
        }

        /** {@code app1: reason}. */
        String failureText() {
            return host.label() + ": " + failure.orElse("no failure");
        }
    }

    private final ExecutorService executor;

    Fleet(ExecutorService executor) {
        this.executor = executor;
    }

    /** Runs {@code job} on every host in parallel; answers in the order of the hosts, never throws for one host. */
    <T> List<Answer<T>> onEveryHost(ReleaseTarget target, Duration budget, HostJob<T> job) {
        return on(target.hosts(), target, budget, job);
    }

    /** Runs {@code job} on one host of the target. */
    <T> Answer<T> onHost(SshHost host, ReleaseTarget target, Duration budget, HostJob<T> job) {
        return on(List.of(host), target, budget, job).get(0);
    }

    private <T> List<Answer<T>> on(List<SshHost> hosts, ReleaseTarget target, Duration budget, HostJob<T> job) {
        List<Future<T>> futures = new ArrayList<>();
        for (SshHost host : hosts) {
            futures.add(executor.submit(() -> {
                try (SshSession ssh = SshSession.open(host, target.login(), budget)) {
                    return job.run(host, new RemoteReleases(ssh, target.layout(), host));
                }
            }));
        }
        long deadline = System.nanoTime() + budget.toNanos();
        List<Answer<T>> answers = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            answers.add(answer(hosts.get(i), futures.get(i), deadline, budget));
        }
        return answers;
    }

    private static <T> Answer<T> answer(SshHost host, Future<T> future, long deadline, Duration budget) {
        try {
            // a little grace beyond the budget: the session's own timeouts should answer first, with more detail
            long wait = Math.max(0, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(1);
            return new Answer<>(host, Optional.of(future.get(wait, TimeUnit.NANOSECONDS)), Optional.empty());
        } catch (TimeoutException e) {
            future.cancel(true);
            return failed(host, "no answer within " + budget.toSeconds() + "s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return failed(host, cause instanceof AdapterException ? cause.getMessage()
                    : cause.getClass().getSimpleName() + ": " + cause.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            return failed(host, "interrupted while waiting for it");
        }
    }

    private static <T> Answer<T> failed(SshHost host, String reason) {
        return new Answer<>(host, Optional.empty(), Optional.of(reason));
    }
}
