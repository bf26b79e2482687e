package io.onefed.upgrade.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many zones in one JVM: every zone's SSH and API answer. */
class SimulatedFederationScaleTest {

    @TempDir
    Path tmp;

    /**
     * A zone of 1500 hypervisor hosts with long names through oned's real XML-RPC (LargeZoneProcessTest takes 3000 through
     * the whole process; here each host costs two HTTP calls) (the service's client, its size
     * limits and parser): the enabled hosts are recorded (a list far over Camunda's 4000 characters, kept as a byte
     * variable by the process), all disabled, then re-enabled but for the skipped ones.
     */
    @Test
    void fifteenHundredHostsAreRecordedDisabledAndReEnabledThroughTheApi() throws Exception {
        List<SimulationSpec.HostSpec> hosts = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            hosts.add(new SimulationSpec.HostSpec(i, "kvm-geneva-datacenter-rack-row-17-hypervisor-node-" + i, 2, false));
        }
        SimulationSpec spec = new SimulationSpec("big", "pw", "dbpw", 10, List.of(
                SimulationSpec.ZoneSpec.single(0, "MASTER", true, "6.10.0", "7.0.0").withHosts(hosts).withVms(List.of())));
        try (SimulatedFederation sim = SimulatedFederation.start(spec, tmp)) {
            io.onefed.upgrade.federation.FederationProperties federation = sim.toFederationProperties();
                        io.onefed.upgrade.opennebula.DefaultOneClients clients = new io.onefed.upgrade.opennebula.DefaultOneClients(
                    federation, new io.onefed.upgrade.federation.SecretResolver(),
                    io.onefed.upgrade.opennebula.OneClientProperties.defaults());
            io.onefed.upgrade.steps.HostFencing fencing = new io.onefed.upgrade.steps.HostFencing(federation, clients);

            String recorded = fencing.recordEnabled();
            assertThat(recorded.length()).isGreaterThan(4000);
            assertThat(recorded).startsWith("0:0 1 2 ").endsWith(" 1499");
            assertThat(fencing.disable(recorded)).isEqualTo(1500);
            assertThat(clients.forZone(federation.zones().get(0)).hostPool())
                    .hasSize(1500).allSatisfy(h -> assertThat(h.isDisabled()).isTrue());
            java.util.Set<Integer> skipped = new java.util.TreeSet<>();
            for (int i = 0; i < 1500; i += 3) {
                skipped.add(i);
            }
            assertThat(fencing.enable(recorded, java.util.Set.of(), java.util.Map.of(0, skipped))).isEqualTo(1000);
            assertThat(clients.forZone(federation.zones().get(0)).hostPool())
                    .allSatisfy(h -> assertThat(h.isDisabled()).isEqualTo(h.id() % 3 == 0));
        }
    }

    @Test
    void fiftyZonesStartAndAllAnswer() throws Exception {
        List<SimulationSpec.ZoneSpec> slaves = new ArrayList<>();
        for (int i = 1; i < 50; i++) {
            slaves.add(SimulationSpec.ZoneSpec.single(100 + i, "Z" + i, false, "6.10.0", "7.0.0"));
        }
        SimulationSpec spec = new SimulationSpec("fifty", "pw", "dbpw", 10,
                List.of(SimulationSpec.ZoneSpec.single(0, "MASTER", true, "6.10.0", "7.0.0"))).withZones(slaves);
        int threadsBefore = Thread.activeCount();
        long t0 = System.nanoTime();
        try (SimulatedFederation sim = SimulatedFederation.start(spec, tmp)) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("50 zones started in %d ms (%.1f ms per zone), %d threads added%n", ms, ms / 50.0,
                    Thread.activeCount() - threadsBefore);
            SimClient ssh = new SimClient(sim);
            String session = SimClient.str(sim.oneadminSession());
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<String>> answers = new ArrayList<>();
                for (int zone : sim.zoneIds()) {
                    answers.add(pool.submit(() -> {
                        SimClient.Result r = ssh.exec(zone, "dpkg-query -W -f='${Version}' opennebula");
                        String api = SimClient.rpc(sim.endpoint(zone), "one.zone.raftstatus", session);
                        return r.out() + " " + (api.contains("&lt;FEDLOG_INDEX&gt;10&lt;") ? "fed=10" : api);
                    }));
                }
                for (Future<String> a : answers) {
                    assertThat(a.get()).isEqualTo("6.10.0-1 fed=10");
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(sim.zoneIds()).hasSize(50);
        }
    }
}
