package io.onefed.upgrade.process;

import static io.onefed.upgrade.process.ProcessTestSupport.decide;
import static io.onefed.upgrade.process.ProcessTestSupport.fireTimers;
import static io.onefed.upgrade.process.ProcessTestSupport.runJobs;
import static io.onefed.upgrade.process.ProcessTestSupport.startVariables;
import static io.onefed.upgrade.process.ProcessTestSupport.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.notify.IncidentNotifyingHandler;
import io.onefed.upgrade.notify.Notifier;
import io.onefed.upgrade.plan.Plan;
import io.onefed.upgrade.plan.PlanService;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.incident.IncidentHandler;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.camunda.bpm.engine.variable.value.FileValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The approval gates on the in-memory federation: four eyes, plan-bound start approval, deadlines and the
 * notifications an approval, an end and an incident send.
 */
class ApprovalProcessTest extends ProcessTestBase {

    /** Every event sent, as the webhook would get it. */
    record Sent(String event, Map<String, Object> fields) {
    }

    final List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
    final Notifier recorder = (event, fields) -> sent.add(new Sent(event, new HashMap<>(fields)));

    @AfterEach
    void reset() {
        engine.getIdentityService().clearAuthentication();
        Mocks.reset();
        FakeFederation.TARGET = "7.0.0";
    }

    ProcessInstance start(FakeFederation fed, ApprovalSettings settings) {
        ProcessTestSupport.register(fed, recorder, settings);
        Map<String, Object> vars = startVariables(fed, "7.0.0", 5);
        // four eyes trusts the start user the engine records, as the service's own start sets it
        engine.getIdentityService().setAuthenticatedUserId((String) vars.get("startedBy"));
        ProcessInstance pi;
        try {
            pi = engine.getRuntimeService().startProcessInstanceByKey("federation-upgrade",
                    (String) vars.get("upgradeId"), vars);
        } finally {
            engine.getIdentityService().clearAuthentication();
        }
        runJobs(engine);
        return pi;
    }

    void decideAs(String user, String taskKey, String decision, String comment) {
        engine.getIdentityService().setAuthenticatedUserId(user);
        try {
            decide(engine, taskKey, decision, comment);
        } finally {
            engine.getIdentityService().clearAuthentication();
        }
        runJobs(engine);
    }

    Map<String, Object> taskLocals(String taskKey) {
        String taskId = engine.getHistoryService().createHistoricTaskInstanceQuery().taskDefinitionKey(taskKey)
                .finished().orderByHistoricTaskInstanceEndTime().desc().list().get(0).getId();
        Map<String, Object> locals = new HashMap<>();
        for (HistoricVariableInstance v : engine.getHistoryService().createHistoricVariableInstanceQuery()
                .taskIdIn(taskId).list()) {
            locals.put(v.getName(), v.getValue());
        }
        return locals;
    }

    /** Issue 12: variables sent along with a completion would change what the approval covers. */
    @Test
    void aCompletionMaySetOnlyTheDecisionAndTheCommentAndARefusalIsRecorded() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        ProcessInstance pi = start(fed, ApprovalSettings.defaults());
        assertThat(pi).isWaitingAt("ApproveStart");
        String taskId = task(engine, "ApproveStart").getId();
        Object target = engine.getRuntimeService().getVariable(pi.getId(), "targetVersion");
        Object hash = engine.getRuntimeService().getVariable(pi.getId(), "planHash");
        engine.getIdentityService().setAuthenticatedUserId("operator2");
        try {
            for (Map.Entry<String, Object> extra : List.of(Map.<String, Object>entry("targetVersion", "6.0.0"),
                    Map.<String, Object>entry("startedBy", "operator9"),
                    Map.<String, Object>entry("federatedBackupPath", "/tmp/mine.bck"))) {
                Map<String, Object> vars = new HashMap<>(Map.of("decision", "approve", "comment", "ok"));
                vars.put(extra.getKey(), extra.getValue());
                assertThatThrownBy(() -> engine.getTaskService().complete(taskId, vars))
                        .hasMessageContaining("refused").hasMessageContaining(extra.getKey());
            }
            assertThat(engine.getRuntimeService().getVariable(pi.getId(), "targetVersion")).isEqualTo(target);
            assertThat(engine.getTaskService().getTaskComments(taskId)).hasSize(3)
                    .allSatisfy(c -> assertThat(c.getFullMessage()).startsWith(ApprovalListener.REFUSED))
                    .allSatisfy(c -> assertThat(c.getUserId()).isEqualTo("operator2"));
            // the form's read-only fields sent back unchanged, as Tasklist does, are fine
            Map<String, Object> form = new HashMap<>(Map.of("decision", "approve", "comment", "CHG-1 ok"));
            form.put("targetVersion", target);
            form.put("planHash", hash);
            engine.getTaskService().complete(taskId, form);
        } finally {
            engine.getIdentityService().clearAuthentication();
        }
        runJobs(engine);
        assertThat(pi).isWaitingAt("ApproveReenable");
    }

    @Test
    void fourEyesRefusesTheOperatorWhoStartedTheUpgradeAndRecordsWhoApprovedWhichPlan() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        ProcessInstance pi = start(fed, ApprovalSettings.defaults());
        assertThat(pi).isWaitingAt("ApproveStart");
        String shownHash = (String) engine.getRuntimeService().getVariable(pi.getId(), "planHash");
        assertThat((String) engine.getRuntimeService().getVariable(pi.getId(), "planSummary"))
                .contains(shownHash).contains("[M-EU-FR] Upgrade OpenNebula packages (exactly 7.0.0-1) on m-eu-fr-fe0");

        assertThatThrownBy(() -> decideAs("operator1", "ApproveStart", "approve", "I started it, I approve it"))
                .hasMessageContaining("four eyes").hasMessageContaining("operator1 started upgrade")
                .hasMessageContaining("another operator must decide");
        assertThat(pi).isWaitingAt("ApproveStart");

        decideAs("operator2", "ApproveStart", "approve", "CHG-1234 approved");
        assertThat(pi).isWaitingAt("ApproveReenable");
        Map<String, Object> locals = taskLocals("ApproveStart");
        assertThat(locals).containsEntry("decidedBy", "operator2").containsEntry("decision", "approve")
                .containsEntry("comment", "CHG-1234 approved").containsEntry("planHash", shownHash);
        assertThat(engine.getRuntimeService().getVariable(pi.getId(), "approvedPlanHash")).isEqualTo(shownHash);

        assertThat((String) engine.getRuntimeService().getVariable(pi.getId(), "progressSummary"))
                .contains("Slave zones upgraded: 100,101").contains("Master zone: UPGRADED")
                .contains("federated-from-zone-0.bck")
                .contains("SHA-256 " + engine.getRuntimeService().getVariable(pi.getId(), "federatedBackupSha256"));
        assertThatThrownBy(() -> decideAs("operator1", "ApproveReenable", "approve", "looks fine"))
                .hasMessageContaining("four eyes");
        decideAs("operator3", "ApproveReenable", "approve", "post-checks green");
        assertThat(pi).isEnded().hasPassed("FederationUpgraded");
    }

    @Test
    void withFourEyesOffTheStarterMayApprove() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        ProcessInstance pi = start(fed, new ApprovalSettings(false, null));
        decideAs("operator1", "ApproveStart", "approve", "small lab, one operator");
        assertThat(pi).isWaitingAt("ApproveReenable");
        assertThat(taskLocals("ApproveStart")).containsEntry("decidedBy", "operator1");
    }

    @Test
    void aPlanThatChangedBetweenShowingAndApprovingReopensTheGate() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        ProcessInstance pi = start(fed, ApprovalSettings.defaults());
        String shown = (String) engine.getRuntimeService().getVariable(pi.getId(), "planHash");

        // the configuration changes while the approval waits: a slave gets another front-end service to stop
        List<ZoneProperties> zones = new ArrayList<>(fed.properties.zones());
        ZoneProperties ge = zones.get(1);
        zones.set(1, new ZoneProperties(ge.id(), ge.name(), ge.role(), ge.endpoint(), ge.ha(), ge.osFamily(),
                ge.database(), List.of("apache2", "nginx"), ge.repository(), ge.paths(), ge.servers()));
        FederationProperties changed = new FederationProperties(fed.properties.name(), fed.properties.credentials(),
                fed.properties.ssh(), fed.properties.xmlrpc(), zones);
        // the service restarted with the new configuration
        ProcessTestSupport.register(fed, changed, recorder, ApprovalSettings.defaults());

        decideAs("operator2", "ApproveStart", "approve", "approved the plan as shown");
        assertThat(pi).isWaitingAt("ApproveStart").hasPassed("CheckApprovedPlan").hasNotPassed("RecordEnabledHosts");
        assertThat(fed.started).as("nothing touched on a stale approval").isEmpty();
        String now = (String) engine.getRuntimeService().getVariable(pi.getId(), "planHash");
        assertThat(now).isNotEqualTo(shown);
        assertThat((String) engine.getRuntimeService().getVariable(pi.getId(), "approvalNote"))
                .contains("plan changed").contains(shown.substring(0, 12)).contains(now.substring(0, 12));
        assertThat(readPlan(pi).text()).contains("apache2 nginx").doesNotContain(shown);

        decideAs("operator2", "ApproveStart", "approve", "re-approved with nginx in the stop list");
        assertThat(pi).isWaitingAt("ApproveReenable");
        assertThat(taskLocals("ApproveStart")).containsEntry("planHash", now);
        assertThat(engine.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(pi.getId())
                .activityId("CheckApprovedPlan").count()).isEqualTo(2);
    }

    @Test
    void thePlanListsExactlyTheCommandsTheUpgradeRunsInTheSameOrder() {
        FakeFederation fed = new FakeFederation("6.10.0", true, "S-EU-GE", "S-US-CA");
        fed.zone(0).leader = "m-eu-fr-fe1";
        ProcessInstance pi = start(fed, new ApprovalSettings(false, null));
        Plan plan = readPlan(pi);
        decideAs("operator1", "ApproveStart", "approve", "go");
        decideAs("operator1", "ApproveReenable", "approve", "done");
        assertThat(pi).isEnded();

        List<String> planned = new ArrayList<>();
        // each command's place in the plan: its phase, then its group (a group's hosts are started side by side)
        java.util.Map<String, List<Integer>> place = new java.util.HashMap<>();
        int phaseIndex = 0;
        for (Plan.Phase phase : plan.phases()) {
            if (phase.step().equals("rollback")) {
                break; // what a rollback would run, only on an operator's "roll back"
            }
            phaseIndex++;
            for (Plan.Action a : phase.actions()) {
                if (a.kind().equals("ssh") && !phase.step().equals("checksum-backup")) {
                    // the master's shared DB version is read during the upgrade: the plan names it by a placeholder
                    String c = phase.zone() + "/" + a.server() + ": " + a.command().replace(
                            io.onefed.upgrade.ssh.ShellQuoting.quote(PlanService.MASTER_SHARED_PLACEHOLDER),
                            io.onefed.upgrade.ssh.ShellQuoting.quote("7.0.0"));
                    planned.add(c);
                    place.putIfAbsent(c, List.of(phaseIndex, a.group()));
                }
            }
        }
        List<String> ran;
        synchronized (fed.started) {
            ran = fed.started.stream().filter(c -> !c.contains("/api: ") && !c.contains(": copy ")).toList();
        }
        assertThat(new LinkedHashSet<>(ran)).containsExactlyInAnyOrderElementsOf(new LinkedHashSet<>(planned));
        // per zone, the same order (zones run side by side, so only the order within a zone is fixed): phase after
        // phase and group after group; within a group the hosts' starts run side by side, in no fixed order
        java.util.Comparator<String> byPlace = java.util.Comparator.<String>comparingInt(c -> place.get(c).get(0))
                .thenComparingInt(c -> place.get(c).get(1));
        for (String zone : List.of("M-EU-FR", "S-EU-GE", "S-US-CA")) {
            List<String> ranInZone = ran.stream().filter(c -> c.startsWith(zone + "/")).distinct().toList();
            assertThat(ranInZone).as(zone).containsExactlyInAnyOrderElementsOf(
                    planned.stream().filter(c -> c.startsWith(zone + "/")).distinct().toList());
            assertThat(ranInZone).as(zone + ", in the plan's order").isSortedAccordingTo(byPlace);
        }
    }

    @Test
    void aGateDeadlineSendsAReminderAndKeepsTheGateOpen() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        ProcessInstance pi = start(fed, new ApprovalSettings(true, Duration.ofHours(4)));
        Job timer = engine.getManagementService().createJobQuery().timers().activityId("ApproveStart").singleResult();
        assertThat(timer.getDuedate().toInstant()).isBetween(Instant.now().plus(Duration.ofMinutes(239)),
                Instant.now().plus(Duration.ofMinutes(241)));
        fireTimers(engine);
        runJobs(engine);
        assertThat(pi).isWaitingAt("ApproveStart").variables().containsEntry("lastApprovalReminder", "ApproveStart");
        assertThat(sent).filteredOn(s -> s.event().equals("approval.overdue")).singleElement()
                .satisfies(s -> assertThat(s.fields()).containsEntry("taskDefinitionKey", "ApproveStart")
                        .containsEntry("upgradeId", "U20261123-120000-ab12"));
        decideAs("operator2", "ApproveStart", "reject", "window missed");
        assertThat(pi).isEnded().hasPassed("Rejected");
    }

    @Test
    void withoutADeadlineTheGateTimerNeverComesDue() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        start(fed, ApprovalSettings.defaults());
        Job timer = engine.getManagementService().createJobQuery().timers().activityId("ApproveStart").singleResult();
        assertThat(timer.getDuedate().toInstant()).isAfter(Instant.now().plus(Duration.ofDays(365 * 90)));
    }

    @Test
    void waitingApprovalsTheEndAndIncidentsAreNotified() {
        ProcessEngineConfigurationImpl config = (ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration();
        IncidentHandler original = config.getIncidentHandler(Incident.FAILED_JOB_HANDLER_TYPE);
        config.getIncidentHandlers().put(Incident.FAILED_JOB_HANDLER_TYPE,
                new IncidentNotifyingHandler(Incident.FAILED_JOB_HANDLER_TYPE, recorder));
        try {
            FakeFederation fed = FakeFederation.guide("6.10.0");
            ProcessInstance pi = start(fed, ApprovalSettings.defaults());
            assertThat(sent).filteredOn(s -> s.event().equals("approval.waiting")).singleElement()
                    .satisfies(s -> assertThat(s.fields()).containsEntry("taskDefinitionKey", "ApproveStart")
                            .containsEntry("zone", "federation").containsEntry("candidateGroups", List.of("operators")));
            fed.zone(0).running = false;
            decideAs("operator2", "ApproveStart", "approve", "go");
            assertThat(sent).filteredOn(s -> s.event().equals("incident.raised")).singleElement()
                    .satisfies(s -> assertThat(s.fields()).containsEntry("activityId", "RecordEnabledHosts")
                            .containsEntry("processInstanceId", pi.getId()));
            // Cockpit's message says where in the operator's terms, then the cause
            assertThat(engine.getRuntimeService().createIncidentQuery().singleResult().getIncidentMessage())
                    .startsWith("activity 'Record the enabled hypervisor hosts': ").contains("Connection refused");
            fed.zone(0).running = true;
            Job failed = engine.getManagementService().createJobQuery().withException().singleResult();
            engine.getManagementService().setJobRetries(failed.getId(), 1);
            engine.getManagementService().setJobDuedate(failed.getId(), new java.util.Date());
            runJobs(engine);
            decideAs("operator2", "ApproveReenable", "approve", "ok");
            assertThat(sent).filteredOn(s -> s.event().equals("upgrade.ended")).singleElement()
                    .satisfies(s -> assertThat(s.fields()).containsEntry("outcome", "COMPLETED")
                            .containsEntry("report", "/api/upgrades/U20261123-120000-ab12/report"));
            assertThat(sent.toString()).doesNotContain("ONE_AUTH_TEST").doesNotContain("password");
        } finally {
            config.getIncidentHandlers().put(Incident.FAILED_JOB_HANDLER_TYPE, original);
        }
    }

    @Test
    void anSshFailureInAZoneStepBecomesAnIncidentOnThatStepNamingZoneStepAndHost() {
        ProcessEngineConfigurationImpl config = (ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration();
        IncidentHandler original = config.getIncidentHandler(Incident.FAILED_JOB_HANDLER_TYPE);
        config.getIncidentHandlers().put(Incident.FAILED_JOB_HANDLER_TYPE,
                new IncidentNotifyingHandler(Incident.FAILED_JOB_HANDLER_TYPE, recorder));
        try {
            FakeFederation fed = FakeFederation.guide("6.10.0");
            ProcessInstance pi = start(fed, ApprovalSettings.defaults());
            fed.sshDown.add("s-eu-ge-fe0");
            decideAs("operator2", "ApproveStart", "approve", "go");
            for (int i = 0; i < 10 && engine.getRuntimeService().createIncidentQuery().count() == 0; i++) {
                engine.getManagementService().createJobQuery().withRetriesLeft().list().stream()
                        .filter(j -> j.getExceptionMessage() != null)
                        .forEach(j -> engine.getManagementService().setJobDuedate(j.getId(), new java.util.Date()));
                runJobs(engine);
            }
            // the engine also marks the calling activities (StopServices, StopAllZones); the cause is the step's
            Incident incident = engine.getRuntimeService().createIncidentQuery().activityId("RunStepCommands").singleResult();
            assertThat(incident.getRootCauseIncidentId()).isEqualTo(incident.getId());
            assertThat(engine.getRuntimeService().getVariable(incident.getProcessInstanceId(), "zoneName"))
                    .as("on the zone's own step instance").isEqualTo("S-EU-GE");
            assertThat(incident.getIncidentMessage()).startsWith("Zone S-EU-GE, step 'Stop OpenNebula services',"
                    + " activity 'Run the step's commands': ").contains("root@10.0.100.0:22").contains("Connection refused");

            // Cockpit's retry resumes exactly that step, which then runs once
            fed.sshDown.clear();
            Job failed = engine.getManagementService().createJobQuery().withException().singleResult();
            engine.getManagementService().setJobRetries(failed.getId(), 1);
            engine.getManagementService().setJobDuedate(failed.getId(), new java.util.Date());
            runJobs(engine);
            assertThat(fed.count("S-EU-GE/s-eu-ge-fe0: mkdir -p")).isGreaterThanOrEqualTo(1);
            decideAs("operator2", "ApproveReenable", "approve", "ok");
            assertThat(pi).isEnded().hasPassed("FederationUpgraded");
        } finally {
            config.getIncidentHandlers().put(Incident.FAILED_JOB_HANDLER_TYPE, original);
        }
    }

    Plan readPlan(ProcessInstance pi) {
        FileValue file = engine.getRuntimeService().getVariableTyped(pi.getId(), "plan");
        try (InputStream in = file.getValue()) {
            return Vars.JSON.readValue(in, Plan.class);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static Set<String> keys(JsonNode n) {
        Set<String> k = new LinkedHashSet<>();
        n.fieldNames().forEachRemaining(k::add);
        return k;
    }
}
