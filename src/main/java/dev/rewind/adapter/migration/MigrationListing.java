package dev.rewind.adapter.migration;

import dev.rewind.adapter.AdapterException;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.kubernetes.KubernetesErrors;
import dev.rewind.config.DurationText;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The migrations a rollback would revert, as the target's {@code list} Job prints them, kept ready for
 * the card.
 * <p>
 * One listing Job per target and state: its name and labels carry a digest of the target block, of the
 * app Deployment's revision (when {@code deployment:} is given) and of Rewind's latest rollback of this
 * database, so a new deploy or a rollback leads to a new listing. The name also carries the freshness
 * window it was started in ({@code list.freshFor}), so a listing that has grown stale is replaced by a
 * new one instead of being shown, while two describes racing in the same window create one Job (the
 * second is told it exists). Listing Jobs delete themselves a while after they finish and are stopped
 * after {@link #ACTIVE_DEADLINE}, so a pod that cannot start does not wait forever.
 */
final class MigrationListing {

    static final String FACT = "Migrations to revert";
    /** Label: which target a listing Job is for (its short hash). Not {@link MigrationJobs#TARGET}: runs are found by that. */
    static final String LISTING = "rewind.dev/listing";
    /** Label: which state of the target it listed. */
    static final String STATE = "rewind.dev/state";
    static final int SHOWN_LINES = 10;
    static final Duration ACTIVE_DEADLINE = Duration.ofMinutes(10);
    private static final int LINE_LIMIT = 200;
    private static final String REVISION = "deployment.kubernetes.io/revision";

    private final KubernetesClient client;
    private final MigrationJobs jobs;
    private final Clock clock;
    /** What finished listing Jobs printed, by Job uid: their logs never change, and each card redraw would read them again. */
    private final Map<String, String> printed = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int PRINTED_KEPT = 200;

    MigrationListing(KubernetesClient client, MigrationJobs jobs, Clock clock) {
        this.client = client;
        this.jobs = jobs;
        this.clock = clock;
    }

    /** A target in one state: what its listing Jobs are labelled with and called. */
    record Key(String targetHash, String stateHash) {

        Map<String, String> labels() {
            return Map.of(LISTING, targetHash, STATE, stateHash);
        }

        /** {@code rewind-list-3f2a9c-81d4be07-1983519}: at most 63 characters, the same for everyone in one window. */
        String name(long window) {
            return "rewind-list-" + targetHash + "-" + stateHash + "-" + window;
        }
    }

    /**
     * For the card: the listed migrations, or that they are being listed (starting the Job when no
     * current listing exists), or why they are not. Never waits for the Job and never throws: the rest
     * of the card does not depend on it.
     *
     * @param runJobs Rewind's run Jobs for this target, newest first
     */
    TargetState.Fact describe(MigrationTarget target, Target block, List<Job> runJobs) {
        return read(target, block, runJobs).fact();
    }

    /** A listing as the card shows it, and whether its Job is still running (worth reading again soon). */
    record Listing(TargetState.Fact fact, Optional<Duration> readAgainIn) {
    }

    /** Soon while a listing has just started, less often the longer it takes (a pod that cannot start). */
    private Duration readAgainIn(Job job) {
        Duration age = Optional.ofNullable(job.getMetadata().getCreationTimestamp())
                .map(created -> Duration.between(Instant.parse(created), clock.instant()))
                .orElse(Duration.ZERO);
        return age.compareTo(Duration.ofSeconds(30)) < 0 ? Duration.ofSeconds(10)
                : age.compareTo(Duration.ofMinutes(2)) < 0 ? Duration.ofSeconds(30)
                : Duration.ofSeconds(60);
    }

    Listing read(MigrationTarget target, Target block, List<Job> runJobs) {
        try {
            Key key = key(target, block, runJobs);
            Optional<Job> current = current(target, key);
            if (current.isPresent()) {
                return new Listing(fact(target, current.get()), JobStatus.of(current.get()).finished() ? Optional.empty()
                        : Optional.of(readAgainIn(current.get())));
            }
            String name = key.name(window(target));
            jobs.createListing(target, name, key.labels(), ttl(target), ACTIVE_DEADLINE);
            return new Listing(beingListed(name), Optional.of(Duration.ofSeconds(10)));
        } catch (AdapterException e) {
            return new Listing(new TargetState.Fact(FACT, "cannot be listed: " + e.getMessage()), Optional.empty());
        }
    }

    /**
     * For a run: the current listing's Job if it succeeded or is still running, so the run follows or
     * reuses it instead of listing again. Empty when there is none, it failed, or the state cannot be
     * read; the run then lists for itself.
     */
    Optional<Job> reusable(MigrationTarget target, Target block, List<Job> runJobs) {
        try {
            return current(target, key(target, block, runJobs))
                    .filter(job -> JobStatus.of(job).state() != JobStatus.State.FAILED);
        } catch (AdapterException e) {
            return Optional.empty();
        }
    }

    /** How long ago the Job finished, for people: {@code 4 min ago}. */
    String finishedAgo(Job job) {
        long seconds = Math.max(0, Duration.between(finishedAt(job), clock.instant()).toSeconds());
        return seconds < 60 ? seconds + " s ago" : seconds / 60 + " min ago";
    }

    /**
     * The first {@link #SHOWN_LINES} non-blank lines of a listing's output, each clipped, and how many
     * more there are: a card must stay short, and a Slack section holds 3,000 characters.
     */
    static String summary(String log) {
        List<String> lines = log.lines().map(String::stripTrailing).filter(line -> !line.isBlank()).toList();
        if (lines.isEmpty()) {
            return "(the listing printed nothing)";
        }
        String shown = String.join("\n", lines.stream().limit(SHOWN_LINES).map(MigrationListing::clip).toList());
        return lines.size() > SHOWN_LINES ? shown + "\n… and " + (lines.size() - SHOWN_LINES) + " more" : shown;
    }

    Key key(MigrationTarget target, Target block, List<Job> runJobs) {
        String deployed = target.deployment().map(name -> deployedRevision(target.namespace(), name)).orElse("");
        String lastRollback = runJobs.stream()
                .filter(job -> target.rollback().step().equals(job.getMetadata().getLabels().get(MigrationJobs.STEP)))
                .findFirst().map(job -> job.getMetadata().getLabels().get(MigrationJobs.RUN)).orElse("");
        String state = block.key() + "\n" + deployed + "\n" + lastRollback;
        return new Key(MigrationTarget.shortHash(block), MigrationTarget.digest(state, 8));
    }

    /**
     * The newest listing Job for this state, if it still counts: running, started in this window, or
     * finished within {@code freshFor}. Older ones are staler still, so only the newest is looked at.
     */
    private Optional<Job> current(MigrationTarget target, Key key) {
        String thisWindow = key.name(window(target));
        Instant freshSince = clock.instant().minus(target.list().orElseThrow().freshFor());
        return jobs.labelled(target.namespace(), key.labels()).stream().findFirst()
                .filter(job -> job.getMetadata().getName().equals(thisWindow) || !JobStatus.of(job).finished()
                        || finishedAt(job).isAfter(freshSince));
    }

    private TargetState.Fact fact(MigrationTarget target, Job job) {
        String name = job.getMetadata().getName();
        JobStatus status = JobStatus.of(job);
        return switch (status.state()) {
            case SUCCEEDED -> new TargetState.Fact(FACT, listedBy(target, job));
            case FAILED -> new TargetState.Fact(FACT, "not listed: listing Job " + name + " " + status.detail()
                    + lastLine(target.namespace(), name) + ". Rewind lists again after "
                    + DurationText.format(target.list().orElseThrow().freshFor()) + "; a rollback run lists them for itself "
                    + "first");
            default -> beingListed(name);
        };
    }

    private String listedBy(MigrationTarget target, Job job) {
        String name = job.getMetadata().getName();
        try {
            return "listed by Job " + name + " " + finishedAgo(job) + ":\n" + printedBy(target, job);
        } catch (AdapterException e) {
            return "listing Job " + name + " succeeded, but " + e.getMessage();
        }
    }

    private String printedBy(MigrationTarget target, Job job) {
        String uid = job.getMetadata().getUid();
        if (uid == null) {
            return summary(jobs.log(target.namespace(), job.getMetadata().getName()));
        }
        String known = printed.get(uid);
        if (known != null) {
            return known;
        }
        String summary = summary(jobs.log(target.namespace(), job.getMetadata().getName()));
        if (printed.size() >= PRINTED_KEPT) {
            printed.clear();
        }
        printed.put(uid, summary);
        return summary;
    }

    private String lastLine(String namespace, String jobName) {
        try {
            List<String> lines = jobs.log(namespace, jobName).lines().filter(line -> !line.isBlank()).toList();
            return lines.isEmpty() ? " (its pod wrote nothing)" : ": " + clip(lines.get(lines.size() - 1).strip());
        } catch (AdapterException e) {
            return " (" + e.getMessage() + ")";
        }
    }

    private static TargetState.Fact beingListed(String name) {
        return new TargetState.Fact(FACT, "being listed by Job " + name + "; the card shows them when it finishes");
    }

    /** {@code uid/revision}: a new deploy bumps the revision; a Deployment deleted and made again gets a new uid. */
    private String deployedRevision(String namespace, String name) {
        Deployment deployment;
        try {
            deployment = client.apps().deployments().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw new AdapterException("cannot read Deployment " + namespace + "/" + name + ": "
                    + KubernetesErrors.describe(e), e);
        }
        if (deployment == null) {
            throw new AdapterException("Deployment " + namespace + "/" + name + " (the target's 'deployment') not found");
        }
        String revision = Optional.ofNullable(deployment.getMetadata().getAnnotations()).map(a -> a.get(REVISION))
                .orElse("generation " + deployment.getMetadata().getGeneration());
        return deployment.getMetadata().getUid() + "/" + revision;
    }

    private long window(MigrationTarget target) {
        return clock.millis() / target.list().orElseThrow().freshFor().toMillis();
    }

    /** Long enough that a listing stays readable through its freshness window, whatever the clocks say. */
    private static Duration ttl(MigrationTarget target) {
        return target.list().orElseThrow().freshFor().multipliedBy(2);
    }

    /** When the Job ended, by the best timestamp its status has; the epoch (stale) when it has none. */
    private static Instant finishedAt(Job job) {
        var status = job.getStatus();
        Stream<String> candidates = Stream.of(
                status == null ? null : status.getCompletionTime(),
                status == null || status.getConditions() == null ? null : status.getConditions().stream()
                        .filter(c -> "True".equals(c.getStatus())).map(JobCondition::getLastTransitionTime)
                        .filter(t -> t != null).findFirst().orElse(null),
                status == null ? null : status.getStartTime(),
                job.getMetadata().getCreationTimestamp());
        return candidates.filter(t -> t != null).flatMap(MigrationListing::instant).findFirst().orElse(Instant.EPOCH);
    }

    private static Stream<Instant> instant(String text) {
        try {
            return Stream.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Stream.empty();
        }
    }

    private static String clip(String line) {
        return line.length() <= LINE_LIMIT ? line : line.substring(0, LINE_LIMIT - 1) + "…";
    }
}
