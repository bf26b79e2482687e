package io.onefed.upgrade.upgrade;

import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.opennebula.OneClients;
import io.onefed.upgrade.opennebula.OneZone;
import io.onefed.upgrade.opennebula.RaftStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Step 8: every zone answers on the target version, HA servers agree on a leader, FED_INDEX is equal again. */
public class PostChecks {

    public record Result(boolean passed, List<Check> checks, List<ZoneReading> zones) {

        public String summary() {
            StringBuilder s = new StringBuilder();
            checks.forEach(c -> s.append(c.line()).append('\n'));
            return s.toString();
        }
    }

    private final Zones zones;
    private final OneClients clients;
    private final FederationProbe probe;

    public PostChecks(Zones zones, OneClients clients) {
        this.zones = zones;
        this.clients = clients;
        this.probe = new FederationProbe(clients);
    }

    /** @param skipped zones the operator chose to leave behind (failed slaves): reported, not checked */
    public Result run(String targetVersion, Set<Integer> skipped) {
        OneVersion target = OneVersion.parse(targetVersion);
        List<ZoneProperties> checked = zones.all().stream().filter(z -> !skipped.contains(z.id())).toList();
        List<ZoneReading> readings = probe.readAll(checked);
        List<Check> checks = new ArrayList<>();
        for (ZoneProperties zone : zones.all()) {
            if (skipped.contains(zone.id())) {
                checks.add(Check.fail(zone.name(), "upgraded", "left out by an operator's decision"));
            }
        }
        for (ZoneReading r : readings) {
            if (!r.reachable()) {
                checks.add(Check.fail(r.name(), "answers on the target version", r.error()));
            } else if (!OneVersion.parse(r.version()).equals(target)) {
                checks.add(Check.fail(r.name(), "answers on the target version", r.version()));
            } else {
                checks.add(Check.pass(r.name(), "answers on the target version", r.version()));
            }
            ZoneProperties zone = zones.byId(r.id());
            if (zone.ha() && r.reachable()) {
                checks.add(haInSync(zone));
            }
        }
        List<String> indexes = readings.stream().filter(ZoneReading::reachable).map(ZoneReading::fedIndex).distinct().toList();
        checks.add(indexes.size() == 1 ? Check.pass("federation", "FED_INDEX in sync", indexes.get(0))
                : Check.fail("federation", "FED_INDEX in sync", readings.stream()
                        .map(r -> r.name() + "=" + r.fedIndex()).toList().toString()));
        boolean passed = skipped.isEmpty() && checks.stream().allMatch(Check::passed);
        return new Result(passed, checks, readings);
    }

    private Check haInSync(ZoneProperties zone) {
        try {
            OneZone info = clients.forZone(zone).zoneInfo(zone.id());
            List<String> states = new ArrayList<>();
            int leaders = 0;
            for (OneZone.Server server : info.servers()) {
                RaftStatus s = clients.forEndpoint(server.endpoint()).raftStatus();
                states.add(server.name() + " " + s.state() + " commit " + s.commit());
                leaders += s.state() == RaftStatus.State.LEADER ? 1 : 0;
            }
            return leaders == 1 ? Check.pass(zone.name(), "HA servers in sync", String.join(", ", states))
                    : Check.fail(zone.name(), "HA servers in sync", leaders + " leaders: " + String.join(", ", states));
        } catch (RuntimeException e) {
            return Check.fail(zone.name(), "HA servers in sync", e.getMessage());
        }
    }
}
