package io.onefed.upgrade.status;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.SecretRef;
import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.XmlRpcProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.opennebula.FakeOned;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The guide's three zones (0 M-EU-FR master, 100 S-EU-GE, 101 S-US-CA), each a {@link FakeOned} on loopback. */
final class FakeFederation implements AutoCloseable {

    static final String SESSION_ENV = "ONE_AUTH_STATUS_TEST";

    final Map<Integer, FakeOned> zones = new LinkedHashMap<>();
    final Map<Integer, String> names = new LinkedHashMap<>();
    final Map<Integer, Integer> states = new LinkedHashMap<>();

    FakeFederation() {
        names.put(0, "M-EU-FR");
        names.put(100, "S-EU-GE");
        names.put(101, "S-US-CA");
        for (int id : names.keySet()) {
            zones.put(id, new FakeOned());
            states.put(id, 0);
        }
        for (int id : names.keySet()) {
            version(id, "6.10.0");
            raft(id, 3, "1042");
        }
        publishPool();
    }

    FakeOned zone(int id) {
        return zones.get(id);
    }

    FakeFederation raft(int id, int state, String fedIndex) {
        zones.get(id).success("one.zone.raftstatus", FakeOned.raftXml(0, state, fedIndex));
        return this;
    }

    FakeFederation version(int id, String version) {
        zones.get(id).success("one.system.version", version);
        return this;
    }

    FakeFederation disable(int id) {
        states.put(id, 1);
        publishPool();
        return this;
    }

    /** The master's zone pool, as Zone::to_xml writes it. */
    void publishPool() {
        StringBuilder xml = new StringBuilder("<ZONE_POOL>");
        for (int id : names.keySet()) {
            xml.append("<ZONE><ID>").append(id).append("</ID><NAME>").append(names.get(id)).append("</NAME><STATE>")
                    .append(states.get(id)).append("</STATE><TEMPLATE><ENDPOINT><![CDATA[")
                    .append(zones.get(id).endpoint()).append("]]></ENDPOINT></TEMPLATE><SERVER_POOL></SERVER_POOL></ZONE>");
        }
        xml.append("</ZONE_POOL>");
        zones.get(0).success("one.zonepool.info", xml.toString());
    }

    FederationProperties properties() {
        List<ZoneProperties> configured = new ArrayList<>();
        for (int id : names.keySet()) {
            String host = "fe-" + id + ".example";
            configured.add(new ZoneProperties(id, names.get(id), id == 0 ? "master" : "slave", zones.get(id).endpoint(),
                    false, "debian", null, null, null, null, List.of(new ServerProperties("fe-" + id, host, 22, "root"))));
        }
        return new FederationProperties("guide", new SecretRef(SESSION_ENV, null), null,
                new XmlRpcProperties(Duration.ofSeconds(2), Duration.ofSeconds(2)), configured);
    }

    @Override
    public void close() {
        zones.values().forEach(FakeOned::close);
    }
}
