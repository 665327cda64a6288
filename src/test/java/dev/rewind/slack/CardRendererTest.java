package dev.rewind.slack;

import dev.rewind.testing.RunBuilder;
import com.slack.api.util.json.GsonFactory;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.TargetState;
import dev.rewind.assess.Assessment;
import dev.rewind.assess.SignalReading;
import dev.rewind.assess.TargetView;
import dev.rewind.assess.Tier;
import dev.rewind.assess.Verdict;
import dev.rewind.rollback.AlertDigest;
import dev.rewind.rollback.Approval;
import dev.rewind.rollback.ApprovalPolicy;
import dev.rewind.rollback.IncidentRoom;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunEvent;
import dev.rewind.rollback.FollowUpTask;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.RunView;
import dev.rewind.signals.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Cards stay inside Block Kit's limits whatever the input, and say what matters. */
class CardRendererTest {

    private static final Instant NOW = Instant.parse("2026-11-26T03:00:00Z");
    private final CardRenderer renderer = new CardRenderer(new SlackMentions());

    private static Revision revision(int n, int containers, String cause) {
        Map<String, String> attributes = new LinkedHashMap<>();
        List<String> images = new ArrayList<>();
        for (int c = 0; c < containers; c++) {
            String image = "registry.example.com/team/very-long-image-name-for-container-" + c + ":1." + n + ".0";
            images.add(image);
            attributes.put("container c" + c + " image", image);
            attributes.put("container c" + c + " args", "--flag=" + n + " --other=" + "x".repeat(200));
            attributes.put("container c" + c + " env SECRET_" + c, "value sha256:" + Integer.toHexString(n * 31 + c) + "0000000");
            attributes.put("container c" + c + " limits memory", n + "Gi");
        }
        return new Revision("rs-" + n, "r" + n, images, Optional.of(NOW.minusSeconds(3600L * n)), Optional.of(cause), attributes);
    }

    private static RunView extreme(RunState state) {
        List<Revision> candidates = new ArrayList<>();
        for (int n = 49; n >= 1; n--) {
            candidates.add(revision(n, 20, "c".repeat(10_000)));
        }
        List<String> warnings = new ArrayList<>();
        for (int w = 0; w < 40; w++) {
            warnings.add("warning " + w + " " + "w".repeat(500));
        }
        List<TargetView> targets = new ArrayList<>();
        for (int t = 0; t < 20; t++) {
            targets.add(TargetView.read("kubernetes-deployment shop/" + "x".repeat(300) + t, "kubernetes-deployment",
                    new TargetState("shop/x" + t, revision(50, 20, "d".repeat(10_000)), candidates,
                            List.of(new TargetState.Fact("Replicas", "3/3 ".repeat(500))), warnings)));
        }
        List<SignalReading> signals = new ArrayList<>();
        for (int s = 0; s < 60; s++) {
            signals.add(new SignalReading("errorRate" + s, "q".repeat(2000), new Reading.Value(0.5 + s),
                    new Reading.Unavailable("Prometheus unreachable: " + "e".repeat(1000)), NOW, NOW, "basis"));
        }
        Assessment assessment = new Assessment("s".repeat(200), "e".repeat(100), targets, signals,
                new Verdict(Tier.IMMEDIATE, List.of("r".repeat(5000), "r2".repeat(3000))), Set.of("security"), NOW);
        List<FollowUpTask> followUps = new ArrayList<>();
        for (int f = 0; f < 30; f++) {
            followUps.add(new FollowUpTask("rb-0000000001-" + f, "rb-0000000001", f, "argocd " + "k".repeat(400),
                    "Restore " + "a".repeat(300), "d".repeat(3000), Map.of(), NOW, f % 2 == 0 ? Optional.empty()
                    : Optional.of(new FollowUpTask.Done("U0" + "b".repeat(100), NOW, "r".repeat(3000)))));
        }
        List<RunEvent> events = new ArrayList<>();
        for (int e = 0; e < 500; e++) {
            events.add(new RunEvent("rb-1", NOW, RunEvent.Kind.STEP, "step " + e + " " + "z".repeat(1000)));
        }
        RollbackRun run = RunBuilder.aRun().id("rb-0000000001").service("s".repeat(200)).environment("e".repeat(100))
                .state(state).reason("why ".repeat(3000)).assessment(assessment).requestedBy("U0BOB").toRevision("rs-2")
                .card("C1", "1.2").outcome("o".repeat(10_000)).at(NOW).startedAt(NOW).finishedAt(NOW)
                .autoAt(NOW.plusSeconds(60)).policyNote("p".repeat(3000)).build();
        List<Approval> approvals = new ArrayList<>();
        for (int a = 0; a < 30; a++) {
            approvals.add(new Approval("rb-1", "U0A" + a, NOW, a == 0));
        }
        return new RunView(run, approvals, new ApprovalPolicy.Standing(1, 3, false, true),
                List.of("S0SRE", "U0ALICE"), events, Optional.of("https://rewind.example.com/reports/rb-0000000001"),
                new IncidentRoom(Optional.of("C0INC"), Optional.of("1.3"), Optional.of("n".repeat(5000))), List.of(),
                Optional.of(new AlertDigest(5000, 4000, 100_000, "a".repeat(2000), "s".repeat(5000), NOW, NOW, Optional.empty(),
                        Optional.of(NOW))),
                Optional.of("b".repeat(4000)), followUps);
    }

    @ParameterizedTest
    @EnumSource(RunState.class)
    void extremeInputsStayWithinBlockKitLimits(RunState state) {
        Card card = renderer.render(extreme(state), NOW);
        JsonNode blocks = JsonMapper.builder().build().readTree(GsonFactory.createSnakeCase().toJson(card.blocks()));

        assertThat(blocks.size()).isLessThanOrEqualTo(50);
        assertThat(card.text().length()).isLessThanOrEqualTo(3000);
        for (JsonNode block : blocks) {
            String type = block.path("type").asString();
            if (type.equals("header")) {
                assertThat(block.path("text").path("text").asString().length()).isLessThanOrEqualTo(150);
            }
            if (type.equals("section")) {
                assertThat(block.path("text").path("text").asString().length()).isLessThanOrEqualTo(3000);
            }
            if (type.equals("context")) {
                assertThat(block.path("elements").size()).isLessThanOrEqualTo(10);
                block.path("elements").forEach(e -> assertThat(e.path("text").asString().length()).isLessThanOrEqualTo(3000));
            }
            if (type.equals("actions")) {
                assertThat(block.path("elements").size()).isLessThanOrEqualTo(25);
                List<String> ids = new ArrayList<>();
                block.path("elements").forEach(e -> ids.add(e.path("action_id").asString()));
                assertThat(ids).as("Slack refuses a block whose action_ids repeat").doesNotHaveDuplicates();
                for (JsonNode element : block.path("elements")) {
                    assertThat(element.path("action_id").asString().length()).isBetween(1, 255);
                    assertThat(element.path("text").path("text").asString().length()).isLessThanOrEqualTo(75);
                    assertThat(element.path("value").asString().length()).isLessThanOrEqualTo(2000);
                    assertThat(element.path("options").size()).isLessThanOrEqualTo(100);
                    element.path("options").forEach(o -> {
                        assertThat(o.path("text").path("text").asString().length()).isLessThanOrEqualTo(75);
                        assertThat(o.path("value").asString().length()).isLessThanOrEqualTo(150);
                    });
                    if (element.has("confirm")) {
                        assertThat(element.path("confirm").path("title").path("text").asString().length()).isLessThanOrEqualTo(100);
                        assertThat(element.path("confirm").path("text").path("text").asString().length()).isLessThanOrEqualTo(300);
                    }
                }
            }
        }
    }

    @Test
    void anAssessedCardOffersTheRollbackThePickerAndTheWayOut() {
        RunView view = extreme(RunState.ASSESSED);
        String json = GsonFactory.createSnakeCase().toJson(renderer.render(view, NOW).blocks());
        assertThat(json).contains(ActionIds.ROLL_BACK).contains(ActionIds.PICK_REVISION).contains(ActionIds.MONITOR)
                .contains(ActionIds.DISMISS).contains("Roll back to r2");
    }

    @Test
    void aPickedRevisionRenamesTheButton() {
        RunView view = extreme(RunState.ASSESSED);
        RollbackRun r = view.run();
        RollbackRun picked = RunBuilder.from(r).toRevision("rs-7").build();
        view = new RunView(picked, view.approvals(), view.standing(), view.approvers(), view.events(), view.reportUrl(),
                view.incident(), view.samples(), view.alerts(), view.busy(), view.followUps());
        String json = GsonFactory.createSnakeCase().toJson(renderer.render(view, NOW).blocks());
        assertThat(json).contains("Roll back to r7").doesNotContain("Roll back to r2");
    }

    @Test
    void envValuesNeverReachTheCard() {
        Card card = renderer.render(extreme(RunState.ASSESSED), NOW);
        assertThat(GsonFactory.createSnakeCase().toJson(card.blocks())).doesNotContain("sha256:");
    }
}
