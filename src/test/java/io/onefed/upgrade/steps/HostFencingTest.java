package io.onefed.upgrade.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.SecretRef;
import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.opennebula.OneClient;
import io.onefed.upgrade.opennebula.OneClients;
import io.onefed.upgrade.opennebula.OneHost;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: fencing is one job whose XML-RPC calls grow with the federation's hosts; they overlap
 * (16 at a time), so a large federation's fencing stays far inside the job lock.
 */
class HostFencingTest {

    final FederationProperties federation = new FederationProperties("test", new SecretRef("ONE_AUTH", null), null, null,
            List.of(zone(0, "master"), zone(100, "slave")));
    final Map<String, OneHost.Status> statuses = new ConcurrentHashMap<>();

    @Test
    void theZonesRecordsAreMergedHostByHostSoARetriedZoneKeepsTheHostsItsFirstAttemptDisabled() {
        // zone 101's first attempt recorded 0 and 1 and disabled them; its retry found only 2 still enabled
        assertThat(HostFencing.union(java.util.Arrays.asList("0:0 1", "101:0 1", null, "101:2", "100:", "")))
                .isEqualTo("0:0 1;100:;101:0 1 2");
        assertThat(HostFencing.union(List.of())).isEmpty();
    }

    @Test
    void theHostsStatusCallsOverlap() {
        // each call waits until eight calls are under way: one after the other, the first would wait in vain
        CountDownLatch underWay = new CountDownLatch(8);
        HostFencing fencing = new HostFencing(federation, clients((zone, host) -> {
            underWay.countDown();
            try {
                if (!underWay.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the calls did not overlap");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }));

        assertThat(fencing.disable("0:0 1 2 3 4 5;100:10 11 12 13")).isEqualTo(10);
        assertThat(statuses).hasSize(10).containsEntry("0/3", OneHost.Status.DISABLED)
                .containsEntry("100/13", OneHost.Status.DISABLED);
    }

    @Test
    void aFailedCallFailsTheStep() {
        HostFencing fencing = new HostFencing(federation, clients((zone, host) -> {
            if (host == 11) {
                throw new IllegalStateException("[one.host.status] Error getting host [11].");
            }
        }));

        assertThatThrownBy(() -> fencing.enable("0:0 1;100:10 11 12", Set.of()))
                .hasMessageContaining("Error getting host [11]");
        assertThat(statuses).as("the failed host").doesNotContainKey("100/11");
    }

    interface Call {
        void made(int zone, int host);
    }

    private OneClients clients(Call call) {
        return new OneClients() {
            @Override
            public OneClient forZone(ZoneProperties zone) {
                return (OneClient) Proxy.newProxyInstance(OneClient.class.getClassLoader(), new Class<?>[] {OneClient.class},
                        (proxy, method, args) -> {
                            if (!method.getName().equals("hostStatus")) {
                                throw new UnsupportedOperationException(method.getName());
                            }
                            int host = (Integer) args[0];
                            call.made(zone.id(), host);
                            statuses.put(zone.id() + "/" + host, (OneHost.Status) args[1]);
                            return null;
                        });
            }

            @Override
            public OneClient forEndpoint(String endpoint) {
                throw new UnsupportedOperationException(endpoint);
            }
        };
    }

    private static ZoneProperties zone(int id, String role) {
        return new ZoneProperties(id, "Z" + id, role, "http://127.0.0.1:2633/RPC2", false, "debian", null, null, null,
                null, List.of(new ServerProperties("fe" + id, "127.0.0.1", 22, "root", null)));
    }
}
