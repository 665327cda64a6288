package dev.rewind.slack;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.request.files.FilesCompleteUploadExternalRequest;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.conversations.ConversationsCreateResponse;
import com.slack.api.methods.response.files.FilesGetUploadURLExternalResponse;
import dev.rewind.config.Principal;
import dev.rewind.config.ServiceConfig;
import dev.rewind.incident.ReportStore;
import dev.rewind.outbox.Delivery;
import dev.rewind.outbox.Message;
import dev.rewind.outbox.OutboxSignal;
import dev.rewind.outbox.OutboxStore;
import dev.rewind.rollback.Catalogues;
import dev.rewind.rollback.IncidentRoom;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.Trigger;
import dev.rewind.rollback.RunRepository;
import dev.rewind.rollback.RunTimeline;
import dev.rewind.rollback.ApprovalStore;
import dev.rewind.rollback.IncidentRooms;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.RunView;
import dev.rewind.rollback.RunViews;
import dev.rewind.rollback.UserDirectory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A run's incident room in Slack: the channel ({@code inc-20261124-checkout-1}, the next number when
 * the name is taken), its topic, the people invited, the status message edited in place, the
 * timeline in its thread, and the report uploaded at the end. Every step is safe to repeat: what was
 * done is read back from the run before doing it again. When the room cannot be made, that is said
 * in the card's channel and the timeline goes to the card's thread instead; the rollback never waits.
 */
final class IncidentRoomDelivery implements Delivery {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    static final int NAME_ATTEMPTS = 30;

    private final MethodsClient client;
    private final RunViews views;
    private final RunRepository runs;
    private final IncidentRooms rooms;
    private final ApprovalStore approvalStore;
    private final Catalogues catalogues;
    private final UserDirectory directory;
    private final ReportStore reports;
    private final OutboxStore outbox;
    private final OutboxSignal signal;
    private final ChannelPacer pacer;
    private final StatusRenderer status;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, RunState> topicShows = new ConcurrentHashMap<>();

    IncidentRoomDelivery(MethodsClient client, RunViews views, RunRepository runs, IncidentRooms rooms, ApprovalStore approvalStore, Catalogues catalogues,
                         UserDirectory directory, ReportStore reports, OutboxStore outbox, OutboxSignal signal,
                         ChannelPacer pacer, SlackMentions mentions, Clock clock) {
        this.client = client;
        this.views = views;
        this.runs = runs;
        this.rooms = rooms;
        this.approvalStore = approvalStore;
        this.catalogues = catalogues;
        this.directory = directory;
        this.reports = reports;
        this.outbox = outbox;
        this.signal = signal;
        this.pacer = pacer;
        this.status = new StatusRenderer(mentions);
        this.clock = clock;
    }

    @Override
    public List<String> kinds() {
        return List.of(OutboxKinds.INCIDENT, OutboxKinds.STATUS, OutboxKinds.THREAD, OutboxKinds.REPORT);
    }

    @Override
    public Result deliver(Message head, List<Message> following) {
        Optional<RollbackRun> run = head.runId().flatMap(runs::find);
        if (run.isEmpty()) {
            return new Result.Rejected("run " + head.runId().orElse("?") + " no longer exists");
        }
        return switch (head.kind()) {
            case OutboxKinds.INCIDENT -> open(run.get());
            case OutboxKinds.STATUS -> redrawStatus(run.get());
            case OutboxKinds.THREAD -> thread(run.get(), head, following);
            default -> upload(run.get());
        };
    }

    private Result open(RollbackRun run) {
        IncidentRoom room = rooms.incident(run.id());
        String channel;
        if (room.channel().isPresent()) {
            channel = room.channel().get();
        } else {
            Optional<String> created = Optional.empty();
            String base = baseName(run);
            for (int n = 1; n <= NAME_ATTEMPTS && created.isEmpty(); n++) {
                String name = base + "-" + n;
                SlackCall<ConversationsCreateResponse> create = SlackCall.of("conversations.create",
                        () -> client.conversationsCreate(r -> r.name(name).isPrivate(false)));
                Optional<Result> problem = create.run();
                if (problem.isEmpty()) {
                    created = Optional.of(create.response().getChannel().getId());
                } else if (!(problem.get() instanceof Result.Rejected rejected && rejected.why().contains("name_taken"))) {
                    if (problem.get() instanceof Result.Rejected rejected) {
                        return noRoom(run, "I could not create an incident channel (" + rejected.why()
                                + "); the timeline stays in this card's thread.");
                    }
                    return problem.get();
                }
            }
            if (created.isEmpty()) {
                return noRoom(run, "I could not find a free incident channel name after " + base + "-" + NAME_ATTEMPTS
                        + "; the timeline stays in this card's thread.");
            }
            channel = created.get();
            rooms.attachIncident(run.id(), channel, Optional.empty());
        }
        invite(run, channel);
        RunView view = views.view(run);
        SlackCall.of("conversations.setTopic", () -> client.conversationsSetTopic(r -> r.channel(channel)
                .topic(status.topic(view)))).run();
        topicShows.put(run.id(), run.state());
        if (room.statusMessage().isEmpty()) {
            SlackCall<ChatPostMessageResponse> post = SlackCall.of("chat.postMessage", () -> client.chatPostMessage(r -> r
                    .channel(channel).text(status.status(view, clock.instant())).unfurlLinks(false)));
            Optional<Result> problem = post.run();
            if (problem.isPresent()) {
                return problem.get();
            }
            rooms.attachIncident(run.id(), channel, Optional.of(post.response().getTs()));
        }
        run.card().ifPresent(card -> {
            outbox.appendUnlessWaiting(OutboxKinds.cardStream(run.id()), OutboxKinds.CARD, Optional.of(run.id()),
                    Optional.of(card.channel()), clock.instant());
            signal.signal();
        });
        return new Result.Sent(1);
    }

    /** Invites the requester, the approvers and the on-call group; refusals are told in the card's channel. */
    private void invite(RollbackRun run, String channel) {
        Set<String> users = new LinkedHashSet<>();
        run.requestedBy().ifPresent(users::add);
        if (run.askedBy().matches("[UW][A-Z0-9]+")) {
            users.add(run.askedBy());
        }
        approvalStore.approvals(run.id()).forEach(a -> users.add(a.userId()));
        Optional<ServiceConfig> service = catalogues.service(run.service());
        service.ifPresent(s -> {
            for (Principal approver : s.approval().approvers()) {
                if (approver instanceof Principal.Group) {
                    users.addAll(directory.members(approver.id()));
                } else {
                    users.add(approver.id());
                }
            }
            s.oncall().ifPresent(group -> users.addAll(directory.members(group)));
        });
        if (users.isEmpty()) {
            return;
        }
        var invite = SlackCall.of("conversations.invite", () -> client.conversationsInvite(r -> r.channel(channel)
                .users(new ArrayList<>(users)).force(true)));
        Optional<Result> problem = invite.run();
        if (problem.isPresent() && problem.get() instanceof Result.Rejected rejected
                && !rejected.why().contains("already_in_channel")) {
            tellCardChannel(run, ":warning: I could not invite everyone to <#" + channel + ">: " + rejected.why()
                    + ". The rollback goes on.");
        }
    }

    private Result redrawStatus(RollbackRun run) {
        IncidentRoom room = rooms.incident(run.id());
        if (room.channel().isEmpty() || room.statusMessage().isEmpty()) {
            return new Result.Sent(1);
        }
        Optional<Duration> wait = pacer.book("update:" + room.statusMessage().get(), ChannelPacer.UPDATE_SPACING);
        if (wait.isPresent()) {
            return new Result.Later(wait.get(), "pacing edits of the status message");
        }
        RunView view = views.view(run);
        Optional<Result> problem = SlackCall.of("chat.update", () -> client.chatUpdate(r -> r.channel(room.channel().get())
                .ts(room.statusMessage().get()).text(status.status(view, clock.instant())))).run();
        if (problem.isPresent()) {
            return problem.get();
        }
        if (topicShows.get(run.id()) != run.state()) {
            SlackCall.of("conversations.setTopic", () -> client.conversationsSetTopic(r -> r.channel(room.channel().get())
                    .topic(status.topic(view)))).run();
            topicShows.put(run.id(), run.state());
        }
        return new Result.Sent(1);
    }

    /** Consecutive timeline lines go out as one threaded message. */
    private Result thread(RollbackRun run, Message head, List<Message> following) {
        IncidentRoom room = rooms.incident(run.id());
        String channel;
        String parent;
        if (room.channel().isPresent() && room.statusMessage().isPresent()) {
            channel = room.channel().get();
            parent = room.statusMessage().get();
        } else if (run.card().isPresent()) {
            channel = run.card().get().channel();
            parent = run.card().get().messageId();
        } else {
            return new Result.Sent(1);
        }
        Optional<Duration> wait = pacer.book("post:" + channel, ChannelPacer.POST_SPACING);
        if (wait.isPresent()) {
            return new Result.Later(wait.get(), "pacing posts to " + channel);
        }
        StringBuilder lines = new StringBuilder(head.payload());
        int consumed = 1;
        for (Message next : following) {
            if (!next.kind().equals(OutboxKinds.THREAD) || lines.length() + next.payload().length() + 1 > SlackText.MESSAGE_TEXT) {
                break;
            }
            lines.append('\n').append(next.payload());
            consumed++;
        }
        int sent = consumed;
        Optional<Result> problem = SlackCall.of("chat.postMessage", () -> client.chatPostMessage(r -> r.channel(channel)
                .threadTs(parent).text(lines.toString()).unfurlLinks(false))).run();
        return problem.orElse(new Result.Sent(sent));
    }

    private Result upload(RollbackRun run) {
        Optional<ReportStore.Filed> filed = reports.find(run.id());
        IncidentRoom room = rooms.incident(run.id());
        Optional<String> channel = room.channel().or(() -> run.card().map(RollbackRun.CardRef::channel));
        if (filed.isEmpty() || channel.isEmpty()) {
            return new Result.Sent(1);
        }
        byte[] bytes = filed.get().markdown().getBytes(StandardCharsets.UTF_8);
        String filename = "rewind-report-" + run.id() + ".md";
        SlackCall<FilesGetUploadURLExternalResponse> ticket = SlackCall.of("files.getUploadURLExternal",
                () -> client.filesGetUploadURLExternal(r -> r.filename(filename).length(bytes.length)));
        Optional<Result> problem = ticket.run();
        if (problem.isPresent()) {
            return problem.get();
        }
        try {
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(ticket.response().getUploadUrl()))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "text/markdown")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
            if (put.statusCode() / 100 != 2) {
                return new Result.Failed("uploading the report answered HTTP " + put.statusCode());
            }
        } catch (IOException e) {
            return new Result.Failed("uploading the report: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result.Failed("interrupted while uploading the report");
        }
        String fileId = ticket.response().getFileId();
        return SlackCall.of("files.completeUploadExternal", () -> client.filesCompleteUploadExternal(r -> r
                        .files(List.of(FilesCompleteUploadExternalRequest.FileDetails.builder().id(fileId)
                                .title("Rollback report " + run.service() + " " + run.id()).build()))
                        .channelId(channel.get())
                        .initialComment("Report for the " + run.service() + " rollback (" + run.state().name().toLowerCase()
                                + "); the post-mortem skeleton is at the end.")))
                .run().orElse(new Result.Sent(1));
    }

    private Result noRoom(RollbackRun run, String why) {
        rooms.noteIncident(run.id(), why);
        tellCardChannel(run, ":warning: " + why);
        return new Result.Sent(1);
    }

    private void tellCardChannel(RollbackRun run, String text) {
        run.card().ifPresent(card -> {
            outbox.append(OutboxKinds.channelStream(card.channel()), OutboxKinds.POST, Optional.empty(),
                    Optional.of(card.channel()), text, clock.instant());
            signal.signal();
        });
    }

    static String baseName(RollbackRun run) {
        String slug = run.service().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]+", "-").replaceAll("-+", "-")
                .replaceAll("^-|-$", "");
        String prefix = (run.trigger() == Trigger.DRILL ? "drill-" : "inc-") + DAY.format(run.createdAt()) + "-";
        int room = 80 - prefix.length() - 3;
        return prefix + (slug.length() > room ? slug.substring(0, room) : slug);
    }
}
