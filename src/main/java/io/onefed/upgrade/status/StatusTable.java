package io.onefed.upgrade.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders the status view as {@code onezone list} does (C ID NAME ENDPOINT FED_INDEX STAT), with the extra columns
 * VERSION RAFT SSH, then the problems found.
 */
public final class StatusTable {

    private static final String[] HEADER = {"C", "ID", "NAME", "ENDPOINT", "FED_INDEX", "STAT", "VERSION", "RAFT", "SSH"};

    private StatusTable() {
    }

    public static String render(FederationStatus status) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (ZoneStatus z : status.zones()) {
            rows.add(new String[] {
                z.current() ? "*" : "",
                Integer.toString(z.id()),
                orDash(z.name()),
                orDash(z.endpoint()),
                orDash(z.fedIndex()),
                z.state() == null ? "-" : switch (z.state()) {
                    case ENABLED -> "on";   // SHORT_ZONE_STATES of the Ruby OCA
                    case DISABLED -> "off";
                },
                orDash(z.version()),
                z.raftState() == null ? "-" : z.raftState().name().toLowerCase(Locale.ROOT),
                ssh(z)});
        }
        int[] width = new int[HEADER.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("FEDERATION ").append(orDash(status.name()))
                .append("  HEALTHY ").append(status.healthy() ? "yes" : "no")
                .append("  IN SYNC ").append(status.inSync() ? "yes" : "no").append('\n');
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                if (i > 0) {
                    line.append(' ');
                }
                // ID is right-aligned, as in onezone list
                line.append(String.format(i == 1 ? "%" + width[i] + "s" : "%-" + width[i] + "s", row[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        if (!status.problems().isEmpty()) {
            out.append('\n').append("PROBLEMS").append('\n');
            for (String p : status.problems()) {
                out.append("- ").append(p).append('\n');
            }
        }
        return out.toString();
    }

    /** Reachable front-ends over configured ones, {@code -} when the zone has none configured. */
    private static String ssh(ZoneStatus z) {
        if (z.servers().isEmpty()) {
            return "-";
        }
        long ok = z.servers().stream().filter(ServerStatus::sshReachable).count();
        return ok + "/" + z.servers().size();
    }

    private static String orDash(String s) {
        return s == null || s.isBlank() ? "-" : s;
    }
}
