package io.onefed.upgrade.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.SecretRef;
import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.opennebula.DefaultOneClients;
import io.onefed.upgrade.opennebula.FakeOned;
import io.onefed.upgrade.opennebula.OneClientProperties;
import io.onefed.upgrade.opennebula.UnconfiguredEndpointException;
import io.onefed.upgrade.ssh.CommandResult;
import io.onefed.upgrade.ssh.RemoteCommand;
import io.onefed.upgrade.ssh.RemoteShell;
import io.onefed.upgrade.ssh.SshTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * oneadmin's session goes only to endpoints the configuration names. An HA zone's SERVER_POOL (which anyone who can
 * change the zone, or sits on its plain-HTTP path, controls) names a foreign listener: the preflight, the post-check
 * and the client factory never connect to it and say why. The old FederationProbe.leader and PostChecks.haInSync
 * called clients.forEndpoint(server.endpoint()) for every SERVER_POOL member, so the listener got the session.
 */
class CredentialsOnlyToConfiguredEndpointsTest {

    private static final String SESSION_ENV = "TEST_ONE_SESSION";

    /** Counts every TCP connection and closes it: a server that would collect the session. */
    static final class CountingListener implements AutoCloseable {
        final AtomicInteger connections = new AtomicInteger();
        private final ServerSocket socket;

        CountingListener() {
            try {
                socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "counting-listener");
            t.setDaemon(true);
            t.start();
        }

        String endpoint() {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/RPC2";
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private final FakeOned fe0 = new FakeOned();
    private final FakeOned fe1 = new FakeOned();
    private final FakeOned fe2 = new FakeOned();
    private final CountingListener foreign = new CountingListener();

    @AfterEach
    void stop() throws IOException {
        fe0.close();
        fe1.close();
        fe2.close();
        foreign.close();
    }

    /** Zone 0, HA with fe0..fe2, each server's own endpoint configured; the zone endpoint is fe0's. */
    private FederationProperties federation() {
        List<ServerProperties> servers = List.of(
                new ServerProperties("fe0", "127.0.0.1", 2201, "root", fe0.endpoint()),
                new ServerProperties("fe1", "127.0.0.1", 2202, "root", fe1.endpoint()),
                new ServerProperties("fe2", "127.0.0.1", 2203, "root", fe2.endpoint()));
        ZoneProperties zone = new ZoneProperties(0, "HA", "master", fe0.endpoint(), true, "debian", null, null, null,
                null, servers);
        return new FederationProperties("test", new SecretRef(SESSION_ENV, null), null, null, List.of(zone));
    }

    private DefaultOneClients clients(FederationProperties f) {
        return new DefaultOneClients(f, new SecretResolver(Map.of(SESSION_ENV, "oneadmin:pw")),
                OneClientProperties.defaults());
    }

    /** fe0 leads; the pool lists "fe2" at {@code thirdEndpoint} (the foreign listener, or fe2's own), fe0 and fe1. */
    private void answers(String thirdEndpoint) {
        String zone = "<ZONE><ID>0</ID><NAME>HA</NAME><STATE>0</STATE><TEMPLATE><ENDPOINT><![CDATA[" + fe0.endpoint()
                + "]]></ENDPOINT></TEMPLATE><SERVER_POOL>"
                // listed first: the old leader search stopped at the first LEADER, so it must come before fe0
                + server(2, "fe2", thirdEndpoint) + server(0, "fe0", fe0.endpoint()) + server(1, "fe1", fe1.endpoint())
                + "</SERVER_POOL></ZONE>";
        for (FakeOned o : List.of(fe0, fe1, fe2)) {
            o.success("one.system.version", "6.10.0").success("one.zone.info", zone)
                    .success("one.zonepool.info", "<ZONE_POOL>" + zone + "</ZONE_POOL>");
        }
        fe0.success("one.zone.raftstatus", FakeOned.raftXml(0, 3, "7"));
        fe1.success("one.zone.raftstatus", FakeOned.raftXml(1, 2, "7"));
        fe2.success("one.zone.raftstatus", FakeOned.raftXml(2, 2, "7"));
    }

    private static String server(int id, String name, String endpoint) {
        return "<SERVER><ENDPOINT><![CDATA[" + endpoint + "]]></ENDPOINT><ID>" + id + "</ID><NAME>" + name
                + "</NAME></SERVER>";
    }

    @Test
    void preflightNeverCallsAServerPoolEndpointThatIsNotConfigured() {
        answers(foreign.endpoint());
        FederationProperties f = federation();

        PreflightService.Result result = new PreflightService(f, clients(f), NO_SSH, 1024).run("7.0.0", 0);

        assertThat(foreign.connections).as("connections to the foreign endpoint").hasValue(0);
        assertThat(result.verdict()).isEqualTo(PreflightService.Verdict.BLOCKED);
        assertThat(result.checks()).filteredOn(c -> c.name().equals("Raft leader")).singleElement().satisfies(c -> {
            assertThat(c.passed()).isFalse();
            assertThat(c.detail()).contains("server 'fe2' at " + foreign.endpoint())
                    .contains("not in the configuration").contains("federation.zones[id=0].servers");
        });
    }

    @Test
    void postCheckNeverCallsAServerPoolEndpointThatIsNotConfigured() {
        answers(foreign.endpoint());
        FederationProperties f = federation();

        PostChecks.Result result = new PostChecks(f, clients(f)).run("6.10.0", Set.of());

        assertThat(foreign.connections).hasValue(0);
        assertThat(result.passed()).isFalse();
        assertThat(result.checks()).filteredOn(c -> c.name().equals("HA servers in sync")).singleElement()
                .satisfies(c -> assertThat(c.detail()).contains(foreign.endpoint()).contains("onezone server-del"));
    }

    @Test
    void configuredServerPoolStillFindsTheLeaderAndPasses() {
        answers(fe2.endpoint());
        FederationProperties f = federation();

        PostChecks.Result result = new PostChecks(f, clients(f)).run("6.10.0", Set.of());

        assertThat(result.checks()).filteredOn(c -> c.name().equals("HA servers in sync")).singleElement()
                .satisfies(c -> assertThat(c.passed()).as(c.detail()).isTrue());
        assertThat(new FederationProbe(clients(f)).read(f.zones().get(0)).leader()).isEqualTo("fe0");
        assertThat(fe2.methodsCalled()).contains("one.zone.raftstatus");
    }

    @Test
    void clientFactoryRefusesAnUnconfiguredEndpoint() {
        DefaultOneClients clients = clients(federation());

        assertThatThrownBy(() -> clients.forEndpoint(foreign.endpoint()).systemVersion())
                .isInstanceOf(UnconfiguredEndpointException.class)
                .hasMessageContaining(foreign.endpoint()).hasMessageContaining("servers[].endpoint");
        assertThat(foreign.connections).hasValue(0);
    }

    @Test
    void serverEndpointDefaultsToTheZoneEndpointAtTheServersHost() {
        ServerProperties s = new ServerProperties("fe1", "10.0.0.11", 22, "root");
        assertThat(s.xmlRpcEndpoint("http://10.0.0.10:2633/RPC2")).isEqualTo("http://10.0.0.11:2633/RPC2");
        assertThat(new ServerProperties("v6", "fd00::11", 22, "root").xmlRpcEndpoint("https://vip:2634/RPC2"))
                .isEqualTo("https://[fd00::11]:2634/RPC2");
        assertThat(new ServerProperties("x", "h", 22, "root", " http://other:2633/RPC2 ").xmlRpcEndpoint("http://z/RPC2"))
                .isEqualTo("http://other:2633/RPC2");
    }

    private static final RemoteShell NO_SSH = new RemoteShell() {
        @Override
        public CommandResult run(SshTarget target, RemoteCommand command) {
            // the SSH checks fail; only the XML-RPC side is under test
            return new CommandResult(255, "", "no SSH in this test", false, "", java.time.Duration.ZERO);
        }

        @Override
        public ProbeResult probe(SshTarget target) {
            return new ProbeResult(false, null, "no SSH in this test");
        }
    };
}
