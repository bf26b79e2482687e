package io.onefed.upgrade.process;

import static io.onefed.upgrade.process.ProcessTestSupport.decide;
import static io.onefed.upgrade.process.ProcessTestSupport.runJobs;
import static io.onefed.upgrade.process.ProcessTestSupport.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, part 2: every gateway and decision of {@code rolling-upgrade} (the zone-by-zone procedure), on the
 * in-memory federation, started as the federation process calls it after the start approval (same variables, an
 * approved plan hash for its values). 6.10.0 -> 6.10.3: the release table gives both the shared DB version 6.10.0.
 */
class RollingUpgradeProcessTest extends ProcessTestBase {

    ProcessInstance start(FakeFederation fed, int maxParallel) {
        FakeFederation.TARGET = "6.10.3";
        ProcessTestSupport.register(fed);
        Map<String, Object> vars = new HashMap<>(ProcessTestSupport.startVariables(fed, "6.10.3", maxParallel));
        vars.put("fromVersion", "6.10.0");
        vars.put("zoneLeaders", "");
        vars.put("hasZoneDisable", true);
        vars.put("procedure", "ZONE_BY_ZONE");
        vars.put("expectedSharedDbVersion", "6.10.0");
        String upgradeId = (String) vars.get("upgradeId");
        vars.put("approvedPlanHash", ProcessTestSupport.planService(fed, fed.properties)
                .plan(upgradeId, "6.10.0", "6.10.3", "", true, null, null).sha256());
        ProcessInstance pi = engine.getRuntimeService().startProcessInstanceByKey("rolling-upgrade", upgradeId, vars);
        runJobs(engine);
        return pi;
    }

    @Test
    void everyZoneIsUpgradedMasterFirstThenTwoSlavesAtATimeWithoutAnyFederatedStep() {
        FakeFederation fed = new FakeFederation("6.10.0", false, "S1", "S2", "S3", "S4");
        ProcessInstance pi = start(fed, 2);

        assertThat(pi).isEnded().hasPassedInOrder("PlanRollingBatches", "RecordZoneHosts", "DisableZoneHosts",
                "StopZone", "UpgradeZoneInPlace", "ZoneUpgradedInPlace", "EnableZoneHosts", "CollectBatchOutcomes",
                "BatchUpgraded", "NextRollingBatch", "AnotherRollingBatch", "ZonesUpgradedInPlace").hasNotPassed("DecideSharedVersion", "RollingZoneFailed", "ZoneLeftDown", "ZoneLeftStopped");
        assertThat(variable(pi.getId(), "rollingOutcome")).isEqualTo("UPGRADED");
        assertThat(variable(pi.getId(), "upgradedZoneIds")).isEqualTo("0,100,101,102,103");
        assertThat(fed.zones.values()).allMatch(z -> z.installed.equals("6.10.3") && z.running && z.enabled);
        assertThat(fed.started).noneMatch(c -> c.contains("--federated"));
        // each zone's own hosts went off around its own upgrade and came back; the one disabled on purpose stayed so
        assertThat(fed.zones.values()).as(() -> fed.zones.values().stream().map(z -> z.hostStates.toString()).toList()
                + " " + fed.started.stream().filter(c -> c.contains("host.status")).toList())
                .allMatch(z -> z.hostStates.get(z.config.id() * 10) == 2
                && z.hostStates.get(z.config.id() * 10 + 1) == 4);
        assertThat(maxZonesDown(fed.started)).as("zones down at once").isEqualTo(2);
        // the master is back before any slave is touched, and it is alone while down
        int masterBack = indexOf(fed.started, "M-EU-FR/", "systemctl start");
        assertThat(fed.started.subList(0, masterBack)).allMatch(c -> c.startsWith("M-EU-FR/"));
        assertThat(variable(pi.getId(), "sharedVersionFinding").toString()).contains("confirms").contains("6.10.0");
        // the master confirmed it between its package upgrade and its onedb upgrade; the slaves did not ask
        var runs = engine.getHistoryService().createHistoricProcessInstanceQuery().processDefinitionKey("zone-upgrade").list();
        for (var run : runs) {
            boolean master = Boolean.TRUE.equals(variable(run.getId(), "zoneMaster"));
            assertThat(passed(run.getId(), "ConfirmSharedVersion")).as("zone-upgrade " + run.getId()).isEqualTo(master);
            if (master) {
                assertThat(activitiesInOrder(run.getId())).containsSubsequence("UpgradePackages",
                        "SharedVersionToConfirm", "ConfirmSharedVersion", "SharedVersionConfirmed", "UpgradeConfig",
                        "UpgradeDb");
            }
        }
        // zone-upgrade's IsSlave: zone by zone a slave goes the master's way, without the federated copy and restore
        var slaves = engine.getHistoryService().createHistoricProcessInstanceQuery().processDefinitionKey("zone-upgrade")
                .variableValueEquals("zoneMaster", false).list();
        assertThat(slaves).hasSize(4);
        for (var slave : slaves) {
            assertThat(passed(slave.getId(), "IsSlave")).isTrue();
            assertThat(passed(slave.getId(), "CopyFederatedBackup") || passed(slave.getId(), "RestoreFederated")).isFalse();
            assertThat(passed(slave.getId(), "UpgradeDb")).isTrue();
        }
    }

    private List<String> activitiesInOrder(String processInstanceId) {
        return engine.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(processInstanceId)
                .orderByHistoricActivityInstanceStartTime().asc().orderPartiallyByOccurrence().asc().list().stream()
                .map(a -> a.getActivityId()).toList();
    }

    private boolean passed(String processInstanceId, String activityId) {
        return engine.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(processInstanceId)
                .activityId(activityId).finished().count() > 0;
    }

    @Test
    void aMasterRequiringAnotherSharedVersionStopsForADecisionBeforeAnySlaveAndAbortLeavesThemUntouched() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.requiredShared.put("6.10.3", "6.10.3");
        ProcessInstance pi = start(fed, 2);

        assertThat(pi).isWaitingAt("DecideSharedVersion");
        assertThat(engine.getTaskService().createTaskQuery().taskDefinitionKey("DecideSharedVersion").initializeFormKeys()
                .singleResult().getCamundaFormRef().getKey()).isEqualTo("shared-version-decision");
        assertThat(fed.started).as("no slave touched").allMatch(c -> c.startsWith("M-EU-FR/"));
        assertThat(fed.zone(0).installed).isEqualTo("6.10.3");
        // asked between the master's package upgrade and its onedb upgrade: its database is not migrated
        assertThat(fed.started).as("the master's onedb upgrade").noneMatch(c -> c.contains("onedb upgrade"));
        assertThat(fed.started).noneMatch(c -> c.contains("onecfg upgrade"));
        String master = engine.getHistoryService().createHistoricProcessInstanceQuery().processDefinitionKey("zone-upgrade")
                .singleResult().getId();
        assertThat(activitiesInOrder(master)).containsSubsequence("UpgradePackages", "ConfirmSharedVersion",
                "SharedVersionConfirmed", "StoppedSharedVersionDiffers").doesNotContain("UpgradeConfig", "UpgradeDb");
        assertThat(variable(master, "zoneOutcome")).isEqualTo("SHARED_VERSION_DIFFERS");
        assertThat(engine.getTaskService().getVariable(task(engine, "DecideSharedVersion").getId(), "sharedVersionFinding")
                .toString()).contains("reports").contains("6.10.3").contains("release table gives 6.10.0")
                .contains("No slave has been touched");

        decide(engine, "DecideSharedVersion", "abort", "run the federated procedure for the slaves");
        runJobs(engine);
        assertThat(pi).isEnded().hasPassed("AbortedSharedVersion").hasNotPassed("NextRollingBatch");
        assertThat(variable(pi.getId(), "rollingOutcome")).isEqualTo("SHARED_VERSION_DIFFERS");
        assertThat(fed.zone(100).installed).isEqualTo("6.10.0");
        assertThat(fed.zone(101).installed).isEqualTo("6.10.0");
    }

    @Test
    void rollingBackAtTheSharedVersionDecisionEndsTheProcedureForTheUpgradesRollbackWithTheSlavesUntouched() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.requiredShared.put("6.10.3", "6.10.3");
        ProcessInstance pi = start(fed, 1);
        decide(engine, "DecideSharedVersion", "rollback", "6.10.3 changes the federated tables: federated procedure");
        runJobs(engine);
        assertThat(pi).isEnded().hasPassedInOrder("BatchUpgraded", "DecideSharedVersion", "SharedVersionDecision",
                "RollingRollbackAtSharedVersion").hasNotPassed("NextRollingBatch", "AbortedSharedVersion");
        assertThat(variable(pi.getId(), "rollingOutcome")).isEqualTo("ROLLBACK_REQUESTED");
        assertThat(variable(pi.getId(), "masterRequiredSharedVersion")).isEqualTo("6.10.3");
        assertThat(fed.zone(100).installed).isEqualTo("6.10.0");
        assertThat(fed.started).noneMatch(c -> c.contains("onedb upgrade"));
    }

    @Test
    void continuingIsNoLongerADecisionAtTheSharedVersion() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.requiredShared.put("6.10.3", "6.10.3");
        ProcessInstance pi = start(fed, 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> decide(engine, "DecideSharedVersion", "continue",
                "the table lags")).hasMessageContaining("decision");
        assertThat(pi).isWaitingAt("DecideSharedVersion");
    }

    @Test
    void aZoneWhoseUpgradeIsAbortedStopsTheProcedureAndLeavesTheLaterZonesUntouched() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.failures.put("onedb upgrade", 1); // the master's
        ProcessInstance pi = start(fed, 2);
        decide(engine, "DecideFailedStep", "abort", "restore the master from its backup");
        runJobs(engine);
        assertThat(pi).isEnded().hasPassed("ZoneUpgradedInPlace", "ZoneLeftDown", "BatchUpgraded", "RollingZoneFailed")
                .hasNotPassed("EnableZoneHosts", "DecideSharedVersion");
        assertThat(variable(pi.getId(), "rollingOutcome")).isEqualTo("ZONE_FAILED");
        assertThat(variable(pi.getId(), "batchFailedZoneIds")).isEqualTo("0");
        assertThat(fed.zone(0).hostStates.get(0)).as("a failed zone's hosts stay disabled").isEqualTo(4);
        assertThat(fed.started).noneMatch(c -> !c.startsWith("M-EU-FR/"));
    }

    @Test
    void aZoneThatDoesNotStopIsLeftStoppedAndNothingElseIsTouched() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.unitsStuck = true;
        ProcessInstance pi = start(fed, 2);
        decide(engine, "DecideStillActive", "abort", "oned keeps restarting");
        runJobs(engine);
        assertThat(pi).isEnded().hasPassed("ZoneStopAborted", "ZoneLeftStopped", "RollingZoneFailed")
                .hasNotPassed("UpgradeZoneInPlace", "DecideSharedVersion");
        assertThat(fed.count("apt-get")).isZero();
        assertThat(fed.started).noneMatch(c -> c.startsWith("S-"));
    }

    /** Zones between their stop and their start command, at most, over the commands in the order they ran. */
    static int maxZonesDown(List<String> started) {
        Set<String> down = new HashSet<>();
        int max = 0;
        for (String c : List.copyOf(started)) {
            String zone = c.substring(0, c.indexOf('/'));
            if (c.contains("systemctl stop")) {
                down.add(zone);
            } else if (c.contains("systemctl start opennebula")) {
                down.remove(zone);
            }
            max = Math.max(max, down.size());
        }
        return max;
    }

    private static int indexOf(List<String> started, String prefix, String fragment) {
        for (int i = 0; i < started.size(); i++) {
            if (started.get(i).startsWith(prefix) && started.get(i).contains(fragment)) {
                return i;
            }
        }
        throw new AssertionError("no " + fragment + " on " + prefix + " in " + started);
    }

    private Object variable(String processInstanceId, String name) {
        HistoricVariableInstance v = engine.getHistoryService().createHistoricVariableInstanceQuery()
                .processInstanceId(processInstanceId).variableName(name).singleResult();
        assertThat(v).as(name + " of " + processInstanceId).isNotNull();
        return v.getValue();
    }
}
