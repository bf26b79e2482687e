package io.onefed.upgrade.steps;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The systemd units each OpenNebula release ships, as listed in {@code share/pkgs/services/systemd/} of
 * {@code OpenNebula/one} on the release branches {@code one-5.10} to {@code one-7.2} and the tag
 * {@code release-7.4.0} ({@code pre_cleanup} there is a script, not a unit). Releases differ: 5.x has
 * {@code opennebula-econe} and no FireEdge, 6.6 and 6.8 add {@code opennebula-gate-proxy} (gone in 6.10), 7.0
 * drops the scheduler, Sunstone and noVNC, 7.2 adds {@code opennebula-form}, 7.4 {@code opennebula-ks}.
 * The stop step stops the running release's units, the start step starts only the target release's, so a unit
 * a release lacks is never touched; the oneshot services behind the timers are listed too, since one may be
 * running when the zone is stopped.
 */
final class ReleaseUnits {

    private static final List<String> COMMON_5 = List.of("opennebula", "opennebula-scheduler", "opennebula-hem",
            "opennebula-flow", "opennebula-gate", "opennebula-econe", "opennebula-sunstone", "opennebula-novnc");
    /** one-5.12 adds the SSH agent and the showback and SOCKS cleaner timers. */
    private static final List<String> TIMERS = List.of("opennebula-ssh-agent", "opennebula-showback.timer",
            "opennebula-showback", "opennebula-ssh-socks-cleaner.timer", "opennebula-ssh-socks-cleaner");
    /** one-6.0 to one-6.10: FireEdge and Guacamole replace EconE. */
    private static final List<String> UNITS_6 = List.of("opennebula", "opennebula-scheduler", "opennebula-hem",
            "opennebula-flow", "opennebula-gate", "opennebula-fireedge", "opennebula-guacd", "opennebula-sunstone",
            "opennebula-novnc", "opennebula-ssh-agent", "opennebula-showback.timer", "opennebula-showback",
            "opennebula-ssh-socks-cleaner.timer", "opennebula-ssh-socks-cleaner");
    /** one-7.0: the scheduler runs inside oned, Ruby Sunstone and noVNC are gone. */
    private static final List<String> UNITS_7_0 = without(UNITS_6, "opennebula-scheduler", "opennebula-sunstone",
            "opennebula-novnc");

    /** Series (major * 1000 + minor) to units; a release between two entries has the lower one's units. */
    private static final TreeMap<Integer, List<String>> BY_SERIES = new TreeMap<>(Map.of(
            5010, COMMON_5,
            5012, concat(COMMON_5, TIMERS),
            6000, UNITS_6,
            6006, concat(UNITS_6, List.of("opennebula-gate-proxy")),
            6010, UNITS_6,
            7000, UNITS_7_0,
            7002, concat(UNITS_7_0, List.of("opennebula-form")),
            7004, concat(UNITS_7_0, List.of("opennebula-form", "opennebula-ks"))));

    private ReleaseUnits() {
    }

    /** The units of {@code version}'s series; releases older than 5.10 get 5.10's list (no unit list before). */
    static List<String> of(OneVersion version) {
        int key = version.major() * 1000 + version.minor();
        Map.Entry<Integer, List<String>> e = BY_SERIES.floorEntry(key);
        return e == null ? BY_SERIES.firstEntry().getValue() : e.getValue();
    }

    private static List<String> without(List<String> units, String... drop) {
        List<String> d = List.of(drop);
        return units.stream().filter(u -> !d.contains(u)).toList();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
