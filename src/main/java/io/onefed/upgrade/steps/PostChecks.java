package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.opennebula.OneClients;
import io.onefed.upgrade.opennebula.OneZone;
import io.onefed.upgrade.opennebula.RaftStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Step 8: every zone answers on the target version, HA servers are in sync with their leader, FED_INDEX is equal again. */
public class PostChecks {

    public record Result(boolean passed, List<Check> checks, List<ZoneReading> zones) {

        public String summary() {
            StringBuilder s = new StringBuilder();
            checks.forEach(c -> s.append(c.line()).append('\n'));
            return s.toString();
        }
    }

    private final FederationProperties federation;
    private final OneClients clients;
    private final FederationProbe probe;

    public PostChecks(FederationProperties federation, OneClients clients) {
        this.federation = federation;
        this.clients = clients;
        this.probe = new FederationProbe(clients);
    }

    /** @param skipped zones the operator chose to leave behind (failed slaves): reported, not checked */
    public Result run(String targetVersion, Set<Integer> skipped) {
        OneVersion target = OneVersion.parse(targetVersion);
        List<ZoneProperties> checked = federation.all().stream().filter(z -> !skipped.contains(z.id())).toList();
        List<ZoneReading> readings = probe.readAll(checked);
        List<Check> checks = new ArrayList<>();
        for (ZoneProperties zone : federation.all()) {
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
            ZoneProperties zone = federation.byId(r.id());
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

    /**
     * The HA guide's "all the followers active and in sync with the leader" ({@code onezone show}): exactly one
     * leader; every server answers with the SERVER_ID the zone's server pool gives it (oned reports its
     * oned.conf FEDERATION/SERVER_ID, RaftManager::to_xml in OpenNebula/one src/raft/RaftManager.cc: a follower
     * that kept the leader's id after a configuration copy shows here); every other server is a follower whose
     * LOG_INDEX reached the leader's. A follower read before the leader is read again, so an index the leader
     * appended meanwhile does not count as lag.
     */
    Check haInSync(ZoneProperties zone) {
        String what = "HA servers in sync";
        try {
            OneZone info = clients.forZone(zone).zoneInfo(zone.id());
            List<OneZone.Server> servers = info.servers();
            List<String> unknown = FederationProbe.unknownServers(zone, info);
            if (!unknown.isEmpty()) {
                // none of the zone's servers is asked: the configuration does not describe this zone
                return Check.fail(zone.name(), what, String.join("; ", unknown));
            }
            List<RaftStatus> status = new ArrayList<>();
            for (OneZone.Server server : servers) {
                status.add(clients.forEndpoint(server.endpoint()).raftStatus());
            }
            List<String> states = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            int leader = -1;
            int leaders = 0;
            for (int i = 0; i < servers.size(); i++) {
                RaftStatus s = status.get(i);
                OneZone.Server server = servers.get(i);
                if (s.state() == RaftStatus.State.LEADER) {
                    leaders++;
                    leader = i;
                }
                if (s.serverId() != server.id()) {
                    problems.add(server.name() + " answers as SERVER_ID " + s.serverId() + " but the zone lists it as "
                            + server.id() + " (oned.conf FEDERATION/SERVER_ID)");
                }
            }
            if (leaders != 1) {
                problems.add(0, leaders + " leaders");
            } else {
                long leaderIndex = status.get(leader).logIndex();
                for (int i = 0; i < servers.size(); i++) {
                    if (i == leader) {
                        continue;
                    }
                    RaftStatus s = status.get(i);
                    if (i < leader && Long.compareUnsigned(s.logIndex(), leaderIndex) < 0) {
                        s = clients.forEndpoint(servers.get(i).endpoint()).raftStatus();
                        status.set(i, s);
                    }
                    if (s.state() != RaftStatus.State.FOLLOWER) {
                        problems.add(servers.get(i).name() + " is " + s.state() + ", not a follower");
                    } else if (Long.compareUnsigned(s.logIndex(), leaderIndex) < 0) {
                        problems.add(servers.get(i).name() + " LOG_INDEX " + Long.toUnsignedString(s.logIndex())
                                + " is behind the leader's " + Long.toUnsignedString(leaderIndex));
                    }
                }
            }
            for (int i = 0; i < servers.size(); i++) {
                RaftStatus s = status.get(i);
                states.add(servers.get(i).name() + " " + s.state() + " log " + Long.toUnsignedString(s.logIndex())
                        + " commit " + Long.toUnsignedString(s.commit()));
            }
            return problems.isEmpty() ? Check.pass(zone.name(), what, String.join(", ", states))
                    : Check.fail(zone.name(), what, String.join("; ", problems) + ": " + String.join(", ", states));
        } catch (RuntimeException e) {
            return Check.fail(zone.name(), what, e.getMessage());
        }
    }
}
