package dev.rewind.guard;

import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.adapter.Revision;
import dev.rewind.config.DurationText;
import dev.rewind.config.ServiceConfig;
import dev.rewind.config.Target;
import dev.rewind.rollback.AuditLog;
import dev.rewind.rollback.Catalogues;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunIds;
import dev.rewind.rollback.RunRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Starts a guard for each new revision of a service — noticed by the Kubernetes informer or posted by a pipeline —
 * and says where each one stands. One deploy, one guard: the informer seeing the same revision again (a resync, a
 * restart, another replica) finds the guard already there, and a pipeline posting a deploy the informer saw
 * moments before (or the other way round) joins that guard. A newer revision supersedes the older one's guard.
 */
public final class DeployGuards {

    /** A pipeline's deploy and the informer's new revision this close together are the same deploy. */
    static final Duration SAME_DEPLOY = Duration.ofMinutes(5);
    public static final String ACTOR = "deploy guard";

    private static final Logger LOG = LoggerFactory.getLogger(DeployGuards.class);

    private final Catalogues catalogues;
    private final AdapterRegistry adapters;
    private final Map<String, String> lastSeen = new ConcurrentHashMap<>();
    private final GuardStore store;
    private final RunRepository runs;
    private final AuditLog audit;
    private final Clock clock;

    public DeployGuards(Catalogues catalogues, AdapterRegistry adapters, GuardStore store, RunRepository runs, AuditLog audit,
                        Clock clock) {
        this.catalogues = catalogues;
        this.adapters = adapters;
        this.store = store;
        this.runs = runs;
        this.audit = audit;
        this.clock = clock;
    }

    /** A deploy as whoever noticed it describes it. */
    public record Deploy(String revision, String label, Instant deployedAt, String source, Optional<String> by,
                         Optional<String> url) {
    }

    /** The guard watching a deploy, and whether this call started it (false: it was already being watched). */
    public record Watching(DeployGuard guard, boolean started) {
    }

    /**
     * Something changed about {@code target} in the cluster (the informer says so): every service with a
     * {@code guard:} whose primary target it is gets looked at for a new live revision.
     */
    public void targetChanged(Target target) {
        for (ServiceConfig service : catalogues.get().services()) {
            if (service.guard().isPresent() && service.primaryTarget().equals(target)) {
                observe(service, "kubernetes");
            }
        }
    }

    /** Looks, by describing it, at each guarded service whose primary target no informer watches. */
    public void pollUnwatched(Predicate<Target> informed) {
        for (ServiceConfig service : catalogues.get().services()) {
            if (service.guard().isPresent() && !informed.test(service.primaryTarget())) {
                observe(service, "describe");
            }
        }
    }

    /**
     * Describes the service's primary target and guards its live revision if it is new: made within the guard's
     * window (when the adapter knows when a revision was made), or else different from the one seen last time (the
     * first look after a start only remembers it). A revision Rewind itself just put live — a rollback running or
     * ended within {@link #SAME_DEPLOY} — is left to verification and the watch after recovery.
     */
    private void observe(ServiceConfig service, String source) {
        Revision current;
        try {
            current = adapters.forTarget(service.primaryTarget()).describe(service.primaryTarget()).current();
        } catch (RuntimeException e) {
            LOG.warn("Deploy guard: cannot describe {} ({}); will look again", service.name(), e.getMessage());
            return;
        }
        if (current.id().equals("?")) {
            return;
        }
        String before = lastSeen.put(service.name(), current.id());
        Instant now = clock.instant();
        boolean rewindsOwn = runs.latestForService(service.name()).filter(run -> !run.dryRun())
                .filter(run -> run.startedAt().isPresent()).filter(run -> !run.state().isFinal()
                        || run.finishedAt().filter(at -> at.isAfter(now.minus(SAME_DEPLOY))).isPresent()).isPresent();
        if (rewindsOwn) {
            return;
        }
        if (current.createdAt().isPresent()) {
            deployed(service, new Deploy(current.id(), current.label(), current.createdAt().get(), source, Optional.empty(),
                    Optional.empty()));
        } else if (before != null && !before.equals(current.id())) {
            deployed(service, new Deploy(current.id(), current.label(), now, source, Optional.empty(), Optional.empty()));
        }
    }

    /**
     * Guards {@code deploy} of {@code service} with the service's {@code guard:} (a pipeline's deploy of a service
     * without one gets {@link ServiceConfig.Guard#DEFAULT}).
     *
     * @return the guard, or empty when the informer saw a revision whose window is already over, or one of a service
     *         without a guard
     */
    public synchronized Optional<Watching> deployed(ServiceConfig service, Deploy deploy) {
        boolean api = deploy.source().equals("api");
        Optional<ServiceConfig.Guard> config = service.guard().or(() -> api ? Optional.of(ServiceConfig.Guard.DEFAULT)
                : Optional.empty());
        if (config.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Instant endsAt = deploy.deployedAt().plus(config.get().window());
        if (!endsAt.isAfter(now)) {
            return Optional.empty();
        }
        List<DeployGuard> watching = store.watching(service.name());
        if (watching.stream().anyMatch(g -> g.deployedAt().isAfter(deploy.deployedAt()) && !api)) {
            return Optional.empty();
        }
        Optional<DeployGuard> same = watching.stream().filter(g -> g.revision().equals(deploy.revision())
                || !g.source().equals(deploy.source()) && !g.startedAt().isBefore(now.minus(SAME_DEPLOY))).findFirst();
        if (same.isPresent()) {
            if (api) {
                store.describe(same.get().id(), deploy.by(), deploy.url());
            }
            return Optional.of(new Watching(store.find(same.get().id()).orElse(same.get()), false));
        }
        String id = RunIds.next().replace("rb-", "dg-");
        Duration interval = config.get().interval();
        // A pipeline's post is both the deploy and the start of its watch: its window is exactly the guard's.
        DeployGuard guard = store.insertOnce(new DeployGuard(id, service.name(), deploy.revision(), deploy.label(),
                deploy.deployedAt(), deploy.source(), deploy.by(), deploy.url(), api ? deploy.deployedAt() : now, endsAt, interval,
                now.plus(jitter(id, interval)), 0, 0, GuardStatus.WATCHING, Optional.empty(), Optional.empty(), Map.of(),
                Optional.empty()));
        if (!guard.id().equals(id)) {
            return Optional.of(new Watching(guard, false));
        }
        for (DeployGuard older : watching) {
            if (store.end(older.id(), GuardStatus.SUPERSEDED, Optional.empty(), Optional.empty(), now)) {
                audit.record(ACTOR, "deploy guard superseded", Optional.empty(), service.name(),
                        older.label() + " was replaced by " + deploy.label() + " before its window ended");
            }
        }
        audit.record(deploy.by().orElse(ACTOR), "deploy guard started", Optional.empty(), service.name(),
                deploy.label() + " (" + deploy.source() + ") watched for " + DurationText.format(config.get().window())
                        + " every " + DurationText.format(interval) + deploy.url().map(u -> "; " + u).orElse(""));
        return Optional.of(new Watching(guard, true));
    }

    /**
     * Where a guard's first check falls within its first interval, the same for the same id: guards started together
     * (a release train, a restart) spread their queries over the interval instead of all at once.
     */
    static Duration jitter(String id, Duration interval) {
        return Duration.ofMillis(Math.floorMod(id.hashCode() * 0x9E3779B1L, Math.max(1, interval.toMillis())));
    }

    /** The ids of the newest guards of {@code service}, newest first. */
    public List<String> latest(String service, int limit) {
        return store.latest(service, limit).stream().map(DeployGuard::id).toList();
    }

    /** What a pipeline waiting on a deploy sees. */
    public record DeployStatus(DeployGuard guard, String status, Optional<RollbackRun> run) {
    }

    /**
     * A guard's status in a pipeline's words: {@code watching}, {@code healthy}, {@code unjudged} (nothing to judge
     * by in the whole window), {@code superseded}, or once a rule
     * held, {@code degraded} (a card is open, nothing rolled back yet), {@code rolled-back} (the rollback ran; also
     * when it did not bring the numbers back) or {@code failed} (the rollback failed).
     */
    public Optional<DeployStatus> status(String id) {
        return store.find(id).map(guard -> {
            Optional<RollbackRun> run = guard.runId().flatMap(runs::find);
            String status = switch (guard.status()) {
                case WATCHING -> "watching";
                case HEALTHY -> "healthy";
                case UNJUDGED -> "unjudged";
                case SUPERSEDED -> "superseded";
                case TRIGGERED -> run.map(r -> switch (r.state()) {
                    case SUCCEEDED, NOT_RECOVERED -> "rolled-back";
                    case FAILED, INTERRUPTED -> "failed";
                    default -> "degraded";
                }).orElse("degraded");
            };
            return new DeployStatus(guard, status, run);
        });
    }
}
