package dev.rewind.incident;

import org.apache.commons.text.StringEscapeUtils;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Lays a {@link Report} out as Markdown (for Slack uploads and issues) or as a standalone HTML page. */
public final class ReportRenderer {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private static final String MARKDOWN_SPECIAL = "\\`*_[]<>#!|~";

    private ReportRenderer() {
    }

    public static String markdown(Report report) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(text(report.title())).append("\n\n").append(text(report.summary())).append("\n\n");
        for (Report.Row row : report.facts()) {
            md.append("- **").append(text(row.label())).append(":** ").append(text(row.value())).append('\n');
        }
        md.append("\n## Timeline\n\n| Time | Milestone | Since previous | Detail |\n|---|---|---|---|\n");
        for (Report.TimelineRow row : report.timeline()) {
            md.append("| ").append(TIME.format(row.at())).append(" | ").append(row.milestone()).append(" | ")
                    .append(row.sincePrevious().map(d -> d.toSeconds() + " s").orElse("—")).append(" | ")
                    .append(cell(row.detail())).append(" |\n");
        }
        if (!report.metrics().isEmpty()) {
            md.append("\n## Metrics\n\n| Signal | Before the deploy | At the worst | After the rollback | Query |\n|---|---|---|---|---|\n");
            for (Report.MetricRow row : report.metrics()) {
                md.append("| ").append(cell(row.signal())).append(" | ").append(cell(row.before())).append(" | ")
                        .append(cell(row.worst())).append(" | ").append(cell(row.after())).append(" | `")
                        .append(oneLine(row.query()).replace("|", "\\|").replace("`", "'")).append("` |\n");
            }
        }
        md.append("\n## What changed\n\n");
        list(md, report.changes(), "No differences recorded.");
        md.append("\n## Next steps\n\n");
        list(md, report.nextSteps(), "None.");
        md.append("\n## Full log\n\n");
        report.log().forEach(e -> md.append("- ").append(TIME.format(e.at())).append(" — ").append(text(e.message()))
                .append('\n'));
        md.append(PostMortem.markdown(report, end(report), ReportRenderer::text));
        return md.toString();
    }

    public static String html(Report report) {
        StringBuilder html = new StringBuilder("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>")
                .append(e(report.title())).append("</title><style>body{font-family:system-ui,sans-serif;max-width:60rem;"
                        + "margin:2rem auto;padding:0 1rem;line-height:1.5}table{border-collapse:collapse;width:100%}"
                        + "td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}"
                        + "code{background:#f4f4f4;padding:0 .2rem}</style></head><body>\n");
        html.append("<h1>").append(e(report.title())).append("</h1>\n<p>").append(e(report.summary())).append("</p>\n<dl>");
        for (Report.Row row : report.facts()) {
            html.append("<dt><strong>").append(e(row.label())).append("</strong></dt><dd>").append(e(row.value())).append("</dd>");
        }
        html.append("</dl>\n<h2>Timeline</h2>\n<table><tr><th>Time</th><th>Milestone</th><th>Since previous</th><th>Detail</th></tr>");
        for (Report.TimelineRow row : report.timeline()) {
            html.append("<tr><td>").append(TIME.format(row.at())).append("</td><td>").append(e(row.milestone()))
                    .append("</td><td>").append(row.sincePrevious().map(d -> d.toSeconds() + " s").orElse("—"))
                    .append("</td><td>").append(e(row.detail())).append("</td></tr>");
        }
        html.append("</table>\n");
        if (!report.metrics().isEmpty()) {
            html.append("<h2>Metrics</h2>\n<table><tr><th>Signal</th><th>Before the deploy</th><th>At the worst</th>"
                    + "<th>After the rollback</th><th>Query</th></tr>");
            for (Report.MetricRow row : report.metrics()) {
                html.append("<tr><td>").append(e(row.signal())).append("</td><td>").append(e(row.before()))
                        .append("</td><td>").append(e(row.worst())).append("</td><td>").append(e(row.after()))
                        .append("</td><td><code>").append(e(row.query())).append("</code></td></tr>");
            }
            html.append("</table>\n");
        }
        html.append("<h2>What changed</h2>\n");
        htmlList(html, report.changes(), "No differences recorded.");
        html.append("<h2>Next steps</h2>\n");
        htmlList(html, report.nextSteps(), "None.");
        html.append("<h2>Full log</h2>\n<ul>");
        report.log().forEach(ev -> html.append("<li>").append(TIME.format(ev.at())).append(" — ").append(e(ev.message()))
                .append("</li>"));
        html.append("</ul>\n").append(PostMortem.html(report, end(report), ReportRenderer::e)).append("</body></html>\n");
        return html.toString();
    }

    /** When the incident's record ends: its last logged event. */
    private static java.time.Instant end(Report report) {
        return report.log().isEmpty() ? java.time.Instant.EPOCH : report.log().get(report.log().size() - 1).at();
    }

    private static void list(StringBuilder md, List<String> items, String empty) {
        if (items.isEmpty()) {
            md.append(empty).append('\n');
        }
        items.forEach(item -> md.append("- ").append(text(item)).append('\n'));
    }

    private static void htmlList(StringBuilder html, List<String> items, String empty) {
        if (items.isEmpty()) {
            html.append("<p>").append(e(empty)).append("</p>\n");
            return;
        }
        html.append("<ul>");
        items.forEach(item -> html.append("<li>").append(e(item)).append("</li>"));
        html.append("</ul>\n");
    }

    private static String e(String text) {
        return StringEscapeUtils.escapeXml10(text);
    }

    private static String oneLine(String text) {
        return text.replace('\r', ' ').replace('\n', ' ');
    }

    private static String cell(String text) {
        return text(text);
    }

    /**
     * Words from people and outside systems (reasons, alert text, receivers' messages) as literal
     * Markdown text on one line: every character that could start a link, image, heading, emphasis,
     * code, table cell or HTML tag is backslash-escaped, so the report and the GitHub issue show what
     * was typed and nothing else.
     */
    static String text(String text) {
        String line = oneLine(text);
        StringBuilder out = new StringBuilder(line.length() + 16);
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (MARKDOWN_SPECIAL.indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
