package dev.rewind.alerts;

import dev.rewind.assess.Tier;
import dev.rewind.assess.TierPolicy;
import dev.rewind.config.Catalogue;
import dev.rewind.config.ServiceConfig;
import dev.rewind.rollback.IncidentChannel;
import dev.rewind.rollback.Catalogues;
import dev.rewind.rollback.AutoRollback;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunOpenings;
import dev.rewind.rollback.RunIds;
import dev.rewind.rollback.RunViews;
import dev.rewind.rollback.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Alerts in, cards out. Every payload is stored before it is processed; each alert is routed to its
 * service and recorded in the service's open incident. The first firing alert of an incident opens
 * its card; later ones update the same card; when every alert has resolved, the card says so. An
 * alert for no known service is kept and, when a default channel is configured, announced there.
 * Alerts of one service are handled in order on one lane, so a storm cannot open two cards.
 * <p>
 * Alert messages from chat are read on a pool of their own ({@value #READERS} threads, at most
 * {@value #READ_QUEUE} waiting; beyond that the oldest waiting message is dropped and logged), so
 * whatever is posted in a watched channel never delays slash commands and button clicks.
 */
public final class AlertIntake implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertIntake.class);
    /** How long a replica's claim to open an incident's card holds before another may open it. */
    static final Duration CARD_CLAIM = Duration.ofSeconds(60);
    /** How long a stop waits for the alerts in hand; one cut short stays unprocessed for the next start. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    static final int LANES = 8;
    static final int READERS = 2;
    static final int READ_QUEUE = 64;

    private final Catalogues catalogues;
    private final AlertStore store;
    private final RunOpenings openings;
    private final RunViews views;
    private final IncidentChannel channel;
    private final AutoRollback policy;
    private final Clock clock;
    private final Consumer<String> received;
    private final List<ExecutorService> lanes = new ArrayList<>();
    private volatile boolean closing;
    private final ThreadPoolExecutor reading;
    private final AtomicLong droppedMessages = new AtomicLong();
    private final UnroutedAnnouncements unrouted;

    /**
     * @param received told the source of every alert received, for metrics
     */
    public AlertIntake(Catalogues catalogues, AlertStore store, RunOpenings openings, RunViews views,
                       IncidentChannel channel, AutoRollback policy, Clock clock, Consumer<String> received) {
        this.catalogues = catalogues;
        this.store = store;
        this.openings = openings;
        this.views = views;
        this.channel = channel;
        this.policy = policy;
        this.clock = clock;
        this.received = received;
        this.unrouted = new UnroutedAnnouncements(clock);
        for (int i = 0; i < LANES; i++) {
            int lane = i;
            lanes.add(Executors.newSingleThreadExecutor(r -> {
                Thread thread = new Thread(r, "rewind-alerts-" + lane);
                thread.setDaemon(true);
                return thread;
            }));
        }
        AtomicInteger readers = new AtomicInteger();
        reading = new ThreadPoolExecutor(READERS, READERS, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(READ_QUEUE),
                r -> {
                    Thread thread = new Thread(r, "rewind-alert-reader-" + readers.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, this::dropOldest);
        reading.prestartAllCoreThreads();
    }

    /**
     * Reads an alert message posted in a watched channel, later, on the readers' pool; an alert in it
     * is stored and handled as {@link #accept} does, never trusted. Never blocks.
     *
     * @param firstDelivery asked on the pool before reading: false when this delivery was handled already
     */
    public void readMessage(String channel, AlertMessageParser.Message message, BooleanSupplier firstDelivery) {
        reading.execute(() -> {
            try {
                if (!firstDelivery.getAsBoolean()) {
                    return;
                }
                AlertMessageParser.parse(message, catalogues.get(), clock.instant()).ifPresent(alert ->
                        accept(alert.source(), SlackAlertPayload.write(channel, clip(message.text()), List.of(alert)),
                                List.of(alert), false));
            } catch (RuntimeException e) {
                LOG.error("reading an alert message from {} failed", channel, e);
            }
        });
    }

    /** A full queue drops its oldest message: the newest says most about what is firing now. */
    private void dropOldest(Runnable task, ThreadPoolExecutor pool) {
        if (pool.isShutdown()) {
            return;
        }
        // Null when the readers took the last one meanwhile; an offer that still fails drops the new one.
        int lost = (pool.getQueue().poll() != null ? 1 : 0) + (pool.getQueue().offer(task) ? 0 : 1);
        if (lost == 0) {
            return;
        }
        long dropped = droppedMessages.addAndGet(lost);
        if (dropped == lost || dropped / 100 != (dropped - lost) / 100) {
            LOG.warn("alert messages arrive faster than they can be read: {} waiting message(s) dropped so far "
                    + "(a bot flooding a watched channel?)", dropped);
        }
    }

    private static String clip(String text) {
        return text == null || text.length() <= AlertMessageParser.MAX_TEXT ? text
                : text.substring(0, AlertMessageParser.MAX_TEXT);
    }

    /** Stores the payload, then hands its alerts to their services' lanes. @return the stored payload's id */
    public long accept(String source, String body, List<Alert> alerts, boolean trusted) {
        long id = store.savePayload(source, body, clock.instant());
        dispatch(id, alerts, trusted);
        return id;
    }

    /**
     * Stores a raw payload first, then reads it with {@code parse}; a payload that cannot be read is
     * kept (marked done) and its {@link MalformedAlertException} passed on for the caller's 400.
     *
     * @param trusted whether the sender was authenticated (only then may a policy roll back by itself)
     * @return how many alerts it carried
     */
    public int receive(String source, String body, java.util.function.Function<String, List<Alert>> parse,
                       boolean trusted) {
        long id = store.savePayload(source, body, clock.instant());
        List<Alert> alerts;
        try {
            alerts = parse.apply(body);
        } catch (MalformedAlertException e) {
            store.markProcessed(id, clock.instant());
            throw e;
        }
        dispatch(id, alerts, trusted);
        return alerts.size();
    }

    /**
     * Processes payloads that were stored but not processed before a restart: Alertmanager's webhook
     * bodies and alerts read from chat messages.
     *
     * @param webhookTrusted whether the webhook requires a token (chat alerts are never trusted)
     */
    public int resume(boolean webhookTrusted) {
        int resumed = 0;
        for (AlertStore.StoredPayload payload : store.unprocessed()) {
            try {
                boolean fromChat = SlackAlertPayload.isSlack(payload.source());
                List<Alert> alerts = fromChat ? SlackAlertPayload.read(payload.body())
                        : payload.source().equals(AlertmanagerPayload.SOURCE) ? AlertmanagerPayload.parse(payload.body())
                        : List.of();
                dispatch(payload.id(), alerts, webhookTrusted && !fromChat);
                resumed++;
            } catch (RuntimeException e) {
                LOG.warn("stored alert payload {} cannot be read again: {}", payload.id(), e.getMessage());
                store.markProcessed(payload.id(), clock.instant());
            }
        }
        return resumed;
    }

    private void dispatch(long payloadId, List<Alert> alerts, boolean trusted) {
        Catalogue catalogue = catalogues.get();
        java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger(alerts.size());
        if (alerts.isEmpty()) {
            store.markProcessed(payloadId, clock.instant());
            return;
        }
        for (Alert alert : alerts) {
            received.accept(alert.source());
            Optional<ServiceConfig> service = AlertRouter.route(alert, catalogue);
            String key = service.map(ServiceConfig::name).orElse("");
            lanes.get(Math.floorMod(key.hashCode(), LANES)).submit(() -> {
                try {
                    handle(payloadId, alert, service, trusted);
                } catch (RuntimeException e) {
                    if (closing) {
                        // Left unprocessed on purpose: the stored payload is handled again at the next start.
                        LOG.info("stopping: alert {} for {} is handled again when Rewind starts", alert.name(), key);
                        return;
                    }
                    LOG.error("handling alert {} failed", alert.name(), e);
                }
                if (pending.decrementAndGet() == 0) {
                    store.markProcessed(payloadId, clock.instant());
                }
            });
        }
    }

    private void handle(long payloadId, Alert alert, Optional<ServiceConfig> service, boolean trusted) {
        Instant now = clock.instant();
        if (service.isEmpty()) {
            store.recordUnrouted(alert, now, payloadId);
            noteUnrouted(alert, now);
            return;
        }
        expire(Optional.of(service.get().name()), Optional.of(alert));
        AlertStore.Incident incident = store.openOrCreate(service.get().name(), RunIds.next().replace("rb-", "in-"), now);
        store.record(incident.id(), alert, now, payloadId);
        // The incident's first firing alert opens its card; so does a later one if opening the card failed before.
        if (alert.firing() && (incident.created() || incident.runId().isEmpty())
                && store.claimCard(incident.id(), now, CARD_CLAIM)) {
            // A card already open for the service (a /rollback typed before the alert came) takes the incident.
            RollbackRun run = openings.openRun(service.get(), new RunOpenings.Opening(Trigger.ALERT,
                    "alert " + alert.name(), alert.summary(), severityFloor(alert), false,
                    service.get().channel(), Optional.empty(), Optional.empty())).run();
            store.linkRun(incident.id(), run.id());
            views.refresh(run.id());
            policy.consider(service.get(), run, alert.labels(), trusted ? Optional.empty()
                    : Optional.of("the alert came from " + alert.source() + " without authentication"));
            return;
        }
        if (!alert.firing() && store.closeIfQuiet(incident.id(), alert.endsAt().orElse(now))) {
            LOG.info("all alerts of {}'s incident {} resolved", service.get().name(), incident.id());
        }
        incident.runId().ifPresent(runId -> {
            if (alert.firing()) {
                openings.alertArrived(runId);
            } else {
                views.refresh(runId);
            }
        });
    }

    /** The alert's severity label as a tier floor (alerts.severityTiers), never as an override. */
    private Set<String> severityFloor(Alert alert) {
        return catalogues.get().alerts().severityFloor(alert.labels())
                .map(floor -> Set.of(TierPolicy.floorFlag(Tier.valueOf(floor.getKey()), floor.getValue()))).orElse(Set.of());
    }

    /**
     * Closes incidents whose alerts went quiet without resolving, so the next alert opens a new card
     * instead of updating one from days ago; their cards say so. Runs before each alert of a service,
     * and for all services from a timer. @return how many were closed
     */
    public int expireQuiet(Optional<String> service) {
        return expire(service, Optional.empty());
    }

    /** As {@link #expireQuiet}, keeping an incident that holds {@code repeat}: a late repeat belongs to it. */
    private int expire(Optional<String> service, Optional<Alert> repeat) {
        Instant now = clock.instant();
        List<AlertStore.Incident> closed = store.expireQuiet(service, repeat, now.minus(catalogues.get().alerts().staleAfter()),
                now);
        for (AlertStore.Incident incident : closed) {
            LOG.info("{}'s alert incident {} had no notification for {}; closed as stale", incident.service(), incident.id(),
                    catalogues.get().alerts().staleAfter());
            incident.runId().ifPresent(views::refresh);
        }
        return closed.size();
    }

    private void noteUnrouted(Alert alert, Instant now) {
        if (unrouted.add(catalogues.get().alerts().defaultChannel(), alert, catalogues.get().alerts().serviceLabel(), now)) {
            announceUnrouted();
        }
    }

    /**
     * Says what is due about alerts that matched no service: one digest per channel a minute, in
     * {@code alerts.defaultChannel}, or the log without one. Called after each such alert, and from a
     * timer for the alerts that arrived within the minute.
     */
    public void announceUnrouted() {
        for (UnroutedAnnouncements.Digest digest : unrouted.due(clock.instant())) {
            if (digest.channel().isPresent()) {
                channel.announce(digest.channel().get(), digest.text());
            } else {
                LOG.warn("{} (set alerts.defaultChannel in rewind.yml to be told in Slack)", digest.text());
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        reading.shutdownNow();
        lanes.forEach(ExecutorService::shutdownNow);
        // Let the alerts in hand finish (or fail and stay unprocessed) before the assessor and database close.
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        for (ExecutorService lane : lanes) {
            try {
                lane.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
