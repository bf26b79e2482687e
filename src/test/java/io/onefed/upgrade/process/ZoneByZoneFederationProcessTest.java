package io.onefed.upgrade.process;

import static io.onefed.upgrade.process.ProcessTestSupport.decide;
import static io.onefed.upgrade.process.ProcessTestSupport.runJobs;
import static io.onefed.upgrade.process.ProcessTestSupport.startVariables;
import static io.onefed.upgrade.process.ProcessTestSupport.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import java.util.Map;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, part 2, through {@code federation-upgrade}: the gateways that choose the procedure after the start
 * approval ("Procedure?"), end a zone-by-zone upgrade ("Every zone upgraded?") and skip the re-opening zone by zone
 * ("Federation frozen?"), each way. 6.10.0 -> 6.10.3 keeps the shared DB version 6.10.0 (release table).
 */
class ZoneByZoneFederationProcessTest extends ProcessTestBase {

    ProcessInstance startAndApprove(FakeFederation fed, String target, boolean forceFederated) {
        FakeFederation.TARGET = target;
        ProcessTestSupport.register(fed);
        Map<String, Object> vars = startVariables(fed, target, 1);
        vars.put("forceFederated", forceFederated);
        ProcessInstance pi = engine.getRuntimeService().startProcessInstanceByKey("federation-upgrade",
                (String) vars.get("upgradeId"), vars);
        runJobs(engine);
        assertThat(pi).isWaitingAt("ApproveStart");
        String approval = task(engine, "ApproveStart").getId();
        approvalShows = engine.getTaskService().getVariable(approval, "procedure") + ": "
                + engine.getTaskService().getVariable(approval, "procedureReason") + " | "
                + engine.getTaskService().getVariable(approval, "planSummary");
        decide(engine, "ApproveStart", "approve", "change CHG-2001, maintenance release");
        runJobs(engine);
        return pi;
    }

    String approvalShows;

    @Test
    void aMaintenanceReleaseGoesZoneByZoneWithoutFreezingOrReopeningTheFederation() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        ProcessInstance pi = startAndApprove(fed, "6.10.3", false);

        assertThat(approvalShows).startsWith("ZONE_BY_ZONE: Zone by zone: 6.10.0 and 6.10.3 share")
                .contains("Procedure: ZONE_BY_ZONE");
        assertThat(pi).isEnded().hasPassedInOrder("ApproveStart", "CheckApprovedPlan", "ChooseProcedure",
                "UpgradeZoneByZone", "ZonesUpgradedByZone", "RunPostChecks", "ReopenNeeded", "FederationUpgraded")
                .hasNotPassed("FreezeFederation", "StopAllZones", "FederatedBackup", "ApproveReenable", "ReopenFederation");
        assertThat(variable(pi, "upgradeOutcome")).isEqualTo("COMPLETED");
        assertThat(variable(pi, "upgradedZoneIds")).isEqualTo("0,100,101");
        assertThat(fed.zones.values()).allMatch(z -> z.installed.equals("6.10.3") && z.enabled);
        assertThat(fed.started).noneMatch(c -> c.contains("--federated"));
        assertThat(fed.started).as("no zone was disabled").noneMatch(c -> c.contains("zone.enable"));
    }

    @Test
    void forcingTheFederatedProcedureTakesTheFederatedPath() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        ProcessInstance pi = startAndApprove(fed, "6.10.3", true);
        assertThat(approvalShows).startsWith("FEDERATED: Federated procedure: an operator asked for it");
        decide(engine, "ApproveReenable", "approve", "post-checks fine");
        runJobs(engine);
        assertThat(pi).isEnded().hasPassedInOrder("ChooseProcedure", "FreezeFederation", "StopAllZones",
                "FederatedBackup", "RunPostChecks", "ReopenNeeded", "ApproveReenable", "FederationUpgraded")
                .hasNotPassed("UpgradeZoneByZone");
        assertThat(fed.started).anyMatch(c -> c.contains("--federated"));
    }

    @Test
    void aMasterThatRequiresAnotherSharedVersionEndsTheUpgradeAbortedWithTheSlavesUntouched() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.requiredShared.put("6.10.3", "6.10.3");
        ProcessInstance pi = startAndApprove(fed, "6.10.3", false);
        assertThat(task(engine, "DecideSharedVersion")).isNotNull();
        decide(engine, "DecideSharedVersion", "abort", "slaves go the federated way");
        runJobs(engine);
        assertThat(pi).isEnded().hasPassed("UpgradeZoneByZone", "ZonesUpgradedByZone", "AbortedZoneByZone")
                .hasNotPassed("RunPostChecks");
        assertThat(variable(pi, "upgradeOutcome")).isEqualTo("ABORTED");
        assertThat((String) variable(pi, "upgradeOutcomeDetail")).contains("SHARED_VERSION_DIFFERS");
        assertThat(variable(pi, "rollingOutcome")).isEqualTo("SHARED_VERSION_DIFFERS");
        assertThat((String) variable(pi, "sharedVersionFinding")).contains("No slave has been touched");
        assertThat(fed.started).allMatch(c -> c.startsWith("M-EU-FR/"));
    }

    @Test
    void rollingBackAtTheSharedVersionDecisionRollsTheMasterBackAndEnablesTheHostsItsZoneDisabled() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.requiredShared.put("6.10.3", "6.10.3");
        ProcessInstance pi = startAndApprove(fed, "6.10.3", false);
        assertThat(fed.zone(0).hostStates.get(0)).as("the master's zone disabled its host").isEqualTo(4);
        decide(engine, "DecideSharedVersion", "rollback", "6.10.3 changes the federated tables");
        runJobs(engine);
        assertThat(pi).isEnded().hasPassedInOrder("UpgradeZoneByZone", "ZonesUpgradedByZone", "RollBackUpgrade",
                "UpgradeRolledBack").hasNotPassed("AbortedZoneByZone", "RunPostChecks");
        assertThat(variable(pi, "rollingOutcome")).isEqualTo("ROLLBACK_REQUESTED");
        assertThat(variable(pi, "upgradeOutcome")).isEqualTo("ROLLED_BACK");
        assertThat(fed.zone(0).installed).as("the master's previous packages").isEqualTo("6.10.0");
        assertThat(fed.started).as("the master was never migrated").noneMatch(c -> c.contains("onedb upgrade"));
        // the hosts the master's zone recorded and disabled are enabled again; the one disabled on purpose is not
        assertThat(fed.zone(0).hostStates.get(0)).isEqualTo(2);
        assertThat(fed.zone(0).hostStates.get(1)).isEqualTo(4);
        assertThat(fed.started).as("no slave touched").noneMatch(c -> c.startsWith("S-") && !c.contains("/api:"));
    }

    private Object variable(ProcessInstance pi, String name) {
        HistoricVariableInstance v = engine.getHistoryService().createHistoricVariableInstanceQuery()
                .processInstanceId(pi.getId()).variableName(name).singleResult();
        assertThat(v).as(name).isNotNull();
        return v.getValue();
    }
}
