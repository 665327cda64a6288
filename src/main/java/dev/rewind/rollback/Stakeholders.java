package dev.rewind.rollback;

import dev.rewind.adapter.Revision;
import dev.rewind.config.DurationText;
import dev.rewind.config.ServiceConfig;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * People outside the incident channel hear the two things they need: a rollback started, and how it ended.
 * With {@code announce:} one short message goes to that channel when a run is approved and a reply under it when
 * the run is over ("[RESOLVED] checkout rolled back to r2 in 4m 12s (succeeded)", or [FAILED], [NOT RECOVERED],
 * [INTERRUPTED]), linking the incident channel and the report; with {@code statusWebhook:} the same two events go
 * out as signed JSON. Dry runs are nobody else's business.
 */
public final class Stakeholders implements RunObserver {

    private final Catalogues catalogues;
    private final IncidentChannel channel;
    private final IncidentRooms rooms;
    private final StatusWebhook webhook;
    private final String reportBaseUrl;

    public Stakeholders(Catalogues catalogues, IncidentChannel channel, IncidentRooms rooms, StatusWebhook webhook,
                        String publicUrl) {
        this.catalogues = catalogues;
        this.channel = channel;
        this.rooms = rooms;
        this.webhook = webhook;
        this.reportBaseUrl = publicUrl + "/reports/";
    }

    @Override
    public void approved(RollbackRun run, Instant at) {
        Optional<ServiceConfig> service = catalogues.service(run.service());
        if (run.dryRun() || service.isEmpty()) {
            return;
        }
        String to = run.toLabel().orElse("?");
        String from = run.from().map(Revision::label).orElse("?");
        service.get().announce().ifPresent(announce -> channel.announceRun(run.id(), announce, "[ROLLING BACK] " + run.service()
                + " (" + run.environment() + "): " + from + " → " + to + run.requestedBy().map(u -> ", requested by "
                + Mentions.token(u)).orElse("") + " · run " + run.id()));
        service.get().statusWebhook().ifPresent(hook -> webhook.send(hook.url(), hook.secretEnv(), run.id(),
                event("started", run, from, to, Optional.empty(), at)));
    }

    @Override
    public void finished(RollbackRun run, String adapterType) {
        Optional<ServiceConfig> service = catalogues.service(run.service());
        if (run.dryRun() || service.isEmpty()) {
            return;
        }
        String to = run.toLabel().orElse("?");
        String from = run.from().map(Revision::label).orElse("?");
        Instant end = run.finishedAt().orElse(run.updatedAt());
        String took = run.startedAt().map(start -> DurationText.format(Duration.between(start, end).withNanos(0))).orElse("?");
        String text = switch (run.state()) {
            case SUCCEEDED -> "[RESOLVED] " + run.service() + " rolled back to " + to + " in " + took + " (succeeded)";
            case NOT_RECOVERED -> "[NOT RECOVERED] " + run.service() + " rolled back to " + to + " in " + took
                    + ", but it is still failing: the deploy may not be the cause";
            case FAILED -> "[FAILED] the rollback of " + run.service() + " to " + to + " failed after " + took;
            default -> "[INTERRUPTED] the rollback of " + run.service() + " to " + to + " was interrupted after " + took
                    + ": check it by hand";
        };
        String where = rooms.incident(run.id()).channel().map(room -> " · incident " + Mentions.token(room)).orElse("")
                + " · report " + reportBaseUrl + run.id();
        service.get().announce().ifPresent(announce -> channel.announceRun(run.id(), announce, text + where));
        service.get().statusWebhook().ifPresent(hook -> webhook.send(hook.url(), hook.secretEnv(), run.id(),
                event("ended", run, from, to, Optional.of(took), end)));
    }

    private Map<String, Object> event(String kind, RollbackRun run, String from, String to, Optional<String> took, Instant at) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("event", kind);
        event.put("run", run.id());
        event.put("service", run.service());
        event.put("environment", run.environment());
        event.put("from", from);
        event.put("to", to);
        event.put("state", run.state().name());
        took.ifPresent(t -> event.put("duration", t));
        event.put("at", at.toString());
        event.put("report", reportBaseUrl + run.id());
        rooms.incident(run.id()).channel().ifPresent(room -> event.put("incidentChannel", room));
        return event;
    }
}
