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
 * Issue 14 test (a): the master's {@code onedb upgrade} fails for good (a retry fails again) and the operator chooses
 * "roll back" in the failed step's decision: every zone ends on its previous version with its previous database,
 * units, repository, configuration, enabled zone and hosts. (Rolling back an aborted upgrade later through
 * {@code POST /api/upgrades/{id}/rollback} is test (b), {@link SlaveFailsRollbackEndToEndTest}.) On PostgreSQL,
 * over real SSH and XML-RPC to the simulated federation (the guide's three zones on 6.10.0.1, 7.0 offered).
 */
@Tag("e2e")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MasterFailsRollbackEndToEndTest extends EndToEndTestBase {

    static final SimulatedFederation SIM = EndToEndSupport.startFederation("e2e-rollback-master",
            SimulatedFederation.guideSpec());

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        EndToEndSupport.register(registry, SIM, "e2e_rollback_master");
    }

    @AfterAll
    static void stop() {
        SIM.close();
    }

    @Test
    void aMasterWhoseDatabaseUpgradeFailsForGoodIsRolledBackWithTheWholeFederation() {
        Map<Integer, Map<String, String>> before = RollbackEndToEndSupport.federationState(SIM);
        SIM.faults().failNext(0, "onedb-upgrade", 1000, 1, "Error running migrator 7.0.0: simulated for good");
        EndToEndSupport.Api api = new EndToEndSupport.Api(port);
        String id = api.start("7.0.0", 5);
        api.approve(id, "Approve the start of the upgrade", Duration.ofSeconds(60));
        api.approve(id, "Decide on the failed step", "retry", Duration.ofSeconds(120));
        api.approve(id, "Decide on the failed step", "rollback", Duration.ofSeconds(60));
        JsonNode end = api.awaitEnd(id, Duration.ofSeconds(240));
        // the upgrade did not complete: it ended (state "aborted") with outcome ROLLED_BACK
        assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("aborted");
        assertThat(end.get("outcome").asText()).as(end.toString()).isEqualTo("ROLLED_BACK");
        HistoricProcessInstance rb = engine.getHistoryService().createHistoricProcessInstanceQuery()
                .processDefinitionKey("federation-rollback").processInstanceBusinessKey(id).singleResult();
        assertThat(rb.getEndActivityId()).isEqualTo("FederationRolledBack");
        assertThat(RollbackEndToEndSupport.federationState(SIM)).isEqualTo(before);
        // each rollback command once: one database restore and one downgrade on the master, none on the slaves
        // (they were only stopped: their units started again)
        assertThat(SIM.commandLog(0, "onedb").stream().filter(l -> l.contains(" restore ") && l.contains(" -f")))
                .hasSize(1);
        assertThat(SIM.commandLog(0, "apt-get").stream().filter(l -> l.contains("--allow-downgrades"))).hasSize(1);
        for (int slave : new int[] {100, 101}) {
            assertThat(SIM.commandLog(slave, "onedb").stream().filter(l -> l.contains(" restore "))).isEmpty();
            assertThat(SIM.commandLog(slave, "apt-get").stream().filter(l -> l.contains(" install "))).isEmpty();
        }
    }
}
