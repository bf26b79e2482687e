package io.onefed.upgrade.process;

import static io.onefed.upgrade.process.ProcessTestSupport.decide;
import static io.onefed.upgrade.process.ProcessTestSupport.runJobs;
import static io.onefed.upgrade.process.ProcessTestSupport.startVariables;
import static io.onefed.upgrade.process.ProcessTestSupport.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import io.onefed.upgrade.audit.Report;
import io.onefed.upgrade.audit.ReportService;
import java.util.Map;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.variable.type.ValueType;
import org.junit.jupiter.api.Test;

/**
 * A zone with 3000 hypervisor hosts with long names, end to end through every part that handles hosts: the host
 * list read before the plan, recording and disabling the enabled hosts, the node upgrade with 2000 failed hosts,
 * the operator's skip, onehost sync of the rest, re-enabling and the report. Before, each host list was a String
 * variable: the first one over 4000 characters (zoneNodes, in the preflight) failed its job with the database's
 * "value too long" and the upgrade stuck at an incident; the failed-step form would have listed every host.
 */
class LargeZoneProcessTest extends ProcessTestBase {

    static final int HOSTS = 3000;
    static final int FAILING = 2000;
    static final String PREFIX = "kvm-geneva-datacenter-rack-row-17-hypervisor-node-";

    private void noFailedJob() {
        assertThat(engine.getManagementService().createJobQuery().withException().list())
                .as("jobs that failed (e.g. a variable over 4000 characters)").isEmpty();
        assertThat(engine.getRuntimeService().createIncidentQuery().list()).isEmpty();
    }

    @Test
    void threeThousandHostsWithLongNamesAreUpgradedSkippedSyncedAndReEnabled() {
        FakeFederation fed = FakeFederation.largeMaster(HOSTS, HOSTS, PREFIX, "S-EU-GE");
        // the first 2000 hosts' node upgrade fails (by host: their starts run side by side, in no fixed order)
        fed.failOn.put("opennebula-node-kvm", t -> t.serverName().startsWith(PREFIX)
                && Integer.parseInt(t.serverName().substring(PREFIX.length())) < FAILING);
        ProcessTestSupport.register(fed);
        Map<String, Object> vars = startVariables(fed, "7.0.0", 5);
        ProcessInstance pi = engine.getRuntimeService().startProcessInstanceByKey("federation-upgrade",
                (String) vars.get("upgradeId"), vars);
        runJobs(engine);

        noFailedJob();
        assertThat(pi).isWaitingAt("ApproveStart");
        String zoneNodes = Vars.str(engine.getRuntimeService().getVariable(pi.getId(), "zoneNodes"));
        assertThat(zoneNodes.length()).isGreaterThan(HOSTS * PREFIX.length());
        assertThat(engine.getRuntimeService().getVariableTyped(pi.getId(), "zoneNodes").getType())
                .isEqualTo(ValueType.BYTES);
        assertThat(Vars.str(engine.getRuntimeService().getVariable(pi.getId(), "planSummary")).length())
                .as("the approval form's plan summary").isLessThanOrEqualTo(Vars.MAX_STRING);

        decide(engine, "ApproveStart", "approve", "CHG-3000");
        runJobs(engine);

        noFailedJob();
        assertThat(fed.zone(0).hostStates.values()).as("every host disabled").containsOnly(4);
        assertThat(Vars.str(engine.getRuntimeService().getVariable(pi.getId(), "enabledHosts")))
                .startsWith("0:0 1 2 3").contains(" 2999;");
        String form = Vars.str(engine.getTaskService().getVariable(task(engine, "DecideFailedStep").getId(), "stepFailure"));
        assertThat(form.length()).as("the decision form's text").isLessThanOrEqualTo(Vars.MAX_STRING);
        assertThat(form).contains("[" + FAILING + " hosts: " + PREFIX + "0, ").contains("and " + (FAILING - 20) + " more]");

        decide(engine, "DecideFailedStep", "skip", "2000 hosts wait for new firmware (INC-7)");
        runJobs(engine);

        noFailedJob();
        assertThat(fed.count("opennebula-node-kvm")).as("each host's node upgrade started once").isEqualTo(HOSTS);
        assertThat(fed.started).anyMatch(c -> c.startsWith("M-EU-FR/m-eu-fr-fe0: ")
                && c.contains("onehost sync --force 2000..2999;"));
        decide(engine, "ApproveReenable", "approve", "post-checks green");
        runJobs(engine);

        noFailedJob();
        assertThat(pi).isEnded();
        for (int id = 0; id < HOSTS; id++) {
            assertThat(fed.zone(0).hostStates.get(id)).as("host " + id).isEqualTo(id < FAILING ? 4 : 2);
        }
        Report report = new ReportService(engine.getHistoryService()).report((String) vars.get("upgradeId"));
        assertThat(report.skippedHosts()).hasSize(FAILING).first().isEqualTo(new Report.SkippedHost(0, 0));
        assertThat(report.commands()).filteredOn(c -> "upgrade-nodes".equals(c.step())).hasSize(HOSTS);
    }
}
