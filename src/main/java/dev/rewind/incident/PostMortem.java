package dev.rewind.incident;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The post-mortem part of a report, as the playbooks ask for it: the review meeting within 48 hours, the impact
 * (window, tier, each signal at its worst, requests or users where a signal counts them), then the sections
 * people fill in (root cause by five whys, what went well and wrong, lessons, prevention, action items with
 * owners, the documents to update), all as checkboxes or prompts so the GitHub issue is the working copy.
 */
final class PostMortem {

    static final Duration REVIEW_WITHIN = Duration.ofHours(48);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private PostMortem() {
    }

    /** The Markdown section; {@code text} escapes words from people and systems. */
    static String markdown(Report report, Instant incidentEnd, java.util.function.UnaryOperator<String> text) {
        StringBuilder md = new StringBuilder("\n## Post-mortem\n\n");
        md.append("**Review meeting:** within 48 h, by ").append(DAY.format(incidentEnd.plus(REVIEW_WITHIN)))
                .append(" — owner: _…_, attendees: the on-call, the approvers, the service's team.\n\n");
        md.append("### Impact\n\n");
        for (String line : impact(report)) {
            md.append("- ").append(text.apply(line)).append('\n');
        }
        md.append("\n### Timeline\n\nSee the timeline above; add what happened outside Rewind (first report by a user, "
                + "fixes shipped, communication).\n\n");
        md.append("### Root cause (five whys)\n\n1. Why did the service degrade? _…_\n2. Why? _…_\n3. Why? _…_\n4. Why? _…_\n"
                + "5. Why? _…_ (the root cause)\n\n");
        md.append("### What went well\n\n- _…_\n\n### What went wrong\n\n- _…_\n\n### Lessons learned\n\n- _…_\n\n");
        md.append("### Prevention\n\n- _What would have caught this before production (tests, canary, deploy guard, "
                + "alerts)?_\n\n");
        md.append("### Action items\n\n- [ ] _Action_ — owner: _@…_ — due: _…_ — ticket: _…_\n"
                + "- [ ] _Action_ — owner: _@…_ — due: _…_ — ticket: _…_\n\n");
        md.append("### Documents to update\n\n");
        for (String doc : documents(report)) {
            md.append("- [ ] ").append(text.apply(doc)).append('\n');
        }
        return md.toString();
    }

    /** The same as HTML; {@code e} escapes. */
    static String html(Report report, Instant incidentEnd, java.util.function.UnaryOperator<String> e) {
        StringBuilder html = new StringBuilder("<h2>Post-mortem</h2>\n<p><strong>Review meeting:</strong> within 48 h, by ")
                .append(DAY.format(incidentEnd.plus(REVIEW_WITHIN))).append(" — owner: …</p>\n<h3>Impact</h3><ul>");
        impact(report).forEach(line -> html.append("<li>").append(e.apply(line)).append("</li>"));
        html.append("</ul><h3>Root cause (five whys)</h3><ol><li>Why did the service degrade? …</li><li>Why? …</li>"
                + "<li>Why? …</li><li>Why? …</li><li>Why? … (the root cause)</li></ol>"
                + "<h3>What went well</h3><ul><li>…</li></ul><h3>What went wrong</h3><ul><li>…</li></ul>"
                + "<h3>Lessons learned</h3><ul><li>…</li></ul><h3>Prevention</h3><ul><li>…</li></ul>"
                + "<h3>Action items</h3><ul><li>☐ Action — owner: … — due: …</li></ul><h3>Documents to update</h3><ul>");
        documents(report).forEach(doc -> html.append("<li>☐ ").append(e.apply(doc)).append("</li>"));
        return html.append("</ul>\n").toString();
    }

    static List<String> impact(Report report) {
        List<String> lines = new ArrayList<>();
        lines.add("Window: " + fact(report, "Impact window").orElse("not recorded"));
        lines.add("Severity: tier " + fact(report, "Tier").map(tier -> tier.split(" ")[0]).orElse("not assessed"));
        boolean counted = false;
        for (Report.MetricRow row : report.metrics()) {
            lines.add(row.signal() + " at its worst: " + row.worst() + " (before the deploy " + row.before() + ", after the rollback "
                    + row.after() + ")");
            String name = row.signal().toLowerCase(Locale.ROOT);
            counted |= name.contains("request") || name.contains("user") || name.contains("session") || name.contains("order");
        }
        if (report.metrics().isEmpty()) {
            lines.add("Signals: none recorded; add the error rate and latency from your dashboards");
        }
        if (!counted) {
            lines.add("Requests or users affected: no signal counts them; estimate from logs or traffic (_…_)");
        }
        return lines;
    }

    private static List<String> documents(Report report) {
        String title = report.title();
        String service = title.startsWith("Rollback of ") && title.indexOf(" (") > 0
                ? title.substring("Rollback of ".length(), title.indexOf(" (")) : "the service";
        return List.of("Runbook of " + service + " (what the on-call should do first next time)",
                "rewind.yml for " + service + " (thresholds, deadlines, probes, verification) if the card judged wrong",
                "Deploy checklist and pipeline gates",
                "Dashboards and alerts that would have shown it sooner",
                "On-call handbook");
    }

    private static Optional<String> fact(Report report, String label) {
        return report.facts().stream().filter(row -> row.label().equals(label)).map(Report.Row::value).findFirst();
    }
}
