package io.onefed.upgrade.process;

import static io.onefed.upgrade.process.ProcessTestSupport.runJobs;
import static io.onefed.upgrade.process.ProcessTestSupport.startVariables;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import java.util.Map;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;

/**
 * What cannot be rolled back is found before the first change: a zone whose repository no longer offers the running
 * version blocks the upgrade at the preflight, with a finding that names the zone and the fix, and the plan an
 * approver sees lists the rollback per zone.
 */
class RollbackPreflightProcessTest extends ProcessTestBase {

    private ProcessInstance start(FakeFederation fed) {
        ProcessTestSupport.register(fed);
        Map<String, Object> vars = startVariables(fed, "7.0.0", 5);
        ProcessInstance pi = engine.getRuntimeService().startProcessInstanceByKey("federation-upgrade",
                (String) vars.get("upgradeId"), vars);
        runJobs(engine);
        return pi;
    }

    @Test
    void aPreviousVersionNoLongerOfferedBlocksTheUpgradeBeforeAnyChange() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.previousWithdrawn = true;
        ProcessInstance pi = start(fed);
        assertThat(pi).isWaitingAt("ReviewPreflight");
        String summary = (String) engine.getRuntimeService().getVariable(pi.getId(), "preflightSummary");
        assertThat(summary).contains("[FAIL] M-EU-FR: rollback: 6.10 repository still offers 6.10.0 (m-eu-fr-fe0)"
                + " - opennebula 6.10.0 is no longer in the repository")
                .contains("mirror the 6.10 repository with 6.10.0 and point federation.zones[id=0].repository at it")
                .contains("[FAIL] S-EU-GE: rollback");
        assertThat(fed.started).as("nothing changed").isEmpty();
    }

    @Test
    void thePlanTheApproverSeesShowsTheRollbackPerZoneSlavesFirst() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        ProcessInstance pi = start(fed);
        assertThat(pi).isWaitingAt("ApproveStart");
        assertThat((String) engine.getRuntimeService().getVariable(pi.getId(), "planSummary"))
                .contains("Only on an operator's roll back");
        // every command in full: the plan file the approval's hash covers
        org.camunda.bpm.engine.variable.value.FileValue file = engine.getRuntimeService().getVariableTyped(pi.getId(), "plan");
        String plan;
        try (java.io.InputStream in = file.getValue()) {
            plan = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        int slave = plan.indexOf("[S-EU-GE] Restore the pre-upgrade database (onedb restore -f)");
        int master = plan.indexOf("[M-EU-FR] Restore the pre-upgrade database (onedb restore -f)");
        assertThat(slave).as(plan).isPositive().isLessThan(master);
        assertThat(plan.substring(master)).contains("[M-EU-FR] Install the previous package versions")
                .contains("apt-get install -y --allow-downgrades")
                .contains("After the rollback: re-enable the hypervisor hosts recorded as enabled");
    }
}
