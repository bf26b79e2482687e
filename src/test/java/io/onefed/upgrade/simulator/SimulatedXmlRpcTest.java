package io.onefed.upgrade.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/** oned's XML-RPC answers of the simulation, read with a plain XML parser and checked against OpenNebula's formats. */
class SimulatedXmlRpcTest {

    @TempDir
    static Path tmp;

    static SimulatedFederation sim;
    static String session;

    @BeforeAll
    static void start() {
        SimulationSpec guide = SimulatedFederation.guideSpec();
        sim = SimulatedFederation.start(guide.withZones(List.of(
                SimulationSpec.ZoneSpec.single(200, "HA-ZONE", false, "6.10.0", "7.0.0").withServers(3))), tmp);
        session = SimClient.str(sim.oneadminSession());
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    /** The values of the response array, as elements (boolean, string, i4, i8). */
    static List<Element> array(String response) throws Exception {
        Document d = SimClient.xml(response);
        assertThat(d.getDocumentElement().getTagName()).isEqualTo("methodResponse");
        Element data = (Element) d.getElementsByTagName("data").item(0);
        List<Element> out = new ArrayList<>();
        for (Node n = data.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element v && v.getTagName().equals("value")) {
                out.add(firstElement(v));
            }
        }
        return out;
    }

    static Element firstElement(Element e) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                return c;
            }
        }
        throw new AssertionError("no child element in " + e.getTagName());
    }

    static List<String> childNames(Element e) {
        List<String> names = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                names.add(c.getTagName());
            }
        }
        return names;
    }

    static Element body(String response) throws Exception {
        List<Element> a = array(response);
        assertThat(a.get(0).getTagName()).isEqualTo("boolean");
        assertThat(a.get(0).getTextContent()).as(response).isEqualTo("1");
        assertThat(a.get(2).getTagName()).isEqualTo("i4");
        assertThat(a.get(2).getTextContent()).isEqualTo("0");
        return SimClient.xml(a.get(1).getTextContent()).getDocumentElement();
    }

    static void assertOk(String response) throws Exception {
        assertThat(array(response).get(0).getTextContent()).as(response).isEqualTo("1");
    }

    static void assertFailure(String response, String message, int code, int id) throws Exception {
        List<Element> a = array(response);
        assertThat(a).extracting(Element::getTagName).containsExactly("boolean", "string", "i4", "i4", "i8");
        assertThat(a.get(0).getTextContent()).isEqualTo("0");
        assertThat(a.get(1).getTextContent()).isEqualTo(message);
        assertThat(Integer.parseInt(a.get(2).getTextContent())).isEqualTo(code);
        assertThat(Integer.parseInt(a.get(3).getTextContent())).isEqualTo(id);
    }

    @Test
    void systemVersion() throws Exception {
        List<Element> a = array(SimClient.rpc(sim.endpoint(0), "one.system.version", session));
        assertThat(a).extracting(Element::getTagName).containsExactly("boolean", "string", "i4");
        // a CE maintenance release: code_version() has four parts (include/NebulaService.h, one-6.10)
        assertThat(a.get(1).getTextContent()).isEqualTo("6.10.0.1");
    }

    @Test
    void zonePoolInOpenNebulasFormat() throws Exception {
        String raw = SimClient.rpc(sim.endpoint(100), "one.zonepool.info", session);
        assertThat(raw).contains("&lt;ENDPOINT&gt;&lt;![CDATA[" + sim.endpoint(0) + "]]&gt;");
        Element pool = body(raw);
        assertThat(pool.getTagName()).isEqualTo("ZONE_POOL");
        List<Element> zones = new ArrayList<>();
        for (Node n = pool.getFirstChild(); n != null; n = n.getNextSibling()) {
            zones.add((Element) n);
        }
        assertThat(zones).hasSize(4);
        Element master = zones.get(0);
        assertThat(childNames(master)).containsExactly("ID", "NAME", "STATE", "TEMPLATE", "SERVER_POOL");
        assertThat(master.getElementsByTagName("NAME").item(0).getTextContent()).isEqualTo("M-EU-FR");
        assertThat(master.getElementsByTagName("STATE").item(0).getTextContent()).isEqualTo("0");
        assertThat(master.getElementsByTagName("ENDPOINT").item(0).getTextContent()).isEqualTo(sim.endpoint(0));
        Element ha = zones.get(3);
        Element server = (Element) ha.getElementsByTagName("SERVER").item(1);
        assertThat(childNames(server)).containsExactly("ENDPOINT", "ID", "NAME");
        assertThat(server.getElementsByTagName("ID").item(0).getTextContent()).isEqualTo("1");
        assertThat(server.getElementsByTagName("ENDPOINT").item(0).getTextContent())
                .isEqualTo(sim.endpoint(200, sim.serverNames(200).get(1)));
    }

    @Test
    void raftStatusOfSoloLeaderAndFollower() throws Exception {
        Element solo = body(SimClient.rpc(sim.endpoint(101), "one.zone.raftstatus", session));
        assertThat(childNames(solo)).containsExactly("SERVER_ID", "STATE", "TERM", "VOTEDFOR", "COMMIT", "LOG_INDEX",
                "LOG_TERM", "FEDLOG_INDEX");
        assertThat(text(solo, "STATE")).isEqualTo("0");
        assertThat(text(solo, "SERVER_ID")).isEqualTo("-1");
        assertThat(text(solo, "LOG_INDEX")).isEqualTo("-1");
        assertThat(Long.parseUnsignedLong(text(solo, "FEDLOG_INDEX"))).isEqualTo(sim.fedIndex());
        assertThat(text(body(SimClient.rpc(sim.endpoint(200), "one.zone.raftstatus", session)), "STATE")).isEqualTo("3");
        Element follower = body(SimClient.rpc(sim.endpoint(200, sim.serverNames(200).get(2)), "one.zone.raftstatus", session));
        assertThat(text(follower, "STATE")).isEqualTo("2");
        assertThat(text(follower, "SERVER_ID")).isEqualTo("2");
    }

    @Test
    void errorsCarryMethodCodeIdAndI8Index() throws Exception {
        assertFailure(SimClient.rpc(sim.endpoint(0), "one.zone.info", session, "<i4>7</i4>"),
                "[one.zone.info] Error getting zone [7].", 0x400, 7);
        assertFailure(SimClient.rpc(sim.endpoint(0), "one.zonepool.info", SimClient.str("oneadmin:wrong")),
                "[one.zonepool.info] User couldn't be authenticated, aborting call.", 0x100, -1);
        assertFailure(SimClient.rpc(sim.endpoint(0), "one.host.status", session, "<i4>99</i4>", "<i4>1</i4>"),
                "[one.host.status] Error getting host [99].", 0x400, 99);
        String other = SimClient.rpc(sim.endpoint(0), "one.zone.enable", session, "<i4>100</i4>", "<boolean>0</boolean>");
        assertThat(array(other).get(1).getTextContent()).startsWith("[one.zone.enable] ");
        assertThat(array(other).get(2).getTextContent()).isEqualTo(Integer.toString(0x800));
    }

    @Test
    void unknownMethodsBadParametersAndDoctypesAreFaults() throws Exception {
        Document unknown = SimClient.xml(SimClient.rpc(sim.endpoint(0), "one.nothing.info", session));
        assertThat(unknown.getElementsByTagName("fault").getLength()).isEqualTo(1);
        assertThat(unknown.getElementsByTagName("i4").item(0).getTextContent()).isEqualTo("-506");
        assertThat(unknown.getElementsByTagName("string").item(0).getTextContent()).isEqualTo("Method 'one.nothing.info' not defined");
        Document badType = SimClient.xml(SimClient.rpc(sim.endpoint(0), "one.zone.info", session, SimClient.str("0")));
        assertThat(badType.getElementsByTagName("fault").getLength()).isEqualTo(1);
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<methodCall><methodName>one.system.version</methodName><params><param><value><string>&e;</string>"
                + "</value></param></params></methodCall>";
        var http = java.net.http.HttpClient.newHttpClient();
        String r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(sim.endpoint(0)))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(xxe)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(r).contains("<fault>").doesNotContain("root:");
    }

    @Test
    void hostsAndVms() throws Exception {
        Element hosts = body(SimClient.rpc(sim.endpoint(101), "one.hostpool.info", session));
        assertThat(hosts.getTagName()).isEqualTo("HOST_POOL");
        Element h = (Element) hosts.getElementsByTagName("HOST").item(0);
        assertThat(childNames(h)).startsWith("ID", "NAME", "STATE");
        assertThat(text(h, "STATE")).isEqualTo("2");
        assertOk(SimClient.rpc(sim.endpoint(101), "one.host.status", session, "<i4>0</i4>", "<i4>1</i4>"));
        Element after = body(SimClient.rpc(sim.endpoint(101), "one.hostpool.info", session));
        assertThat(text((Element) after.getElementsByTagName("HOST").item(0), "STATE")).isEqualTo("4");
        Element vms = body(SimClient.rpc(sim.endpoint(101), "one.vmpool.info", session, "<i4>-2</i4>", "<i4>-1</i4>",
                "<i4>-1</i4>", "<i4>-1</i4>"));
        Element vm = (Element) vms.getElementsByTagName("VM").item(0);
        assertThat(text(vm, "STATE")).isEqualTo("3");
        assertThat(text(vm, "LCM_STATE")).isEqualTo("3");
    }

    @Test
    void disablingAZoneThroughItsOwnEndpointAndWhatADisabledZoneRefuses() throws Exception {
        long before = sim.fedIndex();
        assertOk(SimClient.rpc(sim.endpoint(100), "one.zone.enable", session, "<i4>100</i4>", "<boolean>0</boolean>"));
        try {
            assertThat(sim.zoneDisabled(100)).isTrue();
            assertThat(sim.fedIndex()).isEqualTo(before + 1);
            Element zone = body(SimClient.rpc(sim.endpoint(0), "one.zone.info", session, "<i4>100</i4>"));
            assertThat(text(zone, "STATE")).isEqualTo("1");
            assertFailure(SimClient.rpc(sim.endpoint(100), "one.host.status", session, "<i4>0</i4>", "<i4>1</i4>"),
                    "[one.host.status] Cannot process request, zone disabled", 0x2000, -1);
            // info calls are still served
            body(SimClient.rpc(sim.endpoint(100), "one.hostpool.info", session));
        } finally {
            assertOk(SimClient.rpc(sim.endpoint(100), "one.zone.enable", session, "<i4>100</i4>", "<boolean>1</boolean>"));
        }
        assertThat(sim.zoneDisabled(100)).isFalse();
    }

    @Test
    void aSlaveNeedsItsMasterToChangeItsState() throws Exception {
        SimClient ssh = new SimClient(sim);
        assertThat(ssh.exec(0, "systemctl stop opennebula").exit()).isZero();
        try {
            assertThatThrownBy(() -> SimClient.rpc(sim.endpoint(0), "one.system.version", session))
                    .isInstanceOf(ConnectException.class);
            String r = SimClient.rpc(sim.endpoint(101), "one.zone.enable", session, "<i4>101</i4>", "<boolean>0</boolean>");
            assertThat(array(r).get(1).getTextContent()).startsWith("[one.zone.enable] Cannot update zone at federation master: ");
            assertThat(array(r).get(2).getTextContent()).isEqualTo(Integer.toString(0x800));
            assertThat(sim.zoneDisabled(101)).isFalse();
        } finally {
            assertThat(ssh.exec(0, "systemctl start opennebula").exit()).isZero();
        }
        assertThat(ssh.exec(101, "onezone disable 101").exit()).isZero();
        try {
            assertThat(sim.zoneDisabled(101)).isTrue();
            SimClient.Result refused = ssh.exec(101, "onehost disable 0");
            assertThat(refused.exit()).isEqualTo(255);
            assertThat(refused.err()).isEqualTo("[one.host.status] Cannot process request, zone disabled\n");
        } finally {
            assertThat(ssh.exec(101, "onezone enable 101").exit()).isZero();
        }
        assertThat(sim.zoneDisabled(101)).isFalse();
    }

    private static String text(Element e, String tag) {
        return e.getElementsByTagName(tag).item(0).getTextContent();
    }
}
