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
