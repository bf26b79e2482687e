package io.onefed.upgrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.simulator.SimulatedFederation;
import io.onefed.upgrade.simulator.SimulationSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 14, test (d): a maintenance upgrade (6.10.0 -> 6.10.3, the same shared DB version 6.10.0) of 1 master and
 * 4 slaves with maxParallelZones=2, by the real service on PostgreSQL over real SSH and XML-RPC: every zone is
 * upgraded, no federated backup or restore runs, and the front-ends' command stamps show at most two zones down
 * at any time.
 */
@Tag("e2e")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "camunda.bpm.job-execution.core-pool-size=8")
class ZoneByZoneEndToEndTest extends EndToEndTestBase {

    static final SimulatedFederation SIM = EndToEndSupport.startFederation("e2e-zone-by-zone", spec());

    /** The master and four slaves on 6.10.0; their 6.10 repositories offer 6.10.0 and 6.10.3. */
    static SimulationSpec spec() {
        List<SimulationSpec.ZoneSpec> zones = new ArrayList<>();
        zones.add(SimulationSpec.ZoneSpec.single(0, "M-EU-FR", true, "6.10.0", "6.10.0,6.10.3"));
        for (int i = 0; i < 4; i++) {
            zones.add(SimulationSpec.ZoneSpec.single(100 + i, "S-" + i, false, "6.10.0", "6.10.0,6.10.3"));
        }
        return new SimulationSpec("zone-by-zone", "oneadmin-pw-1", "db-pw-1", 715438L, zones);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        EndToEndSupport.register(registry, SIM, "e2e_zone_by_zone");
        // each zone's package upgrade takes a moment, so zones of one batch really are down together
        for (int zone : SIM.zoneIds()) {
            SIM.faults().latency(zone, "dpkg-query", Duration.ofMillis(500));
        }
    }

    @AfterAll
    static void stop() {
        SIM.close();
    }

    @Test
    void aMaintenanceReleaseIsUpgradedZoneByZoneWithAtMostTwoZonesDown() {
        EndToEndSupport.Api api = new EndToEndSupport.Api(port);
        Instant t0 = Instant.now();
        String id = api.start("6.10.3", 2);
        api.approve(id, "Approve the start of the upgrade", "approve", Duration.ofSeconds(90));
        JsonNode end = api.awaitEnd(id, Duration.ofSeconds(300));
        Duration took = Duration.between(t0, Instant.now());
        assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("completed");
        assertThat(end.get("outcome").asText()).isEqualTo("COMPLETED");

        for (int zone : SIM.zoneIds()) {
            assertThat(SIM.installedVersion(zone)).as("zone " + zone).isEqualTo("6.10.3");
            assertThat(SIM.dbSharedVersion(zone)).as("zone " + zone + " keeps its shared tables").isEqualTo("6.10.0");
            assertThat(SIM.commandLog(zone, "onedb")).as("zone " + zone + ": no federated backup or restore")
                    .noneMatch(l -> l.contains("--federated"));
            assertThat(SIM.apiOpen(zone)).as("zone " + zone + " serves").isTrue();
        }
        // the live progress shows every zone done, the master too (no federated backup to wait for)
        JsonNode progress = api.call(EndToEndSupport.OPERATOR1, "GET", "/api/upgrades/" + id + "/progress", null, 200);
        assertThat(progress.get("zones")).hasSize(5).allSatisfy(z -> assertThat(z.get("state").asText())
                .as(z.toString()).isEqualTo("DONE"));
        List<Interval> down = downIntervals();
        assertThat(down).hasSize(5);
        assertThat(maxOverlap(down)).as("zones down at once: " + down).isEqualTo(2);
        Interval master = down.stream().filter(i -> i.zone == 0).findFirst().orElseThrow();
        assertThat(down).filteredOn(i -> i.zone != 0).as("every slave stops after the master is back")
                .allMatch(i -> i.from.isAfter(master.to));
        long commands = SIM.zoneIds().stream().mapToLong(z -> SIM.commandLog(z, "systemctl").size()
                + SIM.commandLog(z, "onedb").size() + SIM.commandLog(z, "apt-get").size()).sum();
        System.out.printf("zone by zone, 1 master + 4 slaves, maxParallelZones=2: %d s, %d systemctl/onedb/apt-get"
                + " calls (%d per zone), zones down at once: %d%n", took.toSeconds(), commands, commands / 5,
                maxOverlap(down));
    }

    /** A zone is down from its first "systemctl stop" to its "systemctl start ... opennebula" (commands.log stamps). */
    record Interval(int zone, Instant from, Instant to) {
    }

    static List<Interval> downIntervals() {
        List<Interval> out = new ArrayList<>();
        for (int zone : SIM.zoneIds()) {
            List<String> lines = SIM.commandLog(zone, "systemctl");
            Instant from = lines.stream().filter(l -> l.contains(" stop ")).map(ZoneByZoneEndToEndTest::stamp)
                    .findFirst().orElseThrow(() -> new AssertionError("zone " + zone + " never stopped: " + lines));
            Instant to = lines.stream().filter(l -> l.contains(" start ") && l.contains("opennebula"))
                    .map(ZoneByZoneEndToEndTest::stamp).filter(t -> t.isAfter(from)).reduce((a, b) -> b)
                    .orElseThrow(() -> new AssertionError("zone " + zone + " never started again: " + lines));
            out.add(new Interval(zone, from, to));
        }
        return out;
    }

    static Instant stamp(String line) {
        return Instant.parse(line.substring(0, line.indexOf(' ')));
    }

    static int maxOverlap(List<Interval> intervals) {
        int max = 0;
        for (Interval i : intervals) {
            Set<Integer> at = new HashSet<>();
            for (Interval j : intervals) {
                if (!j.from.isAfter(i.from) && j.to.isAfter(i.from)) {
                    at.add(j.zone);
                }
            }
            max = Math.max(max, at.size());
        }
        return max;
    }
}
