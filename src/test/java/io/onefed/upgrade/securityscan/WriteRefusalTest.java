package io.onefed.upgrade.securityscan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.e2e.EndToEndSupport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Issue 6, security: an auditor and an anonymous client are refused every write through {@code /api},
 * {@code /engine-rest} and the webapps' REST API ({@code /camunda/api}); an operator cannot change users, groups
 * or authorizations. Each refusal is checked to have changed nothing. ({@code EngineRestAuthorizationTest} covers
 * the engine REST API on a test process; this runs on the real upgrade process with a waiting approval.)
 */
@Tag("security")
class WriteRefusalTest extends ServiceTestBase {

    static final String OP = EndToEndSupport.OPERATOR1;

    static final String MULTIPART = "multipart";
    static final String BOUNDARY = "onefedBoundary7";
    /** A process that would run anything: deploying it is the widest write there is. */
    static final String ROGUE_DEPLOYMENT = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"deployment-name\"\r\n\r\n"
            + "rogue\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"data\"; filename=\"rogue.bpmn\"\r\n"
            + "Content-Type: application/octet-stream\r\n\r\n<?xml version=\"1.0\"?><definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\""
            + " xmlns:camunda=\"http://camunda.org/schema/1.0/bpmn\" targetNamespace=\"x\"><process id=\"rogue\" isExecutable=\"true\""
            + " camunda:historyTimeToLive=\"1\"><startEvent id=\"s\"/></process></definitions>\r\n--" + BOUNDARY + "--\r\n";

    /** Writes anybody might try, as {method, path, body}; {task}, {instance} and {job} are filled in. */
    static final List<String[]> WRITES = List.of(
            new String[] {"POST", "/engine-rest/process-definition/key/federation-upgrade/start", "{\"businessKey\":\"x\"}"},
            new String[] {"POST", "/engine-rest/process-definition/key/zone-upgrade/start", "{}"},
            new String[] {"POST", "/engine-rest/task/{task}/complete",
                    "{\"variables\":{\"decision\":{\"value\":\"approve\"},\"comment\":{\"value\":\"x\"}}}"},
            new String[] {"POST", "/engine-rest/task/{task}/submit-form",
                    "{\"variables\":{\"decision\":{\"value\":\"approve\"},\"comment\":{\"value\":\"x\"}}}"},
            new String[] {"POST", "/engine-rest/task/{task}/claim", "{\"userId\":\"eaud1\"}"},
            new String[] {"POST", "/engine-rest/task/{task}/assignee", "{\"userId\":\"eaud1\"}"},
            new String[] {"PUT", "/engine-rest/task/{task}/variables/decision", "{\"value\":\"approve\"}"},
            new String[] {"PUT", "/engine-rest/process-instance/{instance}/variables/targetVersion", "{\"value\":\"6.0.0\"}"},
            new String[] {"PUT", "/engine-rest/process-instance/{instance}/suspended", "{\"suspended\":true}"},
            new String[] {"DELETE", "/engine-rest/process-instance/{instance}", null},
            new String[] {"POST", "/engine-rest/process-instance/{instance}/modification",
                    "{\"instructions\":[{\"type\":\"startBeforeActivity\",\"activityId\":\"EnableApiAccess\"}]}"},
            new String[] {"POST", "/engine-rest/message", "{\"messageName\":\"x\"}"},
            new String[] {"POST", "/engine-rest/deployment/create", MULTIPART},
            new String[] {"POST", "/engine-rest/user/create", "{\"profile\":{\"id\":\"mallory\"},\"credentials\":{\"password\":\"mallory-pw-1\"}}"},
            new String[] {"PUT", "/engine-rest/user/eop2/credentials", "{\"password\":\"taken-over-1\",\"authenticatedUserPassword\":\"" + EndToEndSupport.PASSWORD + "\"}"},
            new String[] {"DELETE", "/engine-rest/user/eop2", null},
            new String[] {"PUT", "/engine-rest/group/camunda-admin/members/eaud1", null},
            new String[] {"PUT", "/engine-rest/group/operators/members/eaud1", null},
            new String[] {"POST", "/engine-rest/group/create", "{\"id\":\"rogue\",\"name\":\"rogue\"}"},
            new String[] {"POST", "/engine-rest/authorization/create",
                    "{\"type\":1,\"permissions\":[\"ALL\"],\"userId\":\"eaud1\",\"resourceType\":8,\"resourceId\":\"*\"}"});

    @Test
    void anonymousIsRefusedEverythingAndChangesNothing() {
        Fixture f = fixture();
        assertThat(json(null, "POST", "/api/upgrades", "{\"targetVersion\":\"7.0.0\"}").status()).isEqualTo(401);
        assertThat(json(null, "GET", "/api/upgrades", null).status()).isEqualTo(401);
        assertThat(json(null, "GET", "/api/upgrades/" + f.id, null).status()).isEqualTo(401);
        for (String[] w : WRITES) {
            Answer a = json(null, w[0], f.fill(w[1]), w[2]);
            assertThat(a.status()).as("anonymous %s %s: %s", w[0], w[1], a).isEqualTo(401);
        }
        // the webapps' REST API without a session
        for (String path : List.of("/camunda/api/engine/engine/default/process-definition/key/federation-upgrade/start",
                "/camunda/api/engine/engine/default/task/" + f.task + "/complete",
                "/camunda/api/admin/setup/default/user/create")) {
            Answer a = json(null, "POST", path, "{}");
            assertThat(a.status()).as("anonymous POST %s: %s", path, a).isIn(401, 403);
        }
        f.assertUnchanged();
    }

    @Test
    void anAuditorReadsButIsRefusedEveryWriteAndChangesNothing() {
        Fixture f = fixture();
        assertThat(json(AUDITOR, "GET", "/api/upgrades/" + f.id, null).status()).isEqualTo(200);
        assertThat(json(AUDITOR, "GET", "/engine-rest/task/" + f.task, null).status()).isEqualTo(200);
        Answer start = json(AUDITOR, "POST", "/api/upgrades", "{\"targetVersion\":\"7.0.0\"}");
        assertThat(start.status()).as(start.toString()).isEqualTo(403);
        for (String[] w : WRITES) {
            Answer a = json(AUDITOR, w[0], f.fill(w[1]), w[2]);
            assertThat(a.status()).as("auditor %s %s: %s", w[0], w[1], a).isIn(400, 403);
            if (a.status() == 400) {
                // refused for its content before the authorization check could even apply: still nothing done
                // a message no process waits for (the upgrade processes have no message events)
                assertThat(w[1]).as("only a request that cannot apply may answer 400").contains("message");
            }
        }
        f.assertUnchanged();
    }

    @Test
    void anOperatorCannotChangeUsersGroupsOrAuthorizations() {
        Fixture f = fixture();
        for (String[] w : WRITES) {
            if (w[1].contains("/user") || w[1].contains("/group") || w[1].contains("/authorization")) {
                Answer a = json(OP, w[0], f.fill(w[1]).replace("eaud1", OP), w[2] == null ? null : w[2].replace("eaud1", OP));
                assertThat(a.status()).as("operator %s %s: %s", w[0], w[1], a).isEqualTo(403);
            }
        }
        f.assertUnchanged();
    }

    @Test
    void anAuditorLoggedIntoTheWebappsIsRefusedWritesThroughTheirRestApi() throws Exception {
        Fixture f = fixture();
        String engine = "/camunda/api/engine/engine/default";
        // without the CSRF token: refused by the webapps' CSRF filter (which also ends that session)
        WebappSession noToken = new WebappSession(port, "cockpit");
        assertThat(noToken.login(AUDITOR)).as("the auditor may log in to Cockpit").isEqualTo(200);
        assertThat(noToken.postWithoutToken(engine + "/task/" + f.task + "/claim", "{\"userId\":\"eaud1\"}").statusCode()).isEqualTo(403);
        // with it: refused by the engine's authorizations
        WebappSession web = new WebappSession(port, "cockpit");
        assertThat(web.login(AUDITOR)).isEqualTo(200);
        assertThat(web.get(engine + "/task/" + f.task).statusCode()).as("the auditor reads the task").isEqualTo(200);
        assertThat(web.post(engine + "/task/" + f.task + "/claim", "{\"userId\":\"eaud1\"}").statusCode()).isEqualTo(403);
        assertThat(web.post(engine + "/task/" + f.task + "/complete",
                "{\"variables\":{\"decision\":{\"value\":\"approve\"},\"comment\":{\"value\":\"x\"}}}").statusCode()).isEqualTo(403);
        assertThat(web.post(engine + "/process-definition/key/federation-upgrade/start", "{}").statusCode()).isEqualTo(403);
        assertThat(web.post(engine + "/user/create",
                "{\"profile\":{\"id\":\"mallory\"},\"credentials\":{\"password\":\"mallory-pw-1\"}}").statusCode()).isEqualTo(403);
        assertThat(web.post("/camunda/api/admin/setup/default/user/create",
                "{\"profile\":{\"id\":\"mallory\"},\"credentials\":{\"password\":\"mallory-pw-1\"}}").statusCode()).isEqualTo(403);
        f.assertUnchanged();
    }

    // ---------------------------------------------------------------------------------------------------------

    @Override
    protected Answer json(String user, String method, String path, String body) {
        if (MULTIPART.equals(body)) {
            return raw(user, method, path, "multipart/form-data; boundary=" + BOUNDARY,
                    ROGUE_DEPLOYMENT.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return super.json(user, method, path, body);
    }

    /** An upgrade waiting for its start approval: something real to write to. */
    final class Fixture {
        final String id;
        final String task;
        final String instance;
        final long upgrades;
        final long users;
        final long authorizations;
        final long memberships;

        Fixture(String id, String task, String instance) {
            this.id = id;
            this.task = task;
            this.instance = instance;
            this.upgrades = upgradesStarted();
            this.users = engine.getIdentityService().createUserQuery().count();
            this.authorizations = engine.getAuthorizationService().createAuthorizationQuery().count();
            this.memberships = engine.getIdentityService().createGroupQuery().groupMember(AUDITOR).count()
                    + engine.getIdentityService().createGroupQuery().groupMember(OP).count();
        }

        String fill(String path) {
            return path.replace("{task}", task).replace("{instance}", instance).replace("{job}", "none");
        }

        void assertUnchanged() {
            assertThat(upgradesStarted()).as("no upgrade started").isEqualTo(upgrades);
            var t = engine.getTaskService().createTaskQuery().taskId(task).singleResult();
            assertThat(t).as("the approval is still open").isNotNull();
            assertThat(t.getAssignee()).as("nobody claimed it").isNull();
            assertThat(engine.getRuntimeService().getVariable(instance, "targetVersion")).isEqualTo("7.0.0");
            assertThat(engine.getRuntimeService().createProcessInstanceQuery().processInstanceId(instance)
                    .suspended().count()).as("not suspended").isZero();
            assertThat(engine.getIdentityService().createUserQuery().count()).as("users").isEqualTo(users);
            assertThat(engine.getIdentityService().createUserQuery().userId("mallory").count()).isZero();
            assertThat(engine.getIdentityService().createGroupQuery().groupId("rogue").count()).isZero();
            assertThat(engine.getAuthorizationService().createAuthorizationQuery().count()).isEqualTo(authorizations);
            assertThat(engine.getIdentityService().createGroupQuery().groupMember(AUDITOR).count()
                    + engine.getIdentityService().createGroupQuery().groupMember(OP).count()).isEqualTo(memberships);
            assertThat(engine.getIdentityService().checkPassword("eop2", EndToEndSupport.PASSWORD)).isTrue();
            assertThat(engine.getRepositoryService().createProcessDefinitionQuery().processDefinitionKey("rogue").count())
                    .as("nothing deployed").isZero();
            for (int zone : SIM.zoneIds()) {
                assertThat(SIM.commandLog(zone, "systemctl")).as("zone %d untouched", zone).isEmpty();
            }
        }
    }

    private static String sharedId;

    private Fixture fixture() {
        if (sharedId == null) {
            sharedId = api.start("7.0.0", 2);
        }
        JsonNode approval = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> api.pending(sharedId, "Approve the start of the upgrade"), t -> t != null);
        String task = approval.get("taskId").asText();
        String instance = engine.getTaskService().createTaskQuery().taskId(task).singleResult().getProcessInstanceId();
        return new Fixture(sharedId, task, instance);
    }

    /** The shared context outlives this class: end the upgrade so the next class may start one. */
    @AfterAll
    static void endTheUpgrade(@Autowired ProcessEngine engine) {
        endUpgrade(engine, sharedId);
    }
}
