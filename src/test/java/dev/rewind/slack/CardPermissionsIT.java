package dev.rewind.slack;

import dev.rewind.config.Target;
import dev.rewind.testing.RewindFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.BOB;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static dev.rewind.testing.RewindFixture.MALLORY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every card action × role, through real signed Slack requests: an approver, the card's requester
 * (listed in {@code requesters:}, who opened the card and, where there is one, asked for the rollback)
 * and another channel member. A refused click changes nothing, is audited, and is answered privately
 * with who may.
 */
class CardPermissionsIT {

    private static final String DAVE = "U0DAVE";
    private static final String CAROL = "U0CAROL";
    private static final String ERIN = "U0ERIN";
    private static final String CATALOGUE = String.join("\n",
            "services:",
            "  - name: checkout",
            "    channel: " + CHANNEL,
            "    environment: production",
            "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
            "    signals: {errorRate: 'errors', latencyP99: 'latency'}",
            "    approvers: [S0SRE, " + ALICE + ", " + DAVE + "]",
            "    requesters: [" + BOB + ", " + CAROL + "]",
            "    viewers: [" + ERIN + "]",
            "    approvals: 2",
            "    breakGlass: true",
            "    cooldown: 0s",
            "    verification: {checks: 1, interval: 0s}",
            "");

    private RewindFixture rewind;
    private String databaseUrl;
    private String ts;
    private String blocks;
    private String runId;

    enum Role {
        APPROVER(ALICE), REQUESTER(BOB), OTHER(MALLORY);

        final String user;

        Role(String user) {
            this.user = user;
        }
    }

    /** What the click does for that role. */
    enum Expect { CHANGES, REFUSED, OPENS_DIALOG, ADAPTER_ANSWERS, NOTHING }

    /** One action in the state where the card offers it. */
    enum Case {
        ROLL_BACK(Expect.CHANGES, Expect.CHANGES),
        OVERRIDE(Expect.CHANGES, Expect.REFUSED),
        APPROVE(Expect.CHANGES, Expect.REFUSED),
        BREAK_GLASS(Expect.CHANGES, Expect.REFUSED),
        DISMISS_ASSESSED(Expect.CHANGES, Expect.CHANGES),
        DISMISS_REQUESTED(Expect.CHANGES, Expect.CHANGES),
        DISMISS_WITH_REASON_SUBMITTED(Expect.CHANGES, Expect.CHANGES),
        MONITOR(Expect.CHANGES, Expect.CHANGES),
        MONITOR_MENU_DISMISS(Expect.OPENS_DIALOG, Expect.OPENS_DIALOG),
        PICK_REVISION(Expect.CHANGES, Expect.CHANGES),
        CANCEL_AUTO(Expect.CHANGES, Expect.CHANGES),
        RETRY(Expect.CHANGES, Expect.CHANGES),
        FOLLOW_UP(Expect.ADAPTER_ANSWERS, Expect.REFUSED),
        OPEN_REPORT(Expect.NOTHING, Expect.NOTHING);

        final Expect approver;
        final Expect requester;

        Case(Expect approver, Expect requester) {
            this.approver = approver;
            this.requester = requester;
        }

        Expect forRole(Role role) {
            return switch (role) {
                case APPROVER -> approver;
                case REQUESTER -> requester;
                // Someone with no role may do nothing that changes anything.
                case OTHER -> this == OPEN_REPORT ? Expect.NOTHING : Expect.REFUSED;
            };
        }
    }

    static Stream<Arguments> everyActionByEveryRole() {
        return Stream.of(Case.values()).flatMap(c -> Stream.of(Role.values()).map(r -> Arguments.of(c, r, c.forRole(r))));
    }

    @AfterEach
    void stop() {
        if (rewind != null) {
            rewind.close();
        }
    }

    private void start() throws Exception {
        databaseUrl = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        rewind = RewindFixture.builder().catalogue(CATALOGUE).database(databaseUrl).build();
        rewind.prometheus().returns("errors", 0.02).before(0.01);
        rewind.prometheus().returns("latency", 0.3).before(0.3);
    }

    @ParameterizedTest(name = "{0} by the {1}: {2}")
    @MethodSource("everyActionByEveryRole")
    void everyActionChecksTheClickersRole(Case action, Role role, Expect expected) throws Exception {
        start();
        given(action);
        String before = snapshot();
        int views = rewind.slack().calls("views.open").size();

        click(action, role.user);

        switch (expected) {
            case CHANGES -> {
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(snapshot())
                        .as("the run after the click; private answers: %s", rewind.slack().ephemeralTexts()).isNotEqualTo(before));
                assertThat(refusalsAudited(role.user)).as("no refusal audited").isZero();
                assertThat(refusals()).as("no refusal answered").isEmpty();
            }
            case REFUSED -> {
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(refusals()).as("refusals answered").isNotEmpty());
                assertThat(refusals().get(0)).as("who may, privately")
                        .contains("<!subteam^S0SRE>").contains("<@U0ALICE>").contains("<@U0DAVE>");
                assertThat(snapshot()).as("nothing changed").isEqualTo(before);
                assertThat(refusalsAudited(role.user)).as("the refusal is audited").isPositive();
                assertThat(rewind.slack().calls("views.open")).hasSize(views);
            }
            case OPENS_DIALOG -> {
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().calls("views.open"))
                        .hasSizeGreaterThan(views));
                assertThat(snapshot()).isEqualTo(before);
            }
            case ADAPTER_ANSWERS -> {
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().ephemeralTexts())
                        .as("private answers").anyMatch(t -> t.contains("has nothing left to do after a rollback")));
                assertThat(refusalsAudited(role.user)).as("not refused for the role").isZero();
            }
            case NOTHING -> {
                Thread.sleep(1_000);
                assertThat(snapshot()).isEqualTo(before);
                assertThat(refusals()).isEmpty();
            }
        }
    }

    @Test
    void aListedRequesterMayNotWithdrawSomeoneElsesRequest() throws Exception {
        start();
        given(Case.DISMISS_REQUESTED);
        String before = snapshot();

        rewind.signed().click(CAROL, CHANNEL, ts, ActionIds.DISMISS, runId);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(refusals()).as("refusals answered").isNotEmpty());
        assertThat(refusals().get(0)).contains("Only approvers of checkout (<!subteam^S0SRE>, <@U0ALICE>, <@U0DAVE>) "
                + "or the requester <@U0BOB> may dismiss this request.").contains("Nothing was changed.");
        assertThat(snapshot()).isEqualTo(before);
        assertThat(rewind.latestCardText(ts)).doesNotContain("Dismissed");
    }

    @Test
    void aViewerWhoOpenedACardMayDismissItButNotRollBack() throws Exception {
        start();
        openCard(ERIN, "checkout");
        String before = snapshot();

        rewind.signed().click(ERIN, CHANNEL, ts, ActionIds.ROLL_BACK, RewindFixture.buttonValue(blocks, ActionIds.ROLL_BACK));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(refusals()).as("refusals answered").isNotEmpty());
        assertThat(refusals().get(0)).contains("Only approvers of checkout (<!subteam^S0SRE>, <@U0ALICE>, <@U0DAVE>) or "
                + "its requesters (<@U0BOB>, <@U0CAROL>) may roll back checkout.");
        assertThat(snapshot()).isEqualTo(before);

        rewind.signed().click(ERIN, CHANNEL, ts, ActionIds.DISMISS, runId);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(ts)).as("the card as last drawn")
                .contains("Dismissed by <@U0ERIN>"));
    }

    // --- the world before the click ---

    private void given(Case action) throws Exception {
        switch (action) {
            case BREAK_GLASS -> openCard(BOB, "checkout --security");
            default -> openCard(BOB, "checkout");
        }
        switch (action) {
            case APPROVE, DISMISS_REQUESTED, DISMISS_WITH_REASON_SUBMITTED -> requestedByBob();
            case BREAK_GLASS -> {
                requestedByBob();
                rewind.signed().click(DAVE, CHANNEL, ts, ActionIds.APPROVE, runId);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(count("SELECT COUNT(*) FROM approvals WHERE run_id = ?"))
                        .isEqualTo(1));
            }
            case CANCEL_AUTO -> update("UPDATE runs SET auto_at = ?, policy_note = 'Automatic rollback to r2 in 1h unless "
                    + "cancelled' WHERE id = ?", System.currentTimeMillis() + Duration.ofHours(1).toMillis());
            case RETRY -> update("UPDATE runs SET state = 'FAILED', outcome = 'the rollout did not become ready', "
                    + "finished_at = ? WHERE id = ?", System.currentTimeMillis());
            case FOLLOW_UP -> {
                update("UPDATE runs SET state = 'SUCCEEDED', finished_at = ? WHERE id = ?", System.currentTimeMillis());
                String target = new Target("kubernetes-deployment", Map.of("namespace", "shop", "deployment", "checkout")).id();
                try (Connection db = DriverManager.getConnection(databaseUrl);
                     PreparedStatement insert = db.prepareStatement("INSERT INTO follow_ups (id, run_id, step, target_key, "
                             + "action, description, recorded, created_at) VALUES ('fu-1', ?, 0, ?, 'Restore automated sync', "
                             + "'turned off during the rollback', '{}', ?)")) {
                    insert.setString(1, runId);
                    insert.setString(2, target);
                    insert.setLong(3, System.currentTimeMillis());
                    insert.executeUpdate();
                }
            }
            default -> {
            }
        }
    }

    private void openCard(String user, String text) {
        rewind.cardFor(user, text);
        var card = rewind.cards().get(rewind.cards().size() - 1);
        ts = card.ts();
        blocks = card.form().get("blocks");
        runId = ActionIds.runId(RewindFixture.buttonValue(blocks, ActionIds.ROLL_BACK));
    }

    private void requestedByBob() {
        rewind.signed().click(BOB, CHANNEL, ts, ActionIds.ROLL_BACK, RewindFixture.buttonValue(blocks, ActionIds.ROLL_BACK));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(state()).as("the run's state").isEqualTo("AWAITING_APPROVAL"));
    }

    // --- the click ---

    private void click(Case action, String user) {
        var slack = rewind.signed();
        switch (action) {
            case ROLL_BACK -> slack.click(user, CHANNEL, ts, ActionIds.ROLL_BACK, RewindFixture.buttonValue(blocks, ActionIds.ROLL_BACK));
            case OVERRIDE -> slack.click(user, CHANNEL, ts, ActionIds.OVERRIDE, RewindFixture.buttonValue(blocks, ActionIds.ROLL_BACK));
            case APPROVE -> slack.click(user, CHANNEL, ts, ActionIds.APPROVE, runId);
            case BREAK_GLASS -> slack.click(user, CHANNEL, ts, ActionIds.BREAK_GLASS, runId);
            case DISMISS_ASSESSED, DISMISS_REQUESTED -> slack.click(user, CHANNEL, ts, ActionIds.DISMISS, runId);
            case DISMISS_WITH_REASON_SUBMITTED -> slack.interaction(dismissSubmission(user));
            case MONITOR -> slack.choose(user, CHANNEL, ts, ActionIds.MONITOR, ActionIds.value(runId, "5"));
            case MONITOR_MENU_DISMISS -> slack.choose(user, CHANNEL, ts, ActionIds.MONITOR, ActionIds.value(runId, "dismiss"));
            case PICK_REVISION -> slack.choose(user, CHANNEL, ts, ActionIds.PICK_REVISION, otherRevision());
            case CANCEL_AUTO -> slack.click(user, CHANNEL, ts, ActionIds.CANCEL_AUTO, runId);
            case RETRY -> slack.click(user, CHANNEL, ts, ActionIds.RETRY, runId);
            case FOLLOW_UP -> slack.click(user, CHANNEL, ts, ActionIds.FOLLOW_UP + ".0", "fu-1");
            case OPEN_REPORT -> slack.click(user, CHANNEL, ts, ActionIds.OPEN_REPORT, runId);
        }
    }

    /** A picker option other than the revision the card offers now. */
    private String otherRevision() {
        String offered = RewindFixture.buttonValue(blocks, ActionIds.ROLL_BACK);
        Matcher values = Pattern.compile("\"value\":\"(" + runId + "\\|[^\"]+)\"").matcher(blocks);
        while (values.find()) {
            if (!values.group(1).equals(offered)) {
                return values.group(1);
            }
        }
        throw new AssertionError("the card's picker offers no other revision: " + blocks);
    }

    private ObjectNode dismissSubmission(String user) {
        ObjectNode submission = JsonMapper.builder().build().createObjectNode();
        submission.put("type", "view_submission");
        submission.putObject("team").put("id", "T0TEAM").put("domain", "acme");
        submission.putObject("user").put("id", user).put("username", user.toLowerCase()).put("team_id", "T0TEAM");
        submission.put("api_app_id", "A0REWIND").put("token", "t").put("trigger_id", "1.2.3");
        ObjectNode modal = submission.putObject("view");
        modal.put("id", "V1").put("team_id", "T0TEAM").put("type", "modal").put("callback_id", ActionIds.DISMISS_MODAL)
                .put("private_metadata", runId).put("hash", "h");
        modal.putObject("title").put("type", "plain_text").put("text", "Dismiss");
        modal.putObject("state").putObject("values").putObject(ActionIds.DISMISS_REASON_BLOCK)
                .putObject(ActionIds.DISMISS_REASON_INPUT).put("type", "plain_text_input").put("value", "not needed");
        return submission;
    }

    // --- what changed ---

    private java.util.List<String> refusals() {
        return rewind.slack().ephemeralTexts().stream().filter(t -> t.contains("Nothing was changed")).toList();
    }

    /** Every decision-bearing column of every run, approval and follow-up: equal means nothing changed. */
    private String snapshot() throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Connection db = DriverManager.getConnection(databaseUrl)) {
            append(db, out, "SELECT id, state, requested_by, to_revision, reassess_at, auto_at, outcome FROM runs ORDER BY id");
            append(db, out, "SELECT run_id, user_id, break_glass FROM approvals ORDER BY run_id, user_id");
            append(db, out, "SELECT id, claimed_by, done_by, result FROM follow_ups ORDER BY id");
        }
        return out.toString();
    }

    private static void append(Connection db, StringBuilder out, String sql) throws SQLException {
        try (ResultSet rows = db.createStatement().executeQuery(sql)) {
            int columns = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                for (int i = 1; i <= columns; i++) {
                    out.append(rows.getString(i)).append('|');
                }
                out.append('\n');
            }
        }
    }

    private String state() throws SQLException {
        try (Connection db = DriverManager.getConnection(databaseUrl);
             PreparedStatement query = db.prepareStatement("SELECT state FROM runs WHERE id = ?")) {
            query.setString(1, runId);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    private long refusalsAudited(String user) throws SQLException {
        try (Connection db = DriverManager.getConnection(databaseUrl);
             PreparedStatement query = db.prepareStatement("SELECT COUNT(*) FROM audit WHERE actor = ? AND action = 'refused'")) {
            query.setString(1, user);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection db = DriverManager.getConnection(databaseUrl); PreparedStatement query = db.prepareStatement(sql)) {
            query.setString(1, runId);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private void update(String sql, long millis) throws SQLException {
        try (Connection db = DriverManager.getConnection(databaseUrl); PreparedStatement update = db.prepareStatement(sql)) {
            update.setLong(1, millis);
            update.setString(2, runId);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }
}
