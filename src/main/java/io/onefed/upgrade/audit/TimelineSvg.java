package io.onefed.upgrade.audit;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The upgrade's timeline as a Gantt chart in SVG, from the report (so from history only: it draws a running
 * upgrade as far as it got). One lane for the federation-wide steps and one per zone, a bar per step coloured by
 * outcome, the API freeze window shaded across all lanes, a marker per approval whose tooltip ({@code <title>})
 * says who decided what and when. Plain SVG and CSS, no script; every text is escaped (zone names come from the
 * configuration, user names from logins, comments from operators).
 */
public final class TimelineSvg {

    static final int LABEL_WIDTH = 170;
    static final int CHART_WIDTH = 1000;
    static final int LANE_HEIGHT = 26;
    static final int TOP = 46;
    static final String FEDERATION = "federation";

    /** Step types drawn as bars; end events and boundary events are instants, not work. */
    private static final List<String> BARS = List.of("serviceTask", "userTask", "callActivity", "intermediateTimer");
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private TimelineSvg() {
    }

    /** A standalone SVG document (the download). */
    public static String document(Report r) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg(r);
    }

    /** The {@code <svg>} element alone, to embed in the HTML report. */
    public static String svg(Report r) {
        Instant t0 = r.started();
        Instant t1 = r.ended() != null ? r.ended() : r.generated();
        for (Report.Step s : r.timeline()) {
            t1 = max(t1, s.end());
        }
        if (t1 == null || !t1.isAfter(t0)) {
            t1 = t0.plusSeconds(1);
        }
        long span = Duration.between(t0, t1).toMillis();
        List<String> lanes = lanes(r);
        Map<String, Integer> laneIndex = new LinkedHashMap<>();
        lanes.forEach(l -> laneIndex.put(l, laneIndex.size()));
        int height = TOP + lanes.size() * LANE_HEIGHT + 62;
        int width = LABEL_WIDTH + CHART_WIDTH + 20;
        Scale x = new Scale(t0, span);

        StringBuilder s = new StringBuilder(16 * 1024);
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\" role=\"img\" aria-label=\"Timeline of upgrade ").append(esc(r.upgradeId()))
                .append("\" font-family=\"system-ui,sans-serif\" font-size=\"12\">\n");
        s.append("<title>Timeline of upgrade ").append(esc(r.upgradeId())).append("</title>\n");
        s.append("<style>.bar{stroke:#222;stroke-width:.5}.done{fill:#3a9d5d}.failed{fill:#d03030}")
                .append(".aborted{fill:#8a8a8a}.running{fill:#3b7dd8}.lane-bg{fill:#f4f4f4}.lane-bg.odd{fill:#e9e9e9}")
                .append(".freeze{fill:#f0a020;fill-opacity:.22;stroke:#c07000;stroke-dasharray:4 3}")
                .append(".approval{fill:#ffd500;stroke:#222;stroke-width:1}.approval.waiting{fill:#fff}")
                .append(".approval.refused{fill:#d03030}.tick{stroke:#bbb;stroke-width:.5}")
                .append("text{fill:#111}.axis{fill:#444;font-size:11px}.lane-label{font-weight:600}")
                .append(".bar-label{fill:#fff;font-size:10px;pointer-events:none}.now{stroke:#3b7dd8;stroke-width:1.5;")
                .append("stroke-dasharray:3 2}</style>\n");
        s.append("<text x=\"8\" y=\"18\" font-size=\"14\" font-weight=\"700\">Upgrade ").append(esc(r.upgradeId()))
                .append(" (").append(esc(r.state())).append(r.outcome() == null ? "" : ", " + esc(r.outcome()))
                .append(")</text>\n");
        s.append("<text x=\"8\" y=\"34\" class=\"axis\">").append(esc(r.started().toString())).append(" to ")
                .append(r.ended() == null ? "now (still running)" : esc(r.ended().toString())).append(", UTC</text>\n");

        for (int i = 0; i < lanes.size(); i++) {
            int y = TOP + i * LANE_HEIGHT;
            String lane = lanes.get(i);
            boolean federation = i == 0;
            s.append("<g class=\"lane\" data-lane=\"").append(esc(lane)).append("\" data-kind=\"")
                    .append(federation ? FEDERATION : "zone").append("\">")
                    .append("<rect class=\"lane-bg").append(i % 2 == 1 ? " odd" : "").append("\" x=\"0\" y=\"")
                    .append(y).append("\" width=\"").append(width).append("\" height=\"").append(LANE_HEIGHT)
                    .append("\"/><text class=\"lane-label\" x=\"8\" y=\"").append(y + 17).append("\">")
                    .append(esc(federation ? "Federation-wide" : cut(lane, 24))).append("<title>")
                    .append(esc(federation ? "Federation-wide steps" : "Zone " + lane)).append("</title></text></g>\n");
        }
        ticks(s, x, span, lanes.size());

        Optional<ApiFreezeWindow> freeze = freeze(r);
        if (freeze.isPresent()) {
            ApiFreezeWindow w = freeze.get();
            Instant end = w.end() != null ? w.end() : t1;
            double fx = x.at(w.start());
            double fw = Math.max(1, x.at(end) - fx);
            int fy = TOP - 4;
            s.append("<g class=\"freeze-window\"><rect class=\"freeze\" x=\"").append(num(fx)).append("\" y=\"")
                    .append(fy).append("\" width=\"").append(num(fw)).append("\" height=\"")
                    .append(lanes.size() * LANE_HEIGHT + 8).append("\"><title>")
                    .append(esc("API frozen from " + w.start() + (w.end() == null ? ", not re-enabled yet"
                            : " to " + w.end() + " (" + ReportHtml.duration(w.length(end).toMillis()) + ")")))
                    .append("</title></rect><text class=\"axis\" x=\"").append(num(fx + 3)).append("\" y=\"")
                    .append(fy - 2).append("\">API frozen</text></g>\n");
        }

        for (Report.Step step : r.timeline()) {
            Integer lane = laneIndex.get(laneOf(step));
            if (lane == null || !BARS.contains(step.type()) || step.start() == null
                    || (lane == 0 && fanOut(step, r))) {
                continue;
            }
            String outcome = outcome(step, r);
            Instant end = step.end() != null ? step.end() : t1;
            double bx = x.at(step.start());
            double bw = Math.max(1.5, x.at(end) - bx);
            int by = TOP + lane * LANE_HEIGHT + 5;
            String name = step.name() == null ? step.activityId() : step.name();
            s.append("<rect class=\"bar ").append(outcome).append("\" data-step=\"").append(esc(step.activityId()))
                    .append("\" data-outcome=\"").append(outcome).append("\" x=\"").append(num(bx)).append("\" y=\"")
                    .append(by).append("\" width=\"").append(num(bw)).append("\" height=\"").append(LANE_HEIGHT - 10)
                    .append("\"><title>").append(esc(name + " (" + (lane == 0 ? "federation" : "zone " + step.zone())
                            + "): " + outcome + ", " + step.start() + (step.end() == null ? ", still running"
                            : " to " + step.end() + ", " + ReportHtml.duration(step.durationMs()))
                            + (step.failedAttempts() > 0 ? ", " + step.failedAttempts() + " job failure(s)" : "")))
                    .append("</title></rect>\n");
            // as much of the name as fits (about 6 px a character at this size), when at least a few characters do
            int fits = (int) ((bw - 8) / 6.2);
            String label = fits >= 5 ? cut(name, Math.min(fits, 40)) : null;
            if (label != null) {
                // the name inside the bar where it fits (a picture in a README has no tooltips)
                s.append("<text class=\"bar-label\" x=\"").append(num(bx + 4)).append("\" y=\"").append(by + 12)
                        .append("\">").append(esc(label)).append("</text>\n");
            }
        }
        if (r.ended() == null) {
            double nx = x.at(r.generated());
            s.append("<line class=\"now\" x1=\"").append(num(nx)).append("\" x2=\"").append(num(nx)).append("\" y1=\"")
                    .append(TOP - 6).append("\" y2=\"").append(TOP + lanes.size() * LANE_HEIGHT + 4)
                    .append("\"><title>now: ").append(esc(r.generated().toString())).append("</title></line>\n");
        }

        for (Report.Approval a : r.approvals()) {
            Integer lane = laneIndex.get(FEDERATION.equals(a.zone()) || a.zone() == null ? lanes.get(0) : a.zone());
            Instant at = a.decidedAt() != null ? a.decidedAt() : a.created();
            if (lane == null || at == null) {
                continue;
            }
            String kind = a.decidedBy() == null ? "waiting" : "refused".equals(a.decision()) ? "refused" : "decided";
            double ax = x.at(at);
            int ay = TOP + lane * LANE_HEIGHT + LANE_HEIGHT / 2;
            String tip = a.decidedBy() == null
                    ? a.task() + ": waiting since " + a.created()
                    : a.task() + ": " + a.decision() + " by " + a.decidedBy() + " at " + a.decidedAt()
                            + (a.comment() == null || a.comment().isBlank() ? "" : " (\"" + cut(a.comment(), 200) + "\")");
            s.append("<path class=\"approval ").append(kind).append("\" data-task=\"").append(esc(a.taskKey()))
                    .append("\" data-decided-by=\"").append(esc(a.decidedBy() == null ? "" : a.decidedBy()))
                    .append("\" d=\"M").append(num(ax)).append(' ').append(ay - 8).append(" l6 8 l-6 8 l-6 -8 z\"><title>")
                    .append(esc(tip)).append("</title></path>\n");
        }
        legend(s, TOP + lanes.size() * LANE_HEIGHT + 36);
        s.append("</svg>\n");
        return s.toString();
    }

    /** The federation lane first, then one per zone in the order the zones started. */
    static List<String> lanes(Report r) {
        List<String> lanes = new ArrayList<>();
        lanes.add(FEDERATION);
        r.timeline().stream().filter(s -> s.start() != null).sorted((a, b) -> a.start().compareTo(b.start()))
                .map(TimelineSvg::laneOf).filter(l -> !lanes.contains(l)).forEach(lanes::add);
        return lanes;
    }

    /** The federation process's steps on the first lane, a zone process's on its zone's. */
    private static String laneOf(Report.Step s) {
        return s.zone() == null || "federation-upgrade".equals(s.process()) ? FEDERATION : s.zone();
    }

    /** A federation call activity that runs zone processes (stop all, master, a slave batch): the zone lanes show it. */
    private static boolean fanOut(Report.Step step, Report r) {
        if (!"callActivity".equals(step.type())) {
            return false;
        }
        Instant end = step.end() != null ? step.end() : Instant.MAX;
        return r.timeline().stream().anyMatch(z -> !FEDERATION.equals(laneOf(z)) && z.start() != null
                && !z.start().isBefore(step.start()) && !z.start().isAfter(end));
    }

    /**
     * done; failed (an open incident on it, a failure decision waiting in its zone, or it ended cancelled after an
     * incident); aborted (cancelled); running.
     */
    static String outcome(Report.Step s, Report r) {
        boolean incident = r.incidents().stream().anyMatch(i -> s.activityId().equals(i.activityId())
                && same(s.zone(), i.zone()) && i.created() != null && !i.created().isBefore(s.start())
                && (s.end() == null || !i.created().isAfter(s.end())));
        boolean openIncident = incident && r.incidents().stream().anyMatch(i -> "open".equals(i.state())
                && s.activityId().equals(i.activityId()) && same(s.zone(), i.zone()));
        if (s.end() == null) {
            // a zone's decision tasks all follow a failure (a command exited non-zero, the API did not come back):
            // a step waiting on one has failed, whatever the operator decides next
            boolean decisionWaits = !"userTask".equals(s.type()) && !"federation-upgrade".equals(s.process())
                    && r.approvals().stream().anyMatch(a -> a.decidedBy() == null && same(s.zone(), a.zone())
                            && a.created() != null && !a.created().isBefore(s.start()));
            return openIncident || decisionWaits ? "failed" : "running";
        }
        if (s.canceled()) {
            return incident ? "failed" : "aborted";
        }
        return "done";
    }

    static Optional<ApiFreezeWindow> freeze(Report r) {
        return ApiFreezeWindow.of(r.timeline().stream().filter(s -> "federation-upgrade".equals(s.process()))
                .map(s -> new ApiFreezeWindow.Activity(s.activityId(), s.start(), s.end())).toList());
    }

    private static void ticks(StringBuilder s, Scale x, long spanMs, int laneCount) {
        long[] steps = {1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000,
                1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000};
        long step = steps[steps.length - 1];
        for (long candidate : steps) {
            if (spanMs / candidate <= 10) {
                step = candidate;
                break;
            }
        }
        int bottom = TOP + laneCount * LANE_HEIGHT;
        long first = (x.t0.toEpochMilli() / step + 1) * step;
        s.append("<g class=\"axis-ticks\">");
        for (long t = first; t <= x.t0.toEpochMilli() + spanMs; t += step) {
            double tx = x.at(Instant.ofEpochMilli(t));
            s.append("<line class=\"tick\" x1=\"").append(num(tx)).append("\" x2=\"").append(num(tx)).append("\" y1=\"")
                    .append(TOP).append("\" y2=\"").append(bottom + 4).append("\"/><text class=\"axis\" x=\"")
                    .append(num(tx)).append("\" y=\"").append(bottom + 16).append("\" text-anchor=\"middle\">")
                    .append(CLOCK.format(Instant.ofEpochMilli(t))).append("</text>");
        }
        s.append("</g>\n");
    }

    private static void legend(StringBuilder s, int y) {
        String[][] items = {{"done", "done"}, {"failed", "failed / incident"}, {"aborted", "aborted"},
                {"running", "running"}};
        int lx = LABEL_WIDTH;
        s.append("<g class=\"legend\">");
        for (String[] item : items) {
            s.append("<rect class=\"bar ").append(item[0]).append("\" x=\"").append(lx).append("\" y=\"").append(y - 10)
                    .append("\" width=\"14\" height=\"12\"/><text x=\"").append(lx + 19).append("\" y=\"").append(y)
                    .append("\">").append(item[1]).append("</text>");
            lx += 130;
        }
        s.append("<rect class=\"freeze\" x=\"").append(lx).append("\" y=\"").append(y - 10)
                .append("\" width=\"14\" height=\"12\"/><text x=\"").append(lx + 19).append("\" y=\"").append(y)
                .append("\">API frozen</text>");
        lx += 130;
        s.append("<path class=\"approval decided\" d=\"M").append(lx + 6).append(' ').append(y - 12)
                .append(" l6 8 l-6 8 l-6 -8 z\"/><text x=\"").append(lx + 19).append("\" y=\"").append(y)
                .append("\">approval (hover: who, when)</text></g>\n");
    }

    private record Scale(Instant t0, long spanMs) {
        double at(Instant t) {
            double f = (double) Duration.between(t0, t).toMillis() / spanMs;
            return LABEL_WIDTH + Math.max(0, Math.min(1, f)) * CHART_WIDTH;
        }
    }

    private static boolean same(String a, String b) {
        return a == null ? b == null : a.equals(b);
    }

    private static Instant max(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /**
     * Escapes text and attribute values for XML (and so for SVG inside HTML). Characters XML cannot carry at all
     * (controls other than tab and newlines) become U+FFFD: a zone name with one must not break the document.
     */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE || c == 0xFFFF
                            || (Character.isSurrogate(c) && !validSurrogate(s, i))) {
                        out.append('\uFFFD');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
