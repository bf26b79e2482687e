package io.onefed.upgrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.simulator.SimulatedFederation;
import java.time.Duration;
import java.util.Map;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 14 test (b): a slave fails after its federated restore (its onedb upgrade fails for good), the operator
 * aborts the upgrade and rolls the whole upgrade back: the upgraded master and slave and the failed slave all end
 * on their previous version, database, units, repository, configuration, enabled zone and hosts.
 */
@Tag("e2e")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SlaveFailsRollbackEndToEndTest extends EndToEndTestBase {

    static final SimulatedFederation SIM = EndToEndSupport.startFederation("e2e-rollback-slave",
            SimulatedFederation.guideSpec());

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        EndToEndSupport.register(registry, SIM, "e2e_rollback_slave");
    }

    @AfterAll
    static void stop() {
        SIM.close();
    }

    @Test
    void aSlaveThatFailsAfterItsRestoreIsRolledBackWithTheWholeUpgrade() {
        Map<Integer, Map<String, String>> before = RollbackEndToEndSupport.federationState(SIM);
        SIM.faults().failNext(101, "onedb-upgrade", 1000, 1, "Error running migrator 7.0.0: simulated for good");
        EndToEndSupport.Api api = new EndToEndSupport.Api(port);
        String id = api.start("7.0.0", 5);
        api.approve(id, "Approve the start of the upgrade", Duration.ofSeconds(60));
        api.approve(id, "Decide on the failed step", "abort", Duration.ofSeconds(180));
        api.approve(id, "Decide on the failed slave zones", "abort", Duration.ofSeconds(120));
        JsonNode end = api.awaitEnd(id, Duration.ofSeconds(60));
        assertThat(end.get("outcome").asText()).as(end.toString()).isEqualTo("ABORTED");
        assertThat(SIM.installedVersion(0)).isEqualTo("7.0.0");
        assertThat(SIM.installedVersion(100)).isEqualTo("7.0.0");
        assertThat(SIM.dbSharedVersion(101)).as("the failed slave holds the master's restored tables").isEqualTo("7.0.0");
        assertThat(SIM.nodeNames(0)).isNotEmpty().allSatisfy(h -> assertThat(SIM.nodeInstalledVersion(0, h)).isEqualTo("7.0.0"));
        for (int zone : SIM.zoneIds()) {
            assertThat(installedPackages(zone)).as("zone %d: 7.0 added its migrators", zone).contains("opennebula-migration");
        }

        java.time.Instant t0 = java.time.Instant.now();
        HistoricProcessInstance rb = RollbackEndToEndSupport.rollBack(api, engine, id, Duration.ofSeconds(300));
        Duration took = Duration.between(t0, java.time.Instant.now());
        assertThat(rb.getEndActivityId()).isEqualTo("FederationRolledBack");
        for (int zone : SIM.zoneIds()) {
            // the package the target added is gone on every rolled-back zone, removed once after the downgrade
            assertThat(installedPackages(zone)).as("zone %d", zone).doesNotContain("opennebula-migration");
            assertThat(SIM.commandLog(zone, "apt-get").stream().filter(l -> l.contains(" remove ")))
                    .as("zone %d: one removal", zone).singleElement().asString().contains("opennebula-migration");
        }
        assertThat(RollbackEndToEndSupport.federationState(SIM)).isEqualTo(before);
        for (int zone : SIM.zoneIds()) {
            assertThat(SIM.commandLog(zone, "onedb").stream().filter(l -> l.contains(" restore ") && l.contains(" -f")))
                    .as("zone %d: one full restore", zone).hasSize(1);
            assertThat(SIM.commandLog(zone, "apt-get").stream().filter(l -> l.contains("--allow-downgrades")))
                    .as("zone %d: one downgrade", zone).hasSize(1);
        }
        // the hosts of the zones that got to their node upgrade went back once; the failed slave's were never touched
        for (int zone : new int[] {0, 100}) {
            for (String host : SIM.nodeNames(zone)) {
                assertThat(SIM.nodeCommandLog(zone, host, "apt-get").stream().filter(l -> l.contains("--allow-downgrades")))
                        .as("zone %d host %s: one downgrade", zone, host).hasSize(1);
            }
        }
        for (String host : SIM.nodeNames(101)) {
            assertThat(SIM.nodeCommandLog(101, host, "apt-get").stream().filter(l -> l.contains(" install "))).isEmpty();
        }
        long commands = SIM.zoneIds().stream().mapToLong(z -> EndToEndSupport.toolCalls(SIM, z)).sum();
        System.out.printf("slave fails, rollback of 1 master + 2 slaves: rollback %d s, %d systemctl/onedb/apt-get"
                + " calls in all (%d per zone)%n", took.toSeconds(), commands, commands / 3);
    }

    static java.util.List<String> installedPackages(int zone) {
        try {
            return java.nio.file.Files.readAllLines(SIM.serverDir(zone).resolve("sim/packages"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
