package io.onefed.upgrade.securityscan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.e2e.EndToEndSupport;
import io.onefed.upgrade.process.ApprovalListener;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.task.Comment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Issue 12, part 2: one operator alone cannot approve their own upgrade, nor skip an approval. Each test is one
 * attack by {@code eop1}, who started the upgrade waiting at its start approval; each is refused, changes nothing,
 * and a refused completion of a gate is recorded as a comment on the gate (which the report lists).
 */
@Tag("security")
class ApprovalBypassTest extends ServiceTestBase {

    static final String OP1 = EndToEndSupport.OPERATOR1;
    static final String OP2 = EndToEndSupport.OPERATOR2;
    static final List<String> OUR_PROCESSES = List.of("federation-upgrade", "zone-upgrade", "zone-stop", "remote-step");

    static String sharedId;

    /** The upgrade eop1 started, waiting at its start approval. */
    final class Fixture {
        final String task;
        final String instance;
        final String definitionId;
        final long instances;

        Fixture() {
            if (sharedId == null) {
                sharedId = api.start("7.0.0", 2); // as eop1
            }
            JsonNode approval = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                    .until(() -> api.pending(sharedId, "Approve the start of the upgrade"), t -> t != null);
            task = approval.get("taskId").asText();
            var t = engine.getTaskService().createTaskQuery().taskId(task).singleResult();
            instance = t.getProcessInstanceId();
            definitionId = t.getProcessDefinitionId();
            instances = allInstances();
        }

        long allInstances() {
            return engine.getHistoryService().createHistoricProcessInstanceQuery()
                    .processDefinitionKeyIn(OUR_PROCESSES.toArray(String[]::new)).count();
        }

        void assertUnchanged() {
            var t = engine.getTaskService().createTaskQuery().taskId(task).singleResult();
            assertThat(t).as("the start approval is still open").isNotNull();
            assertThat(t.getAssignee()).as("nobody holds it").isNull();
            assertThat(engine.getRuntimeService().getActiveActivityIds(instance)).containsExactly("ApproveStart");
            assertThat(engine.getRuntimeService().getVariable(instance, "startedBy")).isEqualTo(OP1);
            assertThat(engine.getRuntimeService().getVariable(instance, "targetVersion")).isEqualTo("7.0.0");
            assertThat(engine.getRuntimeService().getVariable(instance, "federatedBackupPath")).isNull();
            assertThat(allInstances()).as("no process started").isEqualTo(instances);
            assertThat(engine.getHistoryService().createHistoricProcessInstanceQuery().processInstanceId(instance)
                    .singleResult().getStartUserId()).as("the engine's start user").isEqualTo(OP1);
            for (int zone : SIM.zoneIds()) {
                assertThat(SIM.commandLog(zone, "systemctl")).as("zone %d untouched", zone).isEmpty();
            }
        }

        long refusalsBy(String user) {
            return engine.getTaskService().getTaskComments(task).stream()
                    .filter(c -> user.equals(c.getUserId()))
                    .map(Comment::getFullMessage).filter(m -> m.startsWith(ApprovalListener.REFUSED)).count();
        }
    }

    static String approve(String extraVariable) {
        return "{\"variables\":{\"decision\":{\"value\":\"approve\"},\"comment\":{\"value\":\"looks fine\"}"
                + (extraVariable == null ? "" : "," + extraVariable) + "}}";
    }

    static void assertRefused(Answer a, String what) {
        // 403 from the REST layer; 500 when only the engine's own last guard saw it (its message says why);
        // an odd path is not routed at all (400 from the firewall, 404 from the REST API); 413 for a body over the
        // size limit
        assertThat(a.status()).as(what + ": " + a).isIn(400, 403, 404, 413, 500);
        if (a.status() == 500) {
            assertThat(a.body()).as(what).containsAnyOf("four eyes", "refused");
        }
    }

    @Test
    void a_rewritingStartedByIsRefusedAndWouldNotHelp() {
        Fixture f = new Fixture();
        long recorded = f.refusalsBy(OP1);
        Answer put = json(OP1, "PUT", "/engine-rest/process-instance/" + f.instance + "/variables/startedBy",
                "{\"value\":\"" + OP2 + "\",\"type\":\"String\"}");
        assertThat(put.status()).as(put.toString()).isEqualTo(403);
        Answer bulk = json(OP1, "POST", "/engine-rest/process-instance/" + f.instance + "/variables",
                "{\"modifications\":{\"startedBy\":{\"value\":\"" + OP2 + "\"}}}");
        assertThat(bulk.status()).as(bulk.toString()).isEqualTo(403);
        Answer taskVar = json(OP1, "PUT", "/engine-rest/task/" + f.task + "/variables/startedBy",
                "{\"value\":\"" + OP2 + "\",\"type\":\"String\"}");
        assertThat(taskVar.status()).as(taskVar.toString()).isEqualTo(403);
        Answer complete = json(OP1, "POST", "/engine-rest/task/" + f.task + "/complete", approve(null));
        assertThat(complete.status()).as(complete.toString()).isEqualTo(403);
        assertThat(complete.body()).contains("four eyes");
        f.assertUnchanged();

        // and had the variable been rewritten (here by the engine itself), four eyes still knows the starter
        engine.getRuntimeService().setVariable(f.instance, "startedBy", OP2);
        try {
            Answer again = json(OP1, "POST", "/engine-rest/task/" + f.task + "/complete", approve(null));
            assertThat(again.status()).as(again.toString()).isEqualTo(403);
            // a body over the size limit (onefed.web.max-request-body, web/RequestBodyLimit) is refused before any
            // filter reads it, so it never reaches the engine unchecked
            String big = "{\"variables\":{\"decision\":{\"value\":\"approve\"},\"comment\":{\"value\":\""
                    + "x".repeat(1_100_000) + "\"}}}";
            Answer tooBig = json(OP1, "POST", "/engine-rest/task/" + f.task + "/complete", big);
            assertThat(tooBig.status()).as(tooBig.toString()).isEqualTo(413);
            assertThat(tooBig.body()).contains("\"field\":\"body\"").contains("bytes at most");
        } finally {
            engine.getRuntimeService().setVariable(f.instance, "startedBy", OP1);
        }
        f.assertUnchanged();
        assertThat(f.refusalsBy(OP1)).as("each refused completion is recorded").isGreaterThanOrEqualTo(recorded + 2);
        JsonNode report = api.call(AUDITOR, "GET", "/api/upgrades/" + sharedId + "/report?format=json", null, 200);
        boolean listed = false;
        for (JsonNode approval : report.get("approvals")) {
            listed |= "refused".equals(approval.path("decision").asText()) && OP1.equals(approval.path("decidedBy").asText())
                    && approval.path("comment").asText().contains("four eyes");
        }
        assertThat(listed).as("the report lists the refused completion: " + report.get("approvals")).isTrue();
    }

    @Test
    void b_variablesInTheCompletionAreRefusedOnEveryPath() throws Exception {
        Fixture f = new Fixture();
        long recorded = f.refusalsBy(OP1) + f.refusalsBy(OP2);
        String startedBy = "\"startedBy\":{\"value\":\"" + OP2 + "\"}";
        String target = "\"targetVersion\":{\"value\":\"6.0.0\"}";
        String backup = "\"federatedBackupPath\":{\"value\":\"/tmp/mine.bck\"}";
        for (String user : List.of(OP1, OP2)) {
            for (String extra : List.of(startedBy, target, backup)) {
                for (String path : List.of("/complete", "/submit-form", "/%63omplete", "/complete/", "/complete;x=1",
                        "/./complete")) {
                    Answer a = json(user, "POST", "/engine-rest/task/" + f.task + path, approve(extra));
                    assertRefused(a, user + " " + path + " with " + extra);
                }
            }
            // a body over the size limit: 413 before any filter or the engine reads it
            String big = "{\"variables\":{\"decision\":{\"value\":\"approve\"},\"comment\":{\"value\":\""
                    + "x".repeat(1_100_000) + "\"}," + target + "}}";
            Answer tooBig = json(user, "POST", "/engine-rest/task/" + f.task + "/complete", big);
            assertThat(tooBig.status()).as(user + " big body: " + tooBig).isEqualTo(413);
        }
        f.assertUnchanged();

        // Tasklist's own REST API (logged in, with its CSRF token)
        for (String user : List.of(OP1, OP2)) {
            WebappSession web = new WebappSession(port, "tasklist");
            assertThat(web.login(user)).isEqualTo(200);
            String engineApi = "/camunda/api/engine/engine/default/task/" + f.task;
            assertThat(web.get(engineApi).statusCode()).as("%s reads the task", user).isEqualTo(200);
            HttpResponse<String> r = web.post(engineApi + "/submit-form", approve(target));
            assertThat(r.statusCode()).as(user + " Tasklist submit-form: " + r.body()).isIn(403, 500);
            assertThat(r.body()).containsAnyOf("four eyes", "refused");
        }
        f.assertUnchanged();
        assertThat(f.refusalsBy(OP1) + f.refusalsBy(OP2)).as("refused completions recorded").isGreaterThan(recorded);
    }

    @Test
    void c_startingTheUpgradeThroughTheEngineIsRefused() throws Exception {
        Fixture f = new Fixture();
        String body = "{\"businessKey\":\"U-mine\",\"variables\":{\"upgradeId\":{\"value\":\"U-mine\"},"
                + "\"targetVersion\":{\"value\":\"7.0.0\"},\"startedBy\":{\"value\":\"" + OP2 + "\"},"
                + "\"masterZoneId\":{\"value\":0,\"type\":\"Integer\"},\"allZoneIds\":{\"value\":\"0\"}}}";
        for (String path : List.of("/engine-rest/process-definition/key/federation-upgrade/start",
                "/engine-rest/process-definition/key/federation-upgrade/submit-form",
                "/engine-rest/process-definition/" + f.definitionId + "/start")) {
            Answer a = json(OP1, "POST", path, body);
            assertThat(a.status()).as(path + ": " + a).isEqualTo(403);
        }
        WebappSession web = new WebappSession(port, "tasklist");
        assertThat(web.login(OP1)).isEqualTo(200);
        web.get("/camunda/api/engine/engine/default/task/" + f.task);
        assertThat(web.post("/camunda/api/engine/engine/default/process-definition/key/federation-upgrade/start",
                body).statusCode()).isEqualTo(403);
        f.assertUnchanged();
    }

    @Test
    void d_modificationMigrationAndRestartPastTheApprovalAreRefused() {
        Fixture f = new Fixture();
        String instructions = "[{\"type\":\"startBeforeActivity\",\"activityId\":\"RecordEnabledHosts\"},"
                + "{\"type\":\"cancel\",\"activityId\":\"ApproveStart\"}]";
        Answer sync = json(OP1, "POST", "/engine-rest/process-instance/" + f.instance + "/modification",
                "{\"skipCustomListeners\":true,\"instructions\":" + instructions + "}");
        assertThat(sync.status()).as(sync.toString()).isEqualTo(403);
        Answer async = json(OP1, "POST", "/engine-rest/process-instance/" + f.instance + "/modification-async",
                "{\"skipCustomListeners\":true,\"instructions\":" + instructions + "}");
        assertThat(async.status()).as(async.toString()).isEqualTo(403);
        Answer batch = json(OP1, "POST", "/engine-rest/modification/executeAsync",
                "{\"processDefinitionId\":\"" + f.definitionId + "\",\"processInstanceIds\":[\"" + f.instance
                        + "\"],\"instructions\":" + instructions + "}");
        assertThat(batch.status()).as(batch.toString()).isEqualTo(403);
        Answer migration = json(OP1, "POST", "/engine-rest/migration/executeAsync",
                "{\"migrationPlan\":{\"sourceProcessDefinitionId\":\"" + f.definitionId
                        + "\",\"targetProcessDefinitionId\":\"" + f.definitionId + "\",\"instructions\":[{\"sourceActivityIds\":"
                        + "[\"ApproveStart\"],\"targetActivityIds\":[\"ConfirmApiBlocked\"]}]},\"processInstanceIds\":[\""
                        + f.instance + "\"]}");
        assertThat(migration.status()).as(migration.toString()).isEqualTo(403);
        Answer restart = json(OP1, "POST", "/engine-rest/process-definition/" + f.definitionId + "/restart-async",
                "{\"processInstanceIds\":[\"" + f.instance + "\"],\"instructions\":"
                        + "[{\"type\":\"startBeforeActivity\",\"activityId\":\"RecordEnabledHosts\"}]}");
        assertThat(restart.status()).as(restart.toString()).isEqualTo(403);
        assertThat(engine.getManagementService().createBatchQuery().count()).as("no batch created").isZero();
        f.assertUnchanged();
    }

    @Test
    void e_startingAZoneOrStepProcessDirectlyIsRefused() {
        Fixture f = new Fixture();
        String stopMaster = "{\"businessKey\":\"" + sharedId + "\",\"variables\":{\"upgradeId\":{\"value\":\"" + sharedId
                + "\"},\"zoneId\":{\"value\":0,\"type\":\"Integer\"},\"step\":{\"value\":\"stop-services\"}}}";
        String restore = "{\"businessKey\":\"" + sharedId + "\",\"variables\":{\"upgradeId\":{\"value\":\"" + sharedId
                + "\"},\"zoneId\":{\"value\":100,\"type\":\"Integer\"},\"step\":{\"value\":\"restore-federated\"},"
                + "\"federatedBackupPath\":{\"value\":\"/tmp/mine.bck\"}}}";
        for (String[] start : List.of(new String[] {"remote-step", stopMaster}, new String[] {"remote-step", restore},
                new String[] {"zone-upgrade", restore}, new String[] {"zone-stop", stopMaster})) {
            Answer a = json(OP1, "POST", "/engine-rest/process-definition/key/" + start[0] + "/start", start[1]);
            assertThat(a.status()).as(start[0] + ": " + a).isEqualTo(403);
        }
        f.assertUnchanged();
    }

    @Test
    void f_claimingDelegatingOrAssigningNeverLetsTheStarterApproveNorGivesAnAuditorARight() {
        Fixture f = new Fixture();
        String t = "/engine-rest/task/" + f.task;
        // the starter may claim (Tasklist's claim), yet completing stays refused
        assertThat(json(OP1, "POST", t + "/claim", "{\"userId\":\"" + OP1 + "\"}").status()).isEqualTo(204);
        try {
            Answer complete = json(OP1, "POST", t + "/complete", approve(null));
            assertThat(complete.status()).as(complete.toString()).isEqualTo(403);
            for (String other : List.of(OP2, AUDITOR)) {
                Answer delegate = json(OP1, "POST", t + "/delegate", "{\"userId\":\"" + other + "\"}");
                assertThat(delegate.status()).as("delegate to " + other + ": " + delegate).isEqualTo(403);
                Answer assignee = json(OP1, "POST", t + "/assignee", "{\"userId\":\"" + other + "\"}");
                assertThat(assignee.status()).as("assign to " + other + ": " + assignee).isEqualTo(403);
                Answer put = json(OP1, "PUT", t, "{\"name\":\"Approve\",\"assignee\":\"" + other + "\",\"owner\":\""
                        + OP1 + "\"}");
                assertThat(put.status()).as("update task: " + put).isEqualTo(403);
            }
        } finally {
            // unclaiming stays possible (Tasklist's unclaim)
            assertThat(json(OP1, "POST", t + "/unclaim", null).status()).isEqualTo(204);
        }
        // claiming for somebody else is assigning: refused
        for (String other : List.of(OP2, AUDITOR)) {
            Answer claim = json(OP1, "POST", t + "/claim", "{\"userId\":\"" + other + "\"}");
            assertThat(claim.status()).as("claim for " + other + ": " + claim).isEqualTo(403);
        }
        f.assertUnchanged();

        // an auditor assigned to the gate (by an administrator) gains nothing from it
        engine.getTaskService().setAssignee(f.task, AUDITOR);
        try {
            assertThat(engine.getAuthorizationService().createAuthorizationQuery().userIdIn(AUDITOR)
                    .resourceType(Resources.TASK).count()).as("no task authorization for the auditor").isZero();
            assertThat(json(AUDITOR, "POST", t + "/complete", approve(null)).status()).isEqualTo(403);
            assertThat(json(AUDITOR, "PUT", t + "/variables/comment", "{\"value\":\"x\"}").status()).isEqualTo(403);
            assertThat(json(AUDITOR, "POST", t + "/delegate", "{\"userId\":\"" + AUDITOR + "\"}").status()).isEqualTo(403);
        } finally {
            engine.getTaskService().setAssignee(f.task, null);
        }
        // the candidate group gets no task-level grant either (Camunda's default would give operators UPDATE)
        assertThat(engine.getAuthorizationService().createAuthorizationQuery().resourceType(Resources.TASK)
                .resourceId(f.task).count()).isZero();

        // the second operator claims as in Tasklist today, and takes over a gate the starter sits on
        assertThat(json(OP2, "POST", t + "/claim", "{\"userId\":\"" + OP2 + "\"}").status()).isEqualTo(204);
        assertThat(engine.getTaskService().createTaskQuery().taskId(f.task).singleResult().getAssignee()).isEqualTo(OP2);
        assertThat(json(OP2, "POST", t + "/unclaim", null).status()).isEqualTo(204);
        assertThat(json(OP1, "POST", t + "/claim", "{\"userId\":\"" + OP1 + "\"}").status()).isEqualTo(204);
        assertThat(json(OP2, "POST", t + "/assignee", "{\"userId\":\"" + OP2 + "\"}").status()).isEqualTo(204);
        assertThat(engine.getTaskService().createTaskQuery().taskId(f.task).singleResult().getAssignee()).isEqualTo(OP2);
        assertThat(json(OP2, "POST", t + "/unclaim", null).status()).isEqualTo(204);
        f.assertUnchanged();
    }

    /**
     * Every refused request is an attempt an auditor must see (issue 12: "the attempt recorded in the audit
     * report"), not only refused completions: a variable rewrite, a start through the engine, a modification,
     * and a Tasklist completion refused by four eyes, each listed with who, what and why.
     */
    @Test
    void g_everyRefusedRequestIsListedInTheReportWithWhoAndWhat() {
        Fixture f = new Fixture();
        String variable = "/engine-rest/process-instance/" + f.instance + "/variables/startedBy";
        assertThat(json(OP1, "PUT", variable, "{\"value\":\"" + OP2 + "\",\"type\":\"String\"}").status())
                .isEqualTo(403);
        String start = "/engine-rest/process-definition/key/federation-upgrade/start";
        assertThat(json(OP1, "POST", start, "{\"variables\":{}}").status()).isEqualTo(403);
        String modification = "/engine-rest/process-instance/" + f.instance + "/modification";
        assertThat(json(OP1, "POST", modification, "{\"instructions\":[{\"type\":\"startBeforeActivity\","
                + "\"activityId\":\"RecordEnabledHosts\"}]}").status()).isEqualTo(403);
        WebappSession tasklist = new WebappSession(port, "tasklist");
        assertThat(tasklist.login(OP1)).isEqualTo(200);
        String submit = "/camunda/api/engine/engine/default/task/" + f.task + "/submit-form";
        // the read hands out the new session's XSRF token, as Tasklist's page does
        assertThat(tasklist.get("/camunda/api/engine/engine/default/task/" + f.task).statusCode()).isEqualTo(200);
        assertThat(tasklist.post(submit, approve(null)).statusCode()).isIn(403, 500);
        f.assertUnchanged();

        JsonNode report = api.call(AUDITOR, "GET", "/api/upgrades/" + sharedId + "/report?format=json", null, 200);
        List<String> listed = new java.util.ArrayList<>();
        for (JsonNode r : report.get("refusedRequests")) {
            listed.add(r.path("userId").asText() + " " + r.path("method").asText() + " " + r.path("path").asText()
                    + " " + r.path("status").asText() + " " + r.path("message").asText());
        }
        assertThat(listed).as("refused requests in the report")
                .anyMatch(l -> l.startsWith(OP1 + " PUT " + variable + " 403"))
                .anyMatch(l -> l.startsWith(OP1 + " POST " + start + " 403"))
                .anyMatch(l -> l.startsWith(OP1 + " POST " + modification + " 403"))
                .anyMatch(l -> l.startsWith(OP1 + " POST " + submit) && l.contains("four eyes"))
                .noneMatch(l -> l.contains(EndToEndSupport.PASSWORD));
        String html = json(AUDITOR, "GET", "/api/upgrades/" + sharedId + "/report?format=html", null).body();
        assertThat(html).contains("Refused requests while the upgrade ran").contains(variable);
    }

    // ---------------------------------------------------------------------------------------------------------

    /** The shared context outlives this class: end the upgrade so the next class may start one. */
    @AfterAll
    static void endTheUpgrade(@Autowired ProcessEngine engine) {
        endUpgrade(engine, sharedId);
    }
}
