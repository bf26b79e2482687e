package io.onefed.upgrade.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * The report as one self-contained, printable HTML page (no script, no external resource). Every value is
 * escaped: command output and comments are untrusted text.
 */
public final class ReportHtml {

    private ReportHtml() {
    }

    public static String render(Report r) {
        java.io.StringWriter out = new java.io.StringWriter(64 * 1024);
        try {
            write(r, sink -> r.commands().forEach(sink), r.commands().size(), Integer.MAX_VALUE, out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Hands the report's commands to a consumer one by one (from memory, or read step by step from history). */
    public interface Commands {
        void forEach(java.util.function.Consumer<Report.Command> sink);
    }

    /**
     * Writes the page to {@code out} as it goes: the head, then one command row at a time (each flushed before the
     * next is read), so a report of any size needs the memory of one row. {@code head.commands()} is not used.
     * @param outputChars what the rows show of each output, for the note on cut outputs
     */
    public static void write(Report r, Commands commands, int commandCount, int outputChars, java.io.Writer out)
            throws java.io.IOException {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Upgrade report ")
                .append(esc(r.upgradeId())).append("</title>\n<style>")
                .append("body{font-family:system-ui,sans-serif;margin:2em;color:#111}h1{font-size:1.5em}")
                .append("h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #999}")
                .append("table{border-collapse:collapse;width:100%;font-size:.85em;margin:.5em 0}")
                .append("th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}")
                .append("th{background:#eee}code,pre{font-family:ui-monospace,monospace;font-size:.85em}")
                .append("pre{white-space:pre-wrap;word-break:break-all;margin:0}.fail{color:#a00;font-weight:bold}")
                .append("dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:bold}")
                .append("details{margin:2px 0}@media print{details>*{display:block}body{margin:0}}")
                .append("</style></head><body>\n");
        h.append("<h1>Upgrade report ").append(esc(r.upgradeId())).append("</h1>\n<dl>");
        dl(h, "State", r.state());
        dl(h, "Outcome", r.outcome() == null ? "(still running)" : r.outcome() + ": " + r.outcomeDetail());
        dl(h, "Started by", r.startedBy());
        dl(h, "Started", str(r.started()));
        dl(h, "Ended", r.ended() == null ? "-" : str(r.ended()));
        dl(h, "Version before", r.fromVersion());
        dl(h, "Target version", r.targetVersion());
        dl(h, "Approved plan (SHA-256)", r.approvedPlanHash());
        dl(h, "Report generated", str(r.generated()));
        h.append("</dl>\n");

        h.append("<h2 id=\"approvals\">Approvals and decisions</h2>\n");
        table(h, "approvals-table", r.approvals(), List.of("Task", "Zone", "Waiting since", "Decided", "By", "Decision", "Comment",
                "Plan hash"), a -> row(a.task(), a.zone(), str(a.created()), str(a.decidedAt()),
                a.decidedBy() == null ? "(waiting)" : a.decidedBy(), a.decision(), a.comment(), a.planHash()));

        h.append("<h2 id=\"refused-requests\">Refused requests while the upgrade ran</h2>\n");
        table(h, "refused-requests-table", r.refusedRequests(), List.of("At", "By", "Request", "Status", "Why"),
                x -> row(str(x.at()), x.userId(), x.method() + " " + x.path(), String.valueOf(x.status()), x.message()));

        h.append("<h2 id=\"skipped-hosts\">Hypervisor hosts skipped (left disabled)</h2>\n");
        table(h, "skipped-hosts-table", r.skippedHosts(), List.of("Zone id", "Host id"),
                s -> row(String.valueOf(s.zoneId()), String.valueOf(s.hostId())));

        h.append("<h2 id=\"versions\">Versions after the upgrade (post-checks)</h2>\n");
        table(h, "versions-table", r.versionsAfter(), List.of("Zone", "Version"), v -> row(v.zone(), v.version()));

        h.append("<h2 id=\"backups\">Backups</h2>\n");
        table(h, "backups-table", r.backups(), List.of("Zone", "Kind", "Path", "SHA-256"), b -> row(b.zone(), b.kind(), b.path(),
                b.sha256()));

        h.append("<h2 id=\"incidents\">Incidents</h2>\n");
        table(h, "incidents-table", r.incidents(), List.of("Zone", "Activity", "Message", "Raised", "Ended", "State", "Retried by"),
                i -> row(i.zone(), i.activityId(), i.message(), str(i.created()), str(i.ended()), i.state(),
                        String.join(", ", i.retriedBy())));

        h.append("<h2 id=\"timeline\">Timeline</h2>\n");
        // the chart first (hover a bar or an approval for details), the table after it
        h.append("<figure id=\"timeline-chart\" style=\"margin:0;overflow-x:auto\">").append(TimelineSvg.svg(r))
                .append("<figcaption><a href=\"/api/upgrades/").append(esc(url(r.upgradeId())))
                .append("/report/timeline.svg\">Download the timeline (SVG)</a></figcaption></figure>\n");
        table(h, "timeline-table", r.timeline(), List.of("Zone", "Process", "Step", "Start", "End", "Duration", "Job failures"),
                s -> row(s.zone(), s.process(), s.name() == null ? s.activityId() : s.name(), str(s.start()),
                        s.end() == null ? "(running)" : str(s.end()) + (s.canceled() ? " (cancelled)" : ""),
                        duration(s.durationMs()), s.failedAttempts() == 0 ? "" : String.valueOf(s.failedAttempts())));

        h.append("<h2 id=\"commands\">Remote commands</h2>\n");
        h.append("<p>").append(commandCount).append(" commands, grouped by step in the order the steps started.");
        if (outputChars != Integer.MAX_VALUE) {
            h.append(" Each output shows at most its last ").append(outputChars / 1024).append(" KiB; where it is cut,"
                    + " the row links the whole output kept in the history (GET /api/upgrades/").append(esc(r.upgradeId()))
                    .append("/commands/&lt;key&gt;/output?stream=stdout or stderr).");
        }
        h.append(" Where the command printed more than the capture keeps (\"last lines\"), the full output stays on"
                + " the host in the run directory of its key; the SHA-256 covers all of it.</p>\n");
        h.append("<table id=\"commands-table\"><tr><th>Zone</th><th>Step</th><th>Server</th><th>Command</th><th>Exit</th><th>Started</th>"
                + "<th>Duration</th><th>Output SHA-256</th></tr>\n");
        out.write(h.toString());
        h.setLength(0);
        java.io.IOException[] failure = new java.io.IOException[1];
        commands.forEach(c -> {
            if (failure[0] != null) {
                return;
            }
            row(h, r.upgradeId(), c);
            try {
                out.write(h.toString());
                out.flush();
            } catch (java.io.IOException e) {
                failure[0] = e; // the client went away: stop writing, read nothing more
            }
            h.setLength(0);
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        h.append("</table>\n");

        h.append("<h2 id=\"preflight\">Preflight</h2>\n<pre>").append(esc(r.preflightSummary())).append("</pre>\n");
        h.append("<h2 id=\"post-checks\">Post-checks</h2>\n<pre>").append(esc(r.postChecksSummary())).append("</pre>\n");
        h.append("</body></html>\n");
        out.write(h.toString());
        out.flush();
    }

    private static void row(StringBuilder h, String upgradeId, Report.Command c) {
        boolean failed = c.exitStatus() != null && c.exitStatus() != 0;
        h.append("<tr><td>").append(esc(c.zone())).append("</td><td>").append(esc(c.step())).append("</td><td>")
                .append(esc(c.server())).append("<br><small>").append(esc(c.host())).append("</small></td><td><code>")
                .append(esc(c.command())).append("</code>");
        if (hasText(c.stdout()) || hasText(c.stderr())) {
            h.append("<details><summary>output").append(c.truncated() ? " (last lines)" : "")
                    .append(c.outputCut() ? " (cut: its last part)" : "").append("</summary>");
            if (c.outputCut()) {
                String base = "/api/upgrades/" + url(upgradeId) + "/commands/" + url(c.key()) + "/output?stream=";
                h.append("<p>Whole output: <a href=\"").append(esc(base)).append("stdout\">stdout</a>, <a href=\"")
                        .append(esc(base)).append("stderr\">stderr</a></p>");
            }
            if (hasText(c.stdout())) {
                h.append("<pre>").append(esc(c.stdout())).append("</pre>");
            }
            if (hasText(c.stderr())) {
                h.append("<pre class=\"fail\">").append(esc(c.stderr())).append("</pre>");
            }
            h.append("</details>");
        }
        h.append("</td><td").append(failed ? " class=\"fail\"" : "").append('>')
                .append(esc(c.exitStatus() == null ? c.state() : String.valueOf(c.exitStatus()))).append("</td><td>")
                .append(esc(str(c.started()))).append("</td><td>").append(esc(duration(c.durationMs())))
                .append("</td><td><code>").append(esc(c.outputSha256())).append("</code></td></tr>\n");
    }

    private static String url(String s) {
        return java.net.URLEncoder.encode(s == null ? "" : s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static <T> void table(StringBuilder h, String id, List<T> rows, List<String> headers, Function<T, List<String>> cells) {
        if (rows.isEmpty()) {
            h.append("<p>none</p>\n");
            return;
        }
        h.append("<table id=\"").append(id).append("\"><tr>");
        headers.forEach(x -> h.append("<th>").append(esc(x)).append("</th>"));
        h.append("</tr>\n");
        for (T row : rows) {
            h.append("<tr>");
            for (String c : cells.apply(row)) {
                h.append("<td>").append(esc(c)).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    /** A table row; cells may be null (shown as "-"). */
    private static List<String> row(String... cells) {
        return java.util.Arrays.asList(cells);
    }

    private static void dl(StringBuilder h, String term, String value) {
        h.append("<dt>").append(esc(term)).append("</dt><dd>").append(esc(value)).append("</dd>");
    }

    /** "-" for a missing value; otherwise escaped like the timeline's texts (characters XML cannot carry too). */
    static String esc(String s) {
        return s == null ? "-" : TimelineSvg.esc(s);
    }

    private static boolean hasText(String s) {
        return s != null && !s.isBlank();
    }

    private static String str(Instant i) {
        return i == null ? null : i.toString();
    }

    static String duration(Long ms) {
        if (ms == null) {
            return "";
        }
        Duration d = Duration.ofMillis(ms);
        return d.toHours() > 0 ? String.format("%dh%02dm%02ds", d.toHours(), d.toMinutesPart(), d.toSecondsPart())
                : d.toMinutes() > 0 ? String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart())
                : String.format("%.1fs", ms / 1000.0);
    }
}
