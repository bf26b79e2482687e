package io.onefed.upgrade.process;

import static io.onefed.upgrade.process.ProcessTestSupport.decide;
import static io.onefed.upgrade.process.ProcessTestSupport.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;

/**
 * Hole 1 of issue 12's exactly-once review, on the engine: a slave's {@code onedb restore --federated} is
 * started and its job commits; then the run's key directory disappears on the host (run dir wiped: a tmpfs
 * reboot, someone's clean-up). Before, the next poll's {@code start} claimed the key afresh and restored a second
 * time. Now the step remembers the keys it started (committed with the job that started them), only awaits them,
 * and a vanished run goes to the operator's failed-step decision; "wait" does not run it either.
 */
class VanishedRunProcessTest extends ProcessTestBase {

    /** Executes the one job there is (the step's next poll), each in its own transaction as the job executor. */
    private void runTheStepsJob() {
        List<Job> jobs = engine.getManagementService().createJobQuery().executable().list();
        assertThat(jobs).hasSize(1);
        engine.getManagementService().executeJob(jobs.get(0).getId());
    }

    @Test
    void aRunWhoseDirectoryVanishedAfterItsStartIsAnOperatorsDecisionNotASecondRestore() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.hanging.add("onedb restore");
        ProcessTestSupport.register(fed);
        Map<String, Object> vars = new HashMap<>();
        vars.put("upgradeId", "U20261123-120000-ab12");
        vars.put("zoneId", 100);
        vars.put("zoneName", "S-EU-GE");
        vars.put("zoneAttempt", 1);
        vars.put("step", "restore-federated");
        vars.put("fromVersion", "6.10.0");
        vars.put("targetVersion", "7.0.0");
        vars.put("masterSharedDbVersion", "7.0.0");
        // started alone, the step is its own root: it carries the approval the guard checks (ApprovedPlanGuard)
        io.onefed.upgrade.federation.ZoneProperties master = fed.properties.zones().get(0);
        vars.put("federatedBackupPath", io.onefed.upgrade.steps.ZoneCommands.federatedBackupPath(
                new io.onefed.upgrade.steps.StepContext("U20261123-120000-ab12", master,
                        io.onefed.upgrade.steps.OneVersion.parse("6.10.0"),
                        io.onefed.upgrade.steps.OneVersion.parse("7.0.0"), master.servers().get(0).name(), null)));
        vars.put("approvedPlanHash", ProcessTestSupport.planService(fed, fed.properties)
                .plan("U20261123-120000-ab12", "6.10.0", "7.0.0", null, false, null, null).sha256());
        ProcessInstance pi = engine.getRuntimeService().startProcessInstanceByKey("remote-step",
                "U20261123-120000-ab12", vars);

        runTheStepsJob(); // starts the restore; the job commits with the key it started
        assertThat(fed.count("onedb restore")).isEqualTo(1);
        assertThat(pi).isWaitingAt("RunStepCommands");
        String key = "U20261123-120000-ab12-z100-restore-federated-a1.1-s-eu-ge-fe0";
        assertThat(fed.runs).containsKey(key);

        fed.runs.remove(key); // the host's run directory of that key is wiped
        runTheStepsJob();

        assertThat(fed.count("onedb restore")).as("the restore ran once").isEqualTo(1);
        assertThat(pi).isWaitingAt("DecideFailedStep");
        String failure = (String) engine.getRuntimeService().getVariable(pi.getId(), "stepFailure");
        assertThat(failure).contains("Restore federated tables").contains("onedb restore")
                .contains("run directory of key " + key).contains("disappeared after it was started")
                .contains("may or may not have run").contains("Check the host");
        assertThat(engine.getRuntimeService().getVariable(pi.getId(), "stepFailedServers")).isEqualTo("s-eu-ge-fe0");

        // "wait" looks for the same run again: still gone, still the operator's, still not run again
        decide(engine, "DecideFailedStep", "wait", "checking the host with the DBA first");
        runTheStepsJob();
        assertThat(fed.count("onedb restore")).isEqualTo(1);
        assertThat(task(engine, "DecideFailedStep")).isNotNull();
        assertThat((String) engine.getRuntimeService().getVariable(pi.getId(), "stepFailure"))
                .contains("disappeared after it was started");

        // only the operator's "retry" runs it again, under a new key
        fed.hanging.clear();
        decide(engine, "DecideFailedStep", "retry", "the restore never ran (no log on the host): run it (INC-7)");
        runTheStepsJob();
        assertThat(fed.count("onedb restore")).isEqualTo(2);
        assertThat(fed.runs).containsKey(key.replace("-a1.1-", "-a1.2-"));
        assertThat(pi).isEnded();
    }
}
