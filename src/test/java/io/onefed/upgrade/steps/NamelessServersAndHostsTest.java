package io.onefed.upgrade.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.NodeProperties;
import io.onefed.upgrade.federation.SecretRef;
import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.opennebula.DefaultOneClients;
import io.onefed.upgrade.opennebula.FakeOned;
import io.onefed.upgrade.opennebula.OneClientProperties;
import io.onefed.upgrade.ssh.CommandResult;
import io.onefed.upgrade.ssh.RemoteCommand;
import io.onefed.upgrade.ssh.RemoteShell;
import io.onefed.upgrade.ssh.SshTarget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * OpenNebula answers naming a server or host without NAME. Before, an empty NAME went through as "" (into run keys,
 * the leader match, the plan and the report) and a missing one failed as a bare "SERVER/NAME is missing" that named
 * no zone. Now the preflight's check fails naming the zone, the server and the fix, and the host list is refused
 * before the plan, naming the zone and the host.
 */
class NamelessServersAndHostsTest {

    private static final String SESSION_ENV = "TEST_ONE_SESSION";
    private static final RemoteShell NO_SSH = new RemoteShell() {
        @Override
        public CommandResult run(SshTarget target, RemoteCommand command) {
            return new CommandResult(255, "", "no SSH in this test", false, "", java.time.Duration.ZERO);
        }

        @Override
        public ProbeResult probe(SshTarget target) {
            return new ProbeResult(false, null, "no SSH in this test");
        }
    };

    private final FakeOned fe0 = new FakeOned();
    private final FakeOned fe1 = new FakeOned();

    @AfterEach
    void stop() {
        fe0.close();
        fe1.close();
    }

    private FederationProperties federation(NodeProperties nodes) {
        List<ServerProperties> servers = List.of(new ServerProperties("fe0", "127.0.0.1", 2201, "root", fe0.endpoint()),
                new ServerProperties("fe1", "127.0.0.1", 2202, "root", fe1.endpoint()));
        ZoneProperties zone = new ZoneProperties(0, "HA", "master", fe0.endpoint(), true, "debian", null, null, null,
                null, servers, nodes);
        return new FederationProperties("test", new SecretRef(SESSION_ENV, null), null, null, List.of(zone));
    }

    private DefaultOneClients clients(FederationProperties f) {
        return new DefaultOneClients(f, new SecretResolver(Map.of(SESSION_ENV, "oneadmin:pw")), OneClientProperties.defaults());
    }

    private void answers(String secondServerName) {
        String zone = "<ZONE><ID>0</ID><NAME>HA</NAME><STATE>0</STATE><TEMPLATE><ENDPOINT><![CDATA[" + fe0.endpoint()
                + "]]></ENDPOINT></TEMPLATE><SERVER_POOL>"
                + "<SERVER><ENDPOINT><![CDATA[" + fe0.endpoint() + "]]></ENDPOINT><ID>0</ID><NAME>fe0</NAME></SERVER>"
                + "<SERVER><ENDPOINT><![CDATA[" + fe1.endpoint() + "]]></ENDPOINT><ID>1</ID>" + secondServerName
                + "</SERVER></SERVER_POOL></ZONE>";
        for (FakeOned o : List.of(fe0, fe1)) {
            o.success("one.system.version", "6.10.0").success("one.zone.info", zone)
                    .success("one.zonepool.info", "<ZONE_POOL>" + zone + "</ZONE_POOL>");
        }
        fe0.success("one.zone.raftstatus", FakeOned.raftXml(0, 2, "7"));
        fe1.success("one.zone.raftstatus", FakeOned.raftXml(1, 3, "7"));
    }

    @Test
    void aServerPoolMemberWithoutNameBlocksThePreflightNamingTheZoneAndTheFix() {
        answers("<NAME></NAME>");
        FederationProperties f = federation(null);

        PreflightService.Result result = new PreflightService(f, clients(f), NO_SSH, 1024).run("7.0.0", 0);

        assertThat(result.verdict()).isEqualTo(PreflightService.Verdict.BLOCKED);
        assertThat(result.checks()).filteredOn(c -> c.name().equals("XML-RPC reachable")).singleElement().satisfies(c -> {
            assertThat(c.passed()).isFalse();
            assertThat(c.detail()).contains("ZONE 0 (HA) SERVER_POOL/SERVER 1 has an empty NAME")
                    .contains("onezone show 0").contains("onezone server-add 0 --name");
        });
        assertThat(result.zoneLeaders()).doesNotContain("null");
    }

    @Test
    void theLeaderIsTheConfiguredServerAtTheLeadersEndpointWhateverServerPoolCallsIt() {
        answers("<NAME>one-fe1.example.org</NAME>"); // fe1 leads; OpenNebula knows it by another name
        FederationProperties f = federation(null);

        ZoneReading reading = new FederationProbe(clients(f)).read(f.zones().get(0));

        assertThat(reading.leader()).isEqualTo("fe1");
    }

    @Test
    void aHostWithoutNameIsRefusedBeforeThePlanNamingTheZoneAndTheHost() {
        fe0.success("one.hostpool.info", "<HOST_POOL><HOST><ID>3</ID><NAME>kvm3</NAME><STATE>2</STATE></HOST>"
                + "<HOST><ID>17</ID><NAME></NAME><STATE>2</STATE></HOST></HOST_POOL>");
        FederationProperties f = federation(new NodeProperties(null, null, null, null, null, null, null, null, null));

        assertThatThrownBy(() -> new NodeHosts(f, clients(f)).read())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("zone 0 (HA): the host pool cannot be read")
                .hasMessageContaining("HOST 17 has an empty NAME").hasMessageContaining("onehost list");
    }
}
