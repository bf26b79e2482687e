package io.onefed.upgrade.process;

import static io.onefed.upgrade.process.ProcessTestSupport.decide;
import static io.onefed.upgrade.process.ProcessTestSupport.runJobs;
import static io.onefed.upgrade.process.ProcessTestSupport.startVariables;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import io.onefed.upgrade.audit.Report;
import io.onefed.upgrade.audit.ReportHtml;
import io.onefed.upgrade.audit.ReportService;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The audit report of an upgrade with a failed command, an incident retried from "Cockpit" and two approvals. */
class AuditReportProcessTest extends ProcessTestBase {

    @AfterEach
    void reset() {
        engine.getIdentityService().clearAuthentication();
        Mocks.reset();
    }

    void as(String user, Runnable action) {
        engine.getIdentityService().setAuthenticatedUserId(user);
        try {
            action.run();
        } finally {
            engine.getIdentityService().clearAuthentication();
        }
        runJobs(engine);
    }

    @Test
    void theReportShowsApprovalsCommandsRetriesIncidentsBackupsAndVersionsWhileRunningAndAtTheEnd() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.failures.put("onedb upgrade", 1);
        ProcessTestSupport.register(fed);
        Map<String, Object> vars = startVariables(fed, "7.0.0", 5);
        String id = (String) vars.get("upgradeId");
        // the report's "started by" is the engine's start user, as the service's own start records it
        engine.getIdentityService().setAuthenticatedUserId("operator1");
        ProcessInstance pi;
        try {
            pi = engine.getRuntimeService().startProcessInstanceByKey("federation-upgrade", id, vars);
        } finally {
            engine.getIdentityService().clearAuthentication();
        }
        runJobs(engine);
        ReportService reports = new ReportService(engine.getHistoryService());
        String planHash = (String) engine.getRuntimeService().getVariable(pi.getId(), "planHash");

        fed.zone(0).running = false; // the master's API is down when the hosts are recorded: an incident
        as("alice", () -> decide(engine, "ApproveStart", "approve", "CHG-77 <script>alert(1)</script>"));
        Job failed = engine.getManagementService().createJobQuery().withException().singleResult();
        fed.zone(0).running = true;
        as("bob", () -> {
            engine.getManagementService().setJobRetries(failed.getId(), 1);
            engine.getManagementService().setJobDuedate(failed.getId(), new java.util.Date());
        });
        as("carol", () -> decide(engine, "DecideFailedStep", "retry", "freed disk space"));
        assertThat(pi).isWaitingAt("ApproveReenable");

        Report running = reports.report(id);
        assertThat(running.state()).isEqualTo("running");
        assertThat(running.outcome()).isNull();
        assertThat(running.approvals()).extracting(Report.Approval::taskKey, Report.Approval::decidedBy)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("ApproveStart", "alice"),
                        org.assertj.core.groups.Tuple.tuple("DecideFailedStep", "carol"),
                        org.assertj.core.groups.Tuple.tuple("ApproveReenable", null));

        as("dave", () -> decide(engine, "ApproveReenable", "approve", "post-checks green"));
        assertThat(pi).isEnded();
        Report r = reports.report(id);

        assertThat(r.state()).isEqualTo("ended");
        assertThat(r.outcome()).isEqualTo("COMPLETED");
        assertThat(r.startedBy()).isEqualTo("operator1");
        assertThat(r.fromVersion()).isEqualTo("6.10.0");
        assertThat(r.approvedPlanHash()).isEqualTo(planHash);
        assertThat(r.versionsAfter()).extracting(Report.ZoneVersion::version).containsOnly("7.0.0").hasSize(3);
        Report.Approval start = r.approvals().get(0);
        assertThat(start.decision()).isEqualTo("approve");
        assertThat(start.planHash()).isEqualTo(planHash);
        assertThat(start.comment()).contains("CHG-77");
        assertThat(r.approvals()).extracting(Report.Approval::decidedBy).containsExactly("alice", "carol", "dave");

        assertThat(r.incidents()).singleElement().satisfies(i -> {
            assertThat(i.activityId()).isEqualTo("RecordEnabledHosts");
            assertThat(i.state()).isEqualTo("resolved");
            assertThat(i.retriedBy()).singleElement().asString().startsWith("bob at ");
        });
        assertThat(r.timeline()).filteredOn(s -> s.activityId().equals("RecordEnabledHosts")).singleElement()
                .satisfies(s -> assertThat(s.failedAttempts()).isEqualTo(1));
        assertThat(r.timeline()).extracting(Report.Step::activityId)
                .contains("RunPreflight", "ApproveStart", "StopAllZones", "UpgradeMaster", "UpgradeDb", "FederatedBackup",
                        "RestoreFederated", "ApproveReenable", "FederationUpgraded");

        List<Report.Command> upgrades = r.commands().stream().filter(c -> c.command().startsWith("onedb upgrade")).toList();
        assertThat(upgrades).hasSize(4); // the master's failed attempt, its retry, two slaves
        assertThat(upgrades).filteredOn(c -> Integer.valueOf(1).equals(c.exitStatus())).singleElement().satisfies(c -> {
            assertThat(c.zone()).isEqualTo("M-EU-FR");
            assertThat(c.step()).isEqualTo("upgrade-db");
            assertThat(c.key()).contains("-a1.1-");
            assertThat(c.stderr()).contains("simulated failure");
        });
        assertThat(r.commands()).allSatisfy(c -> {
            assertThat(c.host()).isNotBlank();
            assertThat(c.server()).isNotBlank();
        });
        assertThat(r.backups()).anySatisfy(b -> {
            assertThat(b.zone()).isEqualTo("master");
            assertThat(b.path()).endsWith("federated-from-zone-0.bck");
            assertThat(b.sha256()).isEqualTo(engine.getHistoryService().createHistoricVariableInstanceQuery()
                    .processInstanceId(pi.getId()).variableName("federatedBackupSha256").singleResult().getValue());
        });
        assertThat(r.backups()).filteredOn(b -> b.kind().startsWith("federated backup, copy")).hasSize(2);

        String html = ReportHtml.render(r);
        assertThat(html).contains("CHG-77 &lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>")
                .contains("bob at ").contains(planHash).contains("onedb upgrade -v").contains("simulated failure");
        assertThat(html + r).doesNotContain("ONE_AUTH_TEST");
    }

    @Test
    void anUnknownUpgradeHasNoReport() {
        assertThat(new ReportService(engine.getHistoryService()).report("U-none")).isNull();
    }
}
