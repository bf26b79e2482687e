package io.onefed.upgrade.process;

import static io.onefed.upgrade.process.ProcessTestSupport.decide;
import static io.onefed.upgrade.process.ProcessTestSupport.fireTimers;
import static io.onefed.upgrade.process.ProcessTestSupport.runJobs;
import static io.onefed.upgrade.process.ProcessTestSupport.startVariables;
import static io.onefed.upgrade.process.ProcessTestSupport.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import io.onefed.upgrade.steps.ZoneApiCheck;
import io.onefed.upgrade.testsupport.MovableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.junit.jupiter.api.Test;

/**
 * The paths of {@code federation-upgrade} that end an upgrade early or wait on an operator, one test each, on the
 * in-memory federation through the normal approval: no test took them before, so a broken error boundary, a
 * gateway routing a decision elsewhere or an outcome text recorded for the wrong end would have gone unseen.
 * Each asserts the end event (or task) reached and the outcome an operator reads afterwards.
 */
class UpgradePathsProcessTest extends ProcessTestBase {

    /** The API check's clock: the tests move it past the API deadline instead of waiting ten minutes. */
    final MovableClock clock = new MovableClock(Instant.parse("2026-11-23T12:00:00Z"));

    ProcessInstance start(FakeFederation fed) {
        ProcessTestSupport.register(fed);
        Mocks.register("checkZoneApiDelegate", new CheckZoneApiDelegate(fed.properties, new ZoneApiCheck(fed),
                ProcessTestSupport.SETTINGS.apiDeadline(), clock));
        Map<String, Object> vars = startVariables(fed, "7.0.0", 5);
        ProcessInstance pi = engine.getRuntimeService().startProcessInstanceByKey("federation-upgrade",
                (String) vars.get("upgradeId"), vars);
        runJobs(engine);
        decide(engine, "ApproveStart", "approve", "change CHG-1234 approved by the board");
        runJobs(engine);
        return pi;
    }

    @Test
    void abortingAZoneThatDoesNotStopEndsWithTheZonesStoppedAndTheApiBlocked() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.unitsStuck = true;
        ProcessInstance pi = start(fed);
        List<Task> stillActive = engine.getTaskService().createTaskQuery().taskDefinitionKey("DecideStillActive").list();
        assertThat(stillActive).hasSize(3);
        assertThat(formOf("DecideStillActive")).isEqualTo("units-still-active-decision");

        complete(stillActive.get(0), "abort", "oned restarts by itself, investigate");
        runJobs(engine);
        assertThat(pi).isWaitingAt("DecideStopFailed");
        assertThat(engine.getTaskService().createTaskQuery().taskDefinitionKey("DecideStillActive").count())
                .as("the other zones' stops are cancelled").isZero();
        assertThat(formOf("DecideStopFailed")).isEqualTo("stop-failed-decision");
        decide(engine, "DecideStopFailed", "abort", "back out, start the services by hand");
        runJobs(engine);

        assertThat(pi).isEnded().hasPassed("StopAborted", "DecideStopFailed", "AbortedZonesStopped")
                .hasNotPassed("UpgradeMaster", "PrepareStopRetry");
        assertOutcome(pi, "ABORTED", "no package or database was changed: start the services and enable the zones by hand");
        assertThat(fed.count("apt-get")).isZero();
        assertThat(fed.count("onedb")).isZero();
        assertThat(fed.zones.values()).as("API access stays blocked").noneMatch(z -> z.enabled);
    }

    @Test
    void aRetryAfterAZoneDidNotStopStopsEveryZoneAgainAsANewAttempt() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.unitsStuck = true;
        ProcessInstance pi = start(fed);
        complete(engine.getTaskService().createTaskQuery().taskDefinitionKey("DecideStillActive").list().get(0),
                "abort", "give up on this pass");
        runJobs(engine);
        assertThat(fed.count("systemctl stop")).isEqualTo(3);

        fed.unitsStuck = false;
        decide(engine, "DecideStopFailed", "retry", "stray oned killed on every zone");
        runJobs(engine);
        decide(engine, "ApproveReenable", "approve", "post-checks look good");
        runJobs(engine);

        assertThat(pi).isEnded().hasPassedInOrder("DecideStopFailed", "PrepareStopRetry", "StopAllZones",
                "UpgradeMaster", "FederationUpgraded");
        assertOutcome(pi, "COMPLETED", "every zone upgraded");
        assertThat(variable(pi.getId(), "stopAttempt")).isEqualTo(2);
        // a new attempt is a new idempotency key: that is the one way a stop runs a second time
        assertThat(fed.count("systemctl stop")).isEqualTo(6);
        assertThat(fed.runs.keySet()).anyMatch(k -> k.contains("-z0-stop-services-a2.1-"))
                .anyMatch(k -> k.contains("-z0-stop-services-a1.1-"));
    }

    @Test
    void aMasterWhoseStepIsAbortedEndsWithTheMasterFailed() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.failures.put("onedb upgrade", 1); // the master upgrades first: its onedb upgrade fails
        ProcessInstance pi = start(fed);
        Task failed = task(engine, "DecideFailedStep");
        assertThat(engine.getTaskService().getVariable(failed.getId(), "zoneName")).isEqualTo("M-EU-FR");
        decide(engine, "DecideFailedStep", "abort", "DB upgrade broken, restore the master from its backup");
        runJobs(engine);

        assertThat(pi).isEnded().hasPassed("UpgradeMaster", "MasterUpgraded", "AbortedMasterFailed")
                .hasNotPassed("FederatedBackup", "UpgradeSlaveBatch");
        assertOutcome(pi, "ABORTED", "the master is partly upgraded: restore it from the backups in its upgrade directory");
        String master = zoneInstance(pi, 0);
        assertThat(passed(master, "RecordZoneAborted")).isTrue();
        assertThat(variable(master, "zoneOutcome")).isEqualTo("ABORTED");
        assertThat(fed.count("--federated")).isZero();
        assertThat(fed.count("onedb restore")).isZero();
    }

    @Test
    void aFailedFederatedBackupEndsWithTheSlavesUntouched() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.failures.put("onedb backup -v -f --federated", 1);
        ProcessInstance pi = start(fed);
        assertThat(engine.getTaskService().getVariable(task(engine, "DecideFailedStep").getId(), "step"))
                .isEqualTo("federated-backup");
        decide(engine, "DecideFailedStep", "abort", "backup disk full, run it by hand");
        runJobs(engine);

        assertThat(pi).isEnded().hasPassed("UpgradeMaster", "BackupAborted", "AbortedBackupFailed")
                .hasNotPassed("ChecksumBackup", "UpgradeSlaveBatch");
        assertOutcome(pi, "ABORTED", "slaves stopped on the old version: fix and run onedb backup --federated by hand");
        assertThat(fed.zone(0).version).isEqualTo("7.0.0");
        assertThat(fed.zone(100).installed).isEqualTo("6.10.0");
        assertThat(fed.zone(101).installed).isEqualTo("6.10.0");
        assertThat(fed.count("onedb restore")).isZero();
    }

    @Test
    void abortingTheFailedSlavesEndsWithTheOthersUpgradedAndNothingReenabled() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.failures.put("onedb restore", 1); // the first slave's federated restore fails
        ProcessInstance pi = start(fed);
        decide(engine, "DecideFailedStep", "abort", "restore corrupt on this slave");
        runJobs(engine);
        assertThat(pi).isWaitingAt("DecideFailedSlaves");
        decide(engine, "DecideFailedSlaves", "abort", "stop here, rebuild the slave first");
        runJobs(engine);

        assertThat(pi).isEnded().hasPassed("CollectSlaveOutcomes", "DecideFailedSlaves", "AbortedSlavesFailed")
                .hasNotPassed("RunPostChecks", "EnableApiAccess", "EnableHosts");
        assertOutcome(pi, "ABORTED", "some slaves failed and stay stopped and disabled (see failedSlaveZoneIds)");
        String failedIds = (String) variable(pi.getId(), "failedSlaveZoneIds");
        assertThat(failedIds).isIn("100", "101");
        assertThat(fed.zone(Integer.parseInt(failedIds)).installed).isEqualTo("6.10.0");
        assertThat(fed.zones.values()).as("API access stays blocked").noneMatch(z -> z.enabled);
    }

    /** WaitForApi while the API does not answer; past the deadline DecideApiDown; "wait" starts a fresh deadline. */
    @Test
    void anApiThatDoesNotComeBackIsWaitedForThenAnOperatorWaitsLonger() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.apiStaysDown.add(0);
        ProcessInstance pi = start(fed);
        String master = zoneInstance(pi, 0);
        assertThat(waitingAt(master)).containsExactly("WaitForApi");
        fireTimers(engine);
        runJobs(engine);
        assertThat(waitingAt(master)).as("before the deadline: wait again").containsExactly("WaitForApi");

        clock.advance(ProcessTestSupport.SETTINGS.apiDeadline().plusSeconds(1));
        fireTimers(engine);
        runJobs(engine);
        assertThat(waitingAt(master)).containsExactly("DecideApiDown");
        assertThat(formOf("DecideApiDown")).isEqualTo("api-down-decision");
        assertThat((String) engine.getTaskService().getVariable(task(engine, "DecideApiDown").getId(), "stepFailure"))
                .contains("still does not answer after the deadline");

        fed.apiStaysDown.clear();
        fed.zone(0).running = true; // the operator started oned by hand
        decide(engine, "DecideApiDown", "wait", "oned started by hand, check again");
        runJobs(engine);
        assertThat(variable(master, "apiDeadline")).as("a fresh deadline")
                .isEqualTo(clock.instant().plus(ProcessTestSupport.SETTINGS.apiDeadline()).toString());
        decide(engine, "ApproveReenable", "approve", "post-checks look good");
        runJobs(engine);

        assertThat(pi).isEnded().hasPassed("FederatedBackup", "FederationUpgraded");
        assertOutcome(pi, "COMPLETED", "every zone upgraded");
        assertThat(passed(master, "WaitForApi")).isTrue();
        assertThat(passed(master, "DecideApiDown")).isTrue();
        assertThat(passed(master, "ZoneUpgraded")).isTrue();
    }

    @Test
    void abortingAZoneWhoseApiDidNotComeBackEndsThatZoneAborted() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.apiStaysDown.add(0);
        ProcessInstance pi = start(fed);
        clock.advance(ProcessTestSupport.SETTINGS.apiDeadline().plusSeconds(1));
        fireTimers(engine);
        runJobs(engine);
        decide(engine, "DecideApiDown", "abort", "oned does not start, restore the master");
        runJobs(engine);

        String master = zoneInstance(pi, 0);
        assertThat(passed(master, "ZoneApiAborted")).isTrue();
        assertThat(passed(master, "RecordZoneAborted")).isTrue();
        assertThat(passed(master, "UpgradeNodes")).isFalse();
        assertThat(variable(master, "zoneOutcome")).isEqualTo("ABORTED");
        assertThat(pi).isEnded().hasPassed("AbortedMasterFailed").hasNotPassed("FederatedBackup");
        assertOutcome(pi, "ABORTED", "the master is partly upgraded");
        assertThat(fed.count("--federated")).isZero();
    }

    // ------------------------------------------------------------------ helpers

    private void assertOutcome(ProcessInstance pi, String outcome, String detail) {
        assertThat(variable(pi.getId(), "upgradeOutcome")).isEqualTo(outcome);
        assertThat((String) variable(pi.getId(), "upgradeOutcomeDetail")).contains(detail);
    }

    private Object variable(String processInstanceId, String name) {
        HistoricVariableInstance v = engine.getHistoryService().createHistoricVariableInstanceQuery()
                .processInstanceId(processInstanceId).variableName(name).singleResult();
        assertThat(v).as(name + " of " + processInstanceId).isNotNull();
        return v.getValue();
    }

    /** The zone-upgrade instance of one zone, called by this upgrade. */
    private String zoneInstance(ProcessInstance root, int zoneId) {
        return engine.getHistoryService().createHistoricProcessInstanceQuery().processDefinitionKey("zone-upgrade")
                .superProcessInstanceId(root.getId()).variableValueEquals("zoneId", zoneId).singleResult().getId();
    }

    private boolean passed(String processInstanceId, String activityId) {
        return engine.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(processInstanceId)
                .activityId(activityId).finished().count() > 0;
    }

    private List<String> waitingAt(String processInstanceId) {
        return engine.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(processInstanceId)
                .unfinished().list().stream().map(a -> a.getActivityId()).toList();
    }

    private String formOf(String taskDefinitionKey) {
        return engine.getTaskService().createTaskQuery().taskDefinitionKey(taskDefinitionKey).initializeFormKeys()
                .list().get(0).getCamundaFormRef().getKey();
    }

    private void complete(Task task, String decision, String comment) {
        engine.getTaskService().complete(task.getId(), Map.of("decision", decision, "comment", comment));
    }

}
