package dev.rewind.slack;

import com.slack.api.app_backend.slash_commands.payload.SlashCommandPayload;
import com.slack.api.bolt.context.builtin.SlashCommandContext;
import com.slack.api.bolt.request.builtin.SlashCommandRequest;
import com.slack.api.bolt.response.Response;
import dev.rewind.assess.ServiceOverview;
import dev.rewind.config.ServiceConfig;
import dev.rewind.drill.Drills;
import dev.rewind.rollback.CardPlacement;
import dev.rewind.rollback.AuditLog;
import dev.rewind.rollback.Catalogues;
import dev.rewind.rollback.Mentions;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunAccess;
import dev.rewind.rollback.RunOpenings;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.RunRepository;
import dev.rewind.readiness.ServiceReadiness;
import dev.rewind.stats.StatsService;
import dev.rewind.stats.StatsWindow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * {@code /rollback}: parse, ack at once (answering from memory when it can), then do the slow part
 * on a worker and answer privately or with a card.
 */
final class CommandHandler {

    private static final Logger LOG = LoggerFactory.getLogger(CommandHandler.class);

    private final Catalogues catalogues;
    private final RunOpenings openings;
    private final RunAccess access;
    private final ServiceOverview overview;
    private final RunRepository runs;
    private final AuditLog audit;
    private final Replies replies;
    private final Mentions mentions;
    private final ExecutorService work;
    private final Clock clock;
    private final StatsService stats;
    private final ServiceReadiness readiness;
    private final Drills drills;

    CommandHandler(Catalogues catalogues, RunOpenings openings, RunAccess access, ServiceOverview overview, RunRepository runs,
                   AuditLog audit, Replies replies, Mentions mentions, ExecutorService work, Clock clock,
                   StatsService stats, ServiceReadiness readiness, Drills drills) {
        this.drills = drills;
        this.catalogues = catalogues;
        this.openings = openings;
        this.access = access;
        this.overview = overview;
        this.runs = runs;
        this.audit = audit;
        this.replies = replies;
        this.mentions = mentions;
        this.work = work;
        this.clock = clock;
        this.stats = stats;
        this.readiness = readiness;
    }

    Response handle(SlashCommandRequest request, SlashCommandContext ctx) {
        SlashCommandPayload p = request.getPayload();
        RollbackCommand command = RollbackCommand.parse(p.getText());
        if (command instanceof RollbackCommand.Help) {
            return ctx.ack(r -> r.responseType("ephemeral").text(RollbackCommand.USAGE));
        }
        if (command instanceof RollbackCommand.Malformed malformed) {
            return ctx.ack(r -> r.responseType("ephemeral").text(":warning: " + malformed.problem()
                    + "\n\n" + RollbackCommand.USAGE));
        }
        if (command instanceof RollbackCommand.ListServices) {
            later(p, () -> Listings.services(overview.list(catalogues.get())));
            return ctx.ack(r -> r.responseType("ephemeral").text("Reading the current revision of "
                    + catalogues.get().services().size() + " service(s)…"));
        }
        if (command instanceof RollbackCommand.Audit auditCommand) {
            Optional<String> service = auditCommand.service();
            if (service.isPresent() && catalogues.service(service.get()).isEmpty()) {
                return ctx.ack(r -> r.responseType("ephemeral").text(Listings.unknownService(service.get(), catalogues.get())));
            }
            later(p, () -> auditTrail(p.getUserId(), service.flatMap(catalogues::service)));
            return ctx.ack();
        }
        if (command instanceof RollbackCommand.Stats statsCommand) {
            Optional<String> service = statsCommand.service();
            if (service.isPresent() && catalogues.service(service.get()).isEmpty()) {
                return ctx.ack(r -> r.responseType("ephemeral").text(Listings.unknownService(service.get(), catalogues.get())));
            }
            later(p, () -> statsFor(p.getUserId(), service.flatMap(catalogues::service), statsCommand.window()));
            return ctx.ack();
        }
        if (command instanceof RollbackCommand.Ready ready) {
            return readiness(p, ctx, ready.service());
        }
        if (command instanceof RollbackCommand.Drill drill) {
            return drill(p, ctx, drill);
        }
        if (command instanceof RollbackCommand.Drills listing) {
            Optional<String> service = listing.service();
            if (service.isPresent() && catalogues.service(service.get()).isEmpty()) {
                return ctx.ack(r -> r.responseType("ephemeral").text(Listings.unknownService(service.get(), catalogues.get())));
            }
            later(p, () -> service.flatMap(catalogues::service)
                    .flatMap(s -> refusal(p.getUserId(), s, "read the drills of " + s.name()))
                    .orElseGet(() -> DrillText.latest(drills.latest(service.flatMap(catalogues::service).map(ServiceConfig::name), 10).stream()
                            .filter(d -> catalogues.service(d.service()).map(s -> access.mayRead(p.getUserId(), s)).orElse(false))
                            .toList(), service)));
            return ctx.ack();
        }
        String typed = command instanceof RollbackCommand.Status status ? status.service()
                : ((RollbackCommand.Assess) command).service();
        Optional<ServiceConfig> service = catalogues.service(typed);
        if (service.isEmpty()) {
            return ctx.ack(r -> r.responseType("ephemeral").text(Listings.unknownService(typed, catalogues.get())));
        }
        if (command instanceof RollbackCommand.Status) {
            later(p, () -> refusal(p.getUserId(), service.get(), "read the status of " + service.get().name())
                    .orElseGet(() -> Listings.status(service.get().name(), runs.latestForService(service.get().name())
                            .map(openings::view), mentions, clock.instant())));
            return ctx.ack();
        }
        RollbackCommand.Assess assess = (RollbackCommand.Assess) command;
        String assessing = ":mag: Assessing *" + SlackText.escape(service.get().name()) + "* ("
                + SlackText.escape(service.get().environment()) + ")" + (assess.dryRun() ? " as a dry run" : "")
                + "… the card will appear in this channel.";
        // Listed by id: known at once. Otherwise group membership is looked up after the ack, never before.
        if (access.mayReadByName(p.getUserId(), service.get())) {
            work.submit(() -> open(p, service.get(), assess));
            return ctx.ack(r -> r.responseType("ephemeral").text(assessing));
        }
        work.submit(() -> {
            try {
                Optional<String> refused = refusal(p.getUserId(), service.get(), "assess " + service.get().name());
                replies.ephemeral(p.getResponseUrl(), p.getChannelId(), p.getUserId(), refused.orElse(assessing));
                if (refused.isEmpty()) {
                    open(p, service.get(), assess);
                }
            } catch (RuntimeException e) {
                LOG.error("checking who may assess {} failed", service.get().name(), e);
                replies.ephemeral(p.getResponseUrl(), p.getChannelId(), p.getUserId(), ":x: That failed: "
                        + e.getClass().getSimpleName() + ". The error is in Rewind's log.");
            }
        });
        return ctx.ack();
    }

    /** {@code /rollback drill <service> [to rN]}: who may ask for a rollback may start a drill; the rest is {@link Drills}. */
    private Response drill(SlashCommandPayload p, SlashCommandContext ctx, RollbackCommand.Drill command) {
        Optional<ServiceConfig> service = catalogues.service(command.service());
        if (service.isEmpty()) {
            return ctx.ack(r -> r.responseType("ephemeral").text(Listings.unknownService(command.service(), catalogues.get())));
        }
        later(p, () -> DrillText.started(drills.start(service.get(), p.getUserId(), command.revision(), "command",
                Optional.empty()), service.get().name()));
        return ctx.ack(r -> r.responseType("ephemeral").text(":test_tube: Starting a drill of *"
                + SlackText.escape(service.get().name()) + "*…"));
    }

    /** {@code /rollback ready <service>}: read as the status is, by the service's own people; it may take seconds. */
    private Response readiness(SlashCommandPayload p, SlashCommandContext ctx, String typed) {
        Optional<ServiceConfig> service = catalogues.service(typed);
        if (service.isEmpty()) {
            return ctx.ack(r -> r.responseType("ephemeral").text(Listings.unknownService(typed, catalogues.get())));
        }
        later(p, () -> refusal(p.getUserId(), service.get(), "check the readiness of " + service.get().name())
                .orElseGet(() -> ReadinessText.of(readiness.check(service.get()))));
        return ctx.ack(r -> r.responseType("ephemeral").text(":stethoscope: Checking what a rollback of *"
                + SlackText.escape(service.get().name()) + "* would need…"));
    }

    /** The refusal to show {@code userId}, when they may not {@code what} (read {@code service}). */
    private Optional<String> refusal(String userId, ServiceConfig service, String what) {
        return access.refuseRead(userId, service, what).flatMap(refused -> Answers.of(refused, mentions));
    }

    /**
     * {@code /rollback audit [service]}: one service's trail for its own people; the whole trail only for
     * someone who may read every service in it.
     */
    private String auditTrail(String userId, Optional<ServiceConfig> service) {
        if (service.isPresent()) {
            return refusal(userId, service.get(), "read the audit trail of " + service.get().name())
                    .orElseGet(() -> Listings.audit(audit.verify(), audit.latest(Optional.of(service.get().name()),
                            Listings.AUDIT_LINES), mentions));
        }
        List<ServiceConfig> readable = catalogues.get().services().stream()
                .filter(s -> access.mayRead(userId, s)).toList();
        if (readable.size() < catalogues.get().services().size()) {
            audit.record(userId, "refused", Optional.empty(), "", "may not read the whole audit trail");
            return Listings.auditRefused(readable);
        }
        return Listings.audit(audit.verify(), audit.latest(Optional.empty(), Listings.AUDIT_LINES), mentions);
    }

    /** {@code /rollback stats [service] [window]}: read as the audit trail is, by the service's own people. */
    private String statsFor(String userId, Optional<ServiceConfig> service, StatsWindow window) {
        if (service.isPresent()) {
            return refusal(userId, service.get(), "read the stats of " + service.get().name())
                    .orElseGet(() -> Listings.stats(stats.report(Optional.of(service.get().name()), window)));
        }
        List<ServiceConfig> readable = catalogues.get().services().stream()
                .filter(s -> access.mayRead(userId, s)).toList();
        if (readable.size() < catalogues.get().services().size()) {
            audit.record(userId, "refused", Optional.empty(), "", "may not read the stats of every service");
            return Listings.statsRefused(readable);
        }
        return Listings.stats(stats.report(Optional.empty(), window));
    }

    private void open(SlashCommandPayload p, ServiceConfig service, RollbackCommand.Assess assess) {
        try {
            RunOpenings.Opened opened = openings.openRun(service, RunOpenings.Opening.command(p.getUserId(),
                    assess.reason(), assess.flags(), assess.dryRun(), p.getChannelId(), assess.revision()));
            RollbackRun run = opened.run();
            if (opened.joined()) {
                replies.ephemeral(p.getResponseUrl(), p.getChannelId(), p.getUserId(), joinedAnswer(service, run));
                Listings.revisionNote(assess.revision(), run).ifPresent(note ->
                        replies.ephemeral(p.getResponseUrl(), p.getChannelId(), p.getUserId(), note));
                return;
            }
            Listings.revisionNote(assess.revision(), run).ifPresent(note ->
                    replies.ephemeral(p.getResponseUrl(), p.getChannelId(), p.getUserId(), note));
            if (opened.card() instanceof CardPlacement.Queued) {
                replies.ephemeral(p.getResponseUrl(), p.getChannelId(), p.getUserId(), ":hourglass: Slack is slow to "
                        + "answer; the card for " + service.name() + " (run `" + run.id() + "`) is queued and will appear "
                        + "here shortly.");
            } else if (run.card().isEmpty()) {
                replies.ephemeral(p.getResponseUrl(), p.getChannelId(), p.getUserId(), ":warning: I assessed "
                        + service.name() + " (run `" + run.id() + "`) but could not post the card here or in <#"
                        + service.channel() + ">. Invite me with `/invite @Rewind` and try again.");
            } else if (!run.card().get().channel().equals(p.getChannelId())) {
                replies.ephemeral(p.getResponseUrl(), p.getChannelId(), p.getUserId(), "I can't post in this channel, "
                        + "so the card for " + service.name() + " is in <#" + run.card().get().channel() + ">.");
            }
        } catch (RuntimeException e) {
            LOG.error("assessing {} failed", service.name(), e);
            replies.ephemeral(p.getResponseUrl(), p.getChannelId(), p.getUserId(), ":x: Assessing " + service.name()
                    + " failed: " + e.getClass().getSimpleName() + ". The error is in Rewind's log.");
        }
    }

    /** One incident, one card: where the open card is, and what was done with this request. */
    private String joinedAnswer(ServiceConfig service, RollbackRun run) {
        String where = run.card().map(card -> replies.permalink(card.channel(), card.messageId())
                        .map(link -> "<" + link + "|the open card>")
                        .orElse("the open card in <#" + card.channel() + ">"))
                .orElse("the open card (still being posted)");
        String state = run.state() == RunState.ASSESSED ? "awaiting a decision; I re-assessed it and noted your request there"
                : "already " + run.state().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                + "; I noted your request there";
        return ":point_right: " + SlackText.escape(service.name()) + " already has " + where + " (run `" + run.id() + "`, "
                + state + "). Decide on that card.";
    }

    private void later(SlashCommandPayload p, java.util.function.Supplier<String> answer) {
        work.submit(() -> {
            String text;
            try {
                text = answer.get();
            } catch (RuntimeException e) {
                LOG.error("answering /rollback {} failed", p.getText(), e);
                text = ":x: That failed: " + e.getClass().getSimpleName() + ". The error is in Rewind's log.";
            }
            replies.ephemeral(p.getResponseUrl(), p.getChannelId(), p.getUserId(), text);
        });
    }
}
