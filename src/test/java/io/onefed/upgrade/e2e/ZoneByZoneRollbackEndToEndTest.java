package io.onefed.upgrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.simulator.SimulatedFederation;
import io.onefed.upgrade.simulator.SimulationSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 14: the rollback of a zone-by-zone upgrade (6.10.0 -> 6.10.3, maxParallelZones=2). The master, then both
 * slaves in one batch; slave 101's onedb upgrade fails for good and the operator chooses roll back in its failed
 * step: every zone goes back to its previous version, and the hosts each zone disabled for its own upgrade are
 * enabled again (the failed slave's too), while a host that was disabled before the upgrade stays disabled.
 */
@Tag("e2e")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ZoneByZoneRollbackEndToEndTest extends EndToEndTestBase {

    static final SimulatedFederation SIM = EndToEndSupport.startFederation("e2e-zone-by-zone-rollback", spec());

    /** The master and two slaves on 6.10.0; slave 101 has a third host an operator disabled (state 4) before. */
    static SimulationSpec spec() {
        SimulationSpec.ZoneSpec failing = SimulationSpec.ZoneSpec.single(101, "S-1", false, "6.10.0", "6.10.0,6.10.3");
        failing = failing.withHosts(List.of(failing.hosts().get(0), failing.hosts().get(1),
                new SimulationSpec.HostSpec(2, "kvm-s-1-off", 4)));
        return new SimulationSpec("zone-by-zone-rollback", "oneadmin-pw-1", "db-pw-1", 715438L, List.of(
                SimulationSpec.ZoneSpec.single(0, "M-EU-FR", true, "6.10.0", "6.10.0,6.10.3"),
                SimulationSpec.ZoneSpec.single(100, "S-0", false, "6.10.0", "6.10.0,6.10.3"), failing));
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        EndToEndSupport.register(registry, SIM, "e2e_zone_by_zone_rollback");
    }

    @AfterAll
    static void stop() {
        SIM.close();
    }

    @Test
    void aZoneByZoneUpgradeWhoseSlaveFailsForGoodIsRolledBackWithEveryZonesHostsEnabledAgain() {
        Map<Integer, Map<String, String>> before = RollbackEndToEndSupport.federationState(SIM);
        assertThat(hostStates(101)).isEqualTo(Map.of(0, "2", 1, "2", 2, "4"));
        SIM.faults().failNext(101, "onedb-upgrade", 1000, 1, "Error running migrator 6.10.3: simulated for good");
        EndToEndSupport.Api api = new EndToEndSupport.Api(port);
        Instant t0 = Instant.now();
        String id = api.start("6.10.3", 2);
        api.approve(id, "Approve the start of the upgrade", Duration.ofSeconds(60));
        api.approve(id, "Decide on the failed step", "rollback", Duration.ofSeconds(180));
        JsonNode end = api.awaitEnd(id, Duration.ofSeconds(300));
        Duration took = Duration.between(t0, Instant.now());
        assertThat(end.get("outcome").asText()).as(end.toString()).isEqualTo("ROLLED_BACK");
        HistoricProcessInstance rb = engine.getHistoryService().createHistoricProcessInstanceQuery()
                .processDefinitionKey("federation-rollback").processInstanceBusinessKey(id).singleResult();
        assertThat(rb.getEndActivityId()).isEqualTo("FederationRolledBack");
        assertThat(engine.getRuntimeService().createIncidentQuery().list()).isEmpty();

        for (int zone : SIM.zoneIds()) {
            assertThat(SIM.installedVersion(zone)).as("zone %d back on its version", zone).isEqualTo("6.10.0");
            assertThat(SIM.commandLog(zone, "onedb")).as("zone %d: no federated backup or restore", zone)
                    .noneMatch(l -> l.contains("--federated"));
            assertThat(SIM.commandLog(zone, "onedb").stream().filter(l -> l.contains(" restore ") && l.contains(" -f")))
                    .as("zone %d: one full restore", zone).hasSize(1);
        }
        // the failed slave's hosts were disabled by its own zone and left so by its failure: enabled again, the
        // one disabled before the upgrade is not
        assertThat(hostStates(101)).isEqualTo(Map.of(0, "2", 1, "2", 2, "4"));
        assertThat(hostStates(0)).isEqualTo(Map.of(0, "2", 1, "2"));
        assertThat(hostStates(100)).isEqualTo(Map.of(0, "2", 1, "2"));
        assertThat(RollbackEndToEndSupport.federationState(SIM)).isEqualTo(before);
        long commands = SIM.zoneIds().stream().mapToLong(z -> EndToEndSupport.toolCalls(SIM, z)).sum();
        System.out.printf("zone by zone rolled back, 1 master + 2 slaves: %d s, %d systemctl/onedb/apt-get calls"
                + " (%d per zone)%n", took.toSeconds(), commands, commands / 3);
    }

    /** The simulated oned's host states (HOST/STATE: 2 monitored, 4 disabled), by host id. */
    static Map<Integer, String> hostStates(int zone) {
        Map<Integer, String> states = new TreeMap<>();
        Path dir = SIM.serverDir(zone).resolve("sim/db/hosts");
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                // a record: name state cluster_id cluster
                states.put(Integer.parseInt(f.getFileName().toString()), Files.readString(f).trim().split(" ")[1]);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return states;
    }
}
