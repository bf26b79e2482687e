package io.onefed.upgrade.simulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The simulator's model of which systemd units each OpenNebula release installs, read off
 * {@code share/pkgs/services/systemd/} of {@code OpenNebula/one} on the branches {@code one-5.10} ...
 * {@code one-7.2} and the tag {@code release-7.4.0}. Kept apart from the orchestrator's own list
 * ({@code upgrade.ReleaseUnits}) on purpose: the simulator is the stand-in for reality, and a wrong list in the
 * orchestrator must show up as a unit the simulated host still runs, or a unit it does not have.
 * The simulated {@code systemctl} knows only the units of the installed release (plus the front-end's extra
 * units); an upgrade removes the units the new release no longer ships, as the package removal does.
 */
final class SimUnits {

    /** Oneshot services behind the timers: installed, inactive unless a run is under way. */
    static final List<String> ONESHOTS = List.of("opennebula-showback", "opennebula-ssh-socks-cleaner");

    /** Series to the units of that series, oldest first; the shell picks the newest series not above a version. */
    static final Map<String, List<String>> BY_SERIES = new LinkedHashMap<>();

    static {
        List<String> v510 = List.of("opennebula", "opennebula-scheduler", "opennebula-hem", "opennebula-flow",
                "opennebula-gate", "opennebula-econe", "opennebula-sunstone", "opennebula-novnc");
        List<String> timers = List.of("opennebula-ssh-agent", "opennebula-showback.timer", "opennebula-showback",
                "opennebula-ssh-socks-cleaner.timer", "opennebula-ssh-socks-cleaner");
        List<String> v60 = List.of("opennebula", "opennebula-scheduler", "opennebula-hem", "opennebula-flow",
                "opennebula-gate", "opennebula-fireedge", "opennebula-guacd", "opennebula-sunstone", "opennebula-novnc",
                "opennebula-ssh-agent", "opennebula-showback.timer", "opennebula-showback",
                "opennebula-ssh-socks-cleaner.timer", "opennebula-ssh-socks-cleaner");
        List<String> v70 = v60.stream().filter(u -> !List.of("opennebula-scheduler", "opennebula-sunstone",
                "opennebula-novnc").contains(u)).toList();
        BY_SERIES.put("5.10", v510);
        BY_SERIES.put("5.12", concat(v510, timers));
        BY_SERIES.put("6.0", v60);
        BY_SERIES.put("6.6", concat(v60, List.of("opennebula-gate-proxy")));
        BY_SERIES.put("6.10", v60);
        BY_SERIES.put("7.0", v70);
        BY_SERIES.put("7.2", concat(v70, List.of("opennebula-form")));
        BY_SERIES.put("7.4", concat(v70, List.of("opennebula-form", "opennebula-ks")));
    }

    private SimUnits() {
    }

    /** The units of the release {@code version} (e.g. 6.8.2 has 6.6's list, 4.x gets 5.10's). */
    static List<String> of(String version) {
        String[] p = version.split("\\.");
        int key = Integer.parseInt(p[0]) * 1000 + Integer.parseInt(p[1]);
        List<String> found = BY_SERIES.values().iterator().next();
        for (Map.Entry<String, List<String>> e : BY_SERIES.entrySet()) {
            String[] s = e.getKey().split("\\.");
            if (Integer.parseInt(s[0]) * 1000 + Integer.parseInt(s[1]) <= key) {
                found = e.getValue();
            }
        }
        return found;
    }

    /** The table as the shell reads it ({@code sim/release-units}): one line per series, {@code <series> <units...>}. */
    static String table() {
        return BY_SERIES.entrySet().stream().map(e -> e.getKey() + " " + String.join(" ", e.getValue()))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }
}
