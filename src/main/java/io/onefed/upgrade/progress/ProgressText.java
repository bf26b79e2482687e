package io.onefed.upgrade.progress;

import io.onefed.upgrade.progress.UpgradeProgress.Approval;
import io.onefed.upgrade.progress.UpgradeProgress.IncidentLink;
import java.util.ArrayList;
import java.util.List;

/**
 * The terminal rendering of {@link UpgradeProgress} for {@code follow}: one line per zone with a text bar, then
 * the pending approvals and open incidents with their links. Plain text, no terminal codes: {@link Screen} places
 * the lines (in place on a terminal, appended otherwise).
 */
public final class ProgressText {

    static final int BAR = 20;

    private ProgressText() {
    }

    /** {@code [########------------]}; {@code [ no plan yet        ]} while the zone's steps are unknown. */
    static String bar(int done, int total, int width) {
        if (total <= 0) {
            return "[" + pad(" no plan yet", width) + "]";
        }
        int full = (int) Math.round((double) Math.min(done, total) * width / total);
        return "[" + "#".repeat(full) + "-".repeat(width - full) + "]";
    }

    static String elapsed(long seconds) {
        long h = seconds / 3600;
        long m = seconds % 3600 / 60;
        long s = seconds % 60;
        return h > 0 ? String.format("%dh%02dm%02ds", h, m, s) : m > 0 ? String.format("%dm%02ds", m, s) : s + "s";
    }

    /**
     * @param base the service's address, put before the links (they are paths on the service)
     * @param withTimes false for the appended lines of a pipe or log: they change every second, which would repeat
     *        every line every second
     */
    static List<String> lines(UpgradeProgress p, String base, boolean withTimes) {
        List<String> out = new ArrayList<>();
        long done = p.zones().stream().filter(z -> z.state() == UpgradeProgress.ZoneState.DONE).count();
        out.add("Upgrade " + p.upgradeId() + "  " + or(p.fromVersion()) + " -> " + or(p.targetVersion()) + "  " + p.state()
                + (p.outcome() == null ? "" : " (" + p.outcome() + ")") + "  zones done " + done + "/" + p.zones().size()
                + (withTimes ? "  " + elapsed(p.elapsedSeconds()) : ""));
        if (p.currentStep() != null) {
            out.add("  federation: " + p.currentStep());
        }
        int name = Math.max(4, p.zones().stream().mapToInt(z -> label(z).length()).max().orElse(4));
        for (UpgradeProgress.Zone z : p.zones()) {
            StringBuilder b = new StringBuilder("  ").append(pad(label(z), name)).append(' ')
                    .append(bar(z.stepsDone(), z.stepsTotal(), BAR)).append(' ')
                    .append(pad(z.stepsDone() + "/" + z.stepsTotal(), 5)).append(' ')
                    .append(pad(z.state().name().toLowerCase().replace('_', ' '), 11));
            if (withTimes) {
                b.append(' ').append(pad(z.started() == null ? "" : elapsed(z.elapsedSeconds()), 9));
            }
            if (z.currentStep() != null) {
                b.append(' ').append(z.currentStep());
            }
            out.add(b.toString().stripTrailing());
        }
        for (Approval a : p.approvals()) {
            out.add("  approval " + (a.zone() == null ? "" : a.zone() + ": ") + a.name() + "  " + base + a.link());
        }
        for (IncidentLink i : p.incidents()) {
            out.add("  INCIDENT " + (i.zone() == null ? "" : i.zone() + ": ") + firstLine(i.message()) + "  " + base
                    + i.link());
        }
        return out;
    }

    private static String label(UpgradeProgress.Zone z) {
        return z.zoneName() + (z.master() ? "*" : "");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        String line = s.lines().findFirst().orElse("");
        return line.length() > 160 ? line.substring(0, 160) + "..." : line;
    }

    private static String or(String s) {
        return s == null ? "?" : s;
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /**
     * Places successive renderings: on a terminal each frame overwrites the last (ANSI cursor up, erase line); in
     * a pipe or log only the lines that changed since the last frame are appended, so the output stays a readable
     * history rather than a screen a second.
     */
    static final class Screen {
        private final boolean tty;
        private List<String> last = List.of();

        Screen(boolean tty) {
            this.tty = tty;
        }

        boolean tty() {
            return tty;
        }

        /** Whether a frame has been placed: before it, a failed read ends the command at once. */
        boolean hasShown() {
            return !last.isEmpty();
        }

        /** What to print for this frame (may be empty when nothing changed in plain mode). */
        String frame(List<String> lines) {
            StringBuilder b = new StringBuilder();
            if (tty) {
                if (!last.isEmpty()) {
                    b.append("\033[").append(last.size()).append('A');
                }
                for (String l : lines) {
                    b.append("\r\033[2K").append(l).append('\n');
                }
                // a shorter frame than the last: clear what is left below it, then come back up
                int extra = last.size() - lines.size();
                for (int i = 0; i < extra; i++) {
                    b.append("\033[2K\n");
                }
                if (extra > 0) {
                    b.append("\033[").append(extra).append('A');
                }
            } else {
                for (String l : lines) {
                    if (!last.contains(l)) {
                        b.append(l).append('\n');
                    }
                }
            }
            last = List.copyOf(lines);
            return b.toString();
        }
    }
}
