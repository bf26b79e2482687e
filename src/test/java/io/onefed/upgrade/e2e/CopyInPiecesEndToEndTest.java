package io.onefed.upgrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.simulator.SimulatedFederation;
import java.time.Duration;
import java.util.List;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 15: a backup copy larger than one job's piece goes over several jobs. Pieces of 64 bytes here (256 MiB in
 * production) make the guide's federated backup, a few hundred bytes, a copy of several pieces to each slave. Each
 * piece is a job of its own (CopyFederatedBackup loops on itself) whose resume point is committed with it. The
 * slaves restore the copy, checksum verified against the master's, and every job stays under half the lock time.
 */
@Tag("e2e")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "onefed.process.copy-piece-bytes=64")
class CopyInPiecesEndToEndTest extends EndToEndTestBase {

    static final SimulatedFederation SIM = EndToEndSupport.startFederation("e2e-pieces", SimulatedFederation.guideSpec());

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        EndToEndSupport.register(registry, SIM, "e2e_pieces");
    }

    @org.springframework.beans.factory.annotation.Autowired
    io.onefed.upgrade.ops.JobRunTimes jobTimes;

    @AfterAll
    static void stop() {
        SIM.close();
    }

    @Test
    void theFederatedBackupReachesEachSlaveInSeveralPiecesAndIsRestored() {
        EndToEndSupport.Api api = new EndToEndSupport.Api(port);
        String id = api.start("7.0.0", 5);
        api.approve(id, "Approve the start of the upgrade", "approve", Duration.ofSeconds(60));
        api.approve(id, "Approve re-enabling API access", "approve", Duration.ofSeconds(240));
        JsonNode end = api.awaitEnd(id, Duration.ofSeconds(60));
        assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("completed");

        List<HistoricProcessInstance> zones = engine.getHistoryService().createHistoricProcessInstanceQuery()
                .processDefinitionKey("zone-upgrade").processInstanceBusinessKey(id).list();
        int slaves = 0;
        for (HistoricProcessInstance zone : zones) {
            long pieces = engine.getHistoryService().createHistoricActivityInstanceQuery()
                    .processInstanceId(zone.getId()).activityId("CopyFederatedBackup").count();
            if (pieces > 0) {
                slaves++;
                assertThat(pieces).as("copy jobs of zone-upgrade %s", zone.getId()).isGreaterThan(2);
                assertThat(engine.getHistoryService().createHistoricVariableInstanceQuery()
                        .processInstanceId(zone.getId()).variableName("copyProgress").list())
                        .as("the resume point is gone once the copy is done").isEmpty();
            }
        }
        assertThat(slaves).isEqualTo(2);
        for (int zone : SIM.zoneIds()) {
            assertThat(SIM.installedVersion(zone)).as("zone %d installed", zone).isEqualTo("7.0.0");
        }
        assertThat(jobTimes.longest()).as("the longest job hold").isLessThan(jobTimes.lockTime().dividedBy(2));
        System.out.printf("e2e pieces: %d jobs, the longest held its lock %d ms (lock %d ms)%n",
                jobTimes.jobs(), jobTimes.longest().toMillis(), jobTimes.lockTime().toMillis());
    }
}
