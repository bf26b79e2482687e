package io.onefed.upgrade.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.NodeProperties;
import io.onefed.upgrade.federation.SecretRef;
import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.opennebula.OneClient;
import io.onefed.upgrade.opennebula.OneClients;
import io.onefed.upgrade.opennebula.OneHost;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Host lists of zones with thousands of hosts: 'onehost sync' names them as ranges, and a zone whose list cannot
 * fit one command line is refused in the preflight (before the plan, so before any change), not mid-upgrade by
 * the shell's "Argument list too long".
 */
class NodeHostsTest {

    private static List<NodeHosts.Node> nodes(int... ids) {
        return IntStream.of(ids).mapToObj(i -> new NodeHosts.Node(i, "h" + i)).toList();
    }

    @Test
    void idsAreWrittenAsOpenNebulaRanges() {
        assertThat(NodeHosts.idRanges(nodes())).isEmpty();
        assertThat(NodeHosts.idRanges(nodes(5))).isEqualTo("5");
        assertThat(NodeHosts.idRanges(nodes(1000, 1001))).isEqualTo("1000,1001");
        assertThat(NodeHosts.idRanges(nodes(3, 1, 2, 7, 9, 8, 10, 20))).isEqualTo("1..3,7..10,20");
        assertThat(NodeHosts.idRanges(nodes(IntStream.range(0, 3000).toArray()))).isEqualTo("0..2999");
    }

    private static NodeHosts nodeHosts(List<OneHost> pool) {
        ZoneProperties zone = new ZoneProperties(0, "BIG", "master", "http://10.0.0.1:2633/RPC2", false, "debian", null,
                null, null, null, List.of(new ServerProperties("fe0", "10.0.0.1", 22, "root")),
                new NodeProperties(null, null, null, null, null, null, null, null, null));
        FederationProperties f = new FederationProperties("t", new SecretRef("X", null), null, null, List.of(zone));
        OneClient client = (OneClient) Proxy.newProxyInstance(OneClient.class.getClassLoader(), new Class<?>[] {OneClient.class},
                (p, m, a) -> m.getName().equals("hostPool") ? pool : null);
        OneClients clients = new OneClients() {
            @Override
            public OneClient forZone(ZoneProperties z) {
                return client;
            }

            @Override
            public OneClient forEndpoint(String endpoint) {
                return client;
            }
        };
        return new NodeHosts(f, clients);
    }

    @Test
    void threeThousandContiguousHostsWithLongNamesAreRead() {
        List<OneHost> pool = IntStream.range(0, 3000).mapToObj(i -> new OneHost(i, "kvm-" + "x".repeat(60) + "-" + i, 2, "c")).toList();
        String text = nodeHosts(pool).read();
        assertThat(NodeHosts.of(text, 0)).hasSize(3000);
    }

    @Test
    void aZoneWhoseIdsDoNotFitOneCommandLineIsRefusedNamingTheZoneAndTheWayOut() {
        // every other id, 7 digits: no range helps
        List<OneHost> scattered = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            scattered.add(new OneHost(1_000_000 + 2 * i, "h" + i, 2, "c"));
        }
        assertThatThrownBy(() -> nodeHosts(scattered).read()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("zone 0 (BIG)").hasMessageContaining("'onehost sync'")
                .hasMessageContaining("leave out federation.zones[id=0].nodes");

        List<OneHost> tooMany = IntStream.range(0, NodeHosts.MAX_HOSTS_PER_ZONE + 1)
                .mapToObj(i -> new OneHost(i, "h" + i, 2, "c")).toList();
        assertThatThrownBy(() -> nodeHosts(tooMany).read()).hasMessageContaining("has " + (NodeHosts.MAX_HOSTS_PER_ZONE + 1)
                + " hypervisor hosts").hasMessageContaining("at most " + NodeHosts.MAX_HOSTS_PER_ZONE);
    }
}
