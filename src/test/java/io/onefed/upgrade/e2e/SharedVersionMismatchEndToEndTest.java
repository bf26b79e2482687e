package io.onefed.upgrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.simulator.SimulatedFederation;
import io.onefed.upgrade.simulator.SimulationSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 14: the release table says 6.10.3 keeps the shared DB version 6.10.0, but this federation's 6.10.3 code
 * requires 6.10.3 (SimulationSpec#codeSharedDbVersions). The master's onedb version -v says so after its package
 * upgrade and before its onedb upgrade, and the upgrade stops for a decision before any slave is touched and before
 * the master's database is migrated; abort leaves the slaves as they were.
 */
@Tag("e2e")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SharedVersionMismatchEndToEndTest extends EndToEndTestBase {

    static final SimulatedFederation SIM = EndToEndSupport.startFederation("e2e-shared-mismatch", new SimulationSpec(
            "shared-mismatch", "oneadmin-pw-2", "db-pw-2", 715438L, List.of(
                    SimulationSpec.ZoneSpec.single(0, "M-EU-FR", true, "6.10.0", "6.10.0,6.10.3"),
                    SimulationSpec.ZoneSpec.single(100, "S-EU-GE", false, "6.10.0", "6.10.0,6.10.3"),
                    SimulationSpec.ZoneSpec.single(101, "S-US-CA", false, "6.10.0", "6.10.0,6.10.3")))
            .withCodeSharedDbVersion("6.10.3", "6.10.3"));

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        EndToEndSupport.register(registry, SIM, "e2e_shared_mismatch");
    }

    @AfterAll
    static void stop() {
        SIM.close();
    }

    @Test
    void aMasterRequiringAnotherSharedVersionStopsTheUpgradeBeforeAnySlave() {
        String localBefore = SIM.dbLocalVersion(0);
        EndToEndSupport.Api api = new EndToEndSupport.Api(port);
        String id = api.start("6.10.3", 2);
        api.approve(id, "Approve the start of the upgrade", "approve", Duration.ofSeconds(90));
        String decision = "Decide: the master requires another shared DB version";
        Instant t0 = Instant.now();
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(300))
                .until(() -> api.pending(id, decision), t -> t != null);
        // the decision comes between the master's package upgrade and its onedb upgrade: new packages, old tables
        assertThat(SIM.installedVersion(0)).isEqualTo("6.10.3");
        assertThat(SIM.dbSharedVersion(0)).as("the master's shared tables are not migrated").isEqualTo("6.10.0");
        assertThat(SIM.dbLocalVersion(0)).as("nor its local tables").isEqualTo(localBefore);
        assertThat(SIM.commandLog(0, "onedb")).as("no onedb upgrade on the master").noneMatch(l -> l.contains(" upgrade"));
        assertThat(SIM.commandLog(0, "onedb")).anyMatch(l -> l.contains("onedb version -v"));
        api.approve(id, decision, "abort", Duration.ofSeconds(30));
        JsonNode end = api.awaitEnd(id, Duration.ofSeconds(60));
        assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("aborted");
        assertThat(end.get("outcomeDetail").asText()).contains("SHARED_VERSION_DIFFERS");

        assertThat(SIM.installedVersion(0)).isEqualTo("6.10.3");
        assertThat(SIM.commandLog(0, "onedb")).anyMatch(l -> l.contains("onedb version -v"));
        for (int slave : List.of(100, 101)) {
            assertThat(SIM.installedVersion(slave)).as("slave " + slave).isEqualTo("6.10.0");
            assertThat(SIM.commandLog(slave, "systemctl")).as("slave " + slave + " never stopped")
                    .noneMatch(l -> l.contains(" stop "));
            assertThat(SIM.commandLog(slave, "onedb")).as("slave " + slave + " database untouched")
                    .noneMatch(l -> l.contains(" backup") || l.contains(" upgrade") || l.contains(" restore"));
            assertThat(SIM.apiOpen(slave)).as("slave " + slave + " keeps serving").isTrue();
        }
        // who decided and what the master said stay in the history
        String root = engine.getHistoryService().createHistoricProcessInstanceQuery().processDefinitionKey("federation-upgrade")
                .processInstanceBusinessKey(id).singleResult().getId();
        String finding = engine.getHistoryService().createHistoricVariableInstanceQuery().processInstanceId(root)
                .variableName("sharedVersionFinding").singleResult().getValue().toString();
        assertThat(finding).contains("reports").contains("6.10.3").contains("release table gives 6.10.0")
                .contains("its database is not migrated");
        System.out.printf("shared version mismatch, 1 master + 2 slaves: %d s, systemctl/onedb/apt-get calls: master %d,"
                + " slaves %d and %d%n", Duration.between(t0, Instant.now()).toSeconds(), EndToEndSupport.toolCalls(SIM, 0),
                EndToEndSupport.toolCalls(SIM, 100), EndToEndSupport.toolCalls(SIM, 101));
    }
}
