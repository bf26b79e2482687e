package io.onefed.upgrade.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.camunda.bpm.engine.FilterService;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** The engine REST API refuses every write of an auditor and of anonymous callers, and lets operators work. */
class EngineRestAuthorizationTest extends SecuredAppTestBase {

    @Autowired TestRestTemplate rest;
    @Autowired RuntimeService runtime;
    @Autowired TaskService tasks;
    @Autowired ManagementService management;
    @Autowired HistoryService history;
    @Autowired FilterService filters;

    private String startAsSystem() {
        return runtime.startProcessInstanceByKey(TEST_PROCESS).getId();
    }

    private Task taskOf(String instanceId) {
        return tasks.createTaskQuery().processInstanceId(instanceId).singleResult();
    }

    private String jobOf(String instanceId) {
        return management.createJobQuery().processInstanceId(instanceId).singleResult().getId();
    }

    private ResponseEntity<String> call(String user, String password, HttpMethod method, String path, String json) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        TestRestTemplate client = user == null ? rest : rest.withBasicAuth(user, password);
        return client.exchange("/engine-rest" + path, method, new HttpEntity<>(json, headers), String.class);
    }

    private ResponseEntity<String> asAuditor(HttpMethod method, String path, String json) {
        return call(AUDITOR, AUDITOR_PASSWORD, method, path, json);
    }

    private ResponseEntity<String> asOperator(HttpMethod method, String path, String json) {
        return call(OPERATOR, OPERATOR_PASSWORD, method, path, json);
    }

    private ResponseEntity<String> asAdmin(HttpMethod method, String path, String json) {
        return call(ADMIN, ADMIN_PASSWORD, method, path, json);
    }

    private static String newUserJson(String id) {
        return "{\"profile\":{\"id\":\"" + id + "\",\"firstName\":\"X\",\"lastName\":\"Y\",\"email\":\"x@example.org\"},"
                + "\"credentials\":{\"password\":\"pw-" + id + "-123\"}}";
    }

    private static String newAuthorizationJson(String userId) {
        return "{\"type\":1,\"permissions\":[\"ALL\"],\"userId\":\"" + userId + "\",\"groupId\":null,"
                + "\"resourceType\":6,\"resourceId\":\"*\"}";
    }

    @Autowired org.camunda.bpm.engine.ProcessEngine engine;
    @Autowired IdentitySetup identitySetup;

    /**
     * Attack: the service's own group (the only holder of CREATE_INSTANCE) made an identity group with an operator
     * in it, e.g. through the Admin webapp. Every start removes it, and the operator's start through the engine
     * REST API stays refused.
     */
    @Test
    void theServiceGroupCanHaveNoMembers() {
        org.camunda.bpm.engine.IdentityService identity = engine.getIdentityService();
        // first line: the engine's default id pattern refuses the id (no '-' outside camunda-admin)
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> identity.saveGroup(identity.newGroup(Groups.SERVICE)))
                .hasMessageContaining("not a valid resource identifier");
        // an engine configured with a wider pattern accepts it: then the start removes it
        var configuration = (org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl)
                engine.getProcessEngineConfiguration();
        String pattern = configuration.getGroupResourceWhitelistPattern();
        configuration.setGroupResourceWhitelistPattern("[a-zA-Z0-9-]+");
        try {
            identity.saveGroup(identity.newGroup(Groups.SERVICE));
        } finally {
            configuration.setGroupResourceWhitelistPattern(pattern);
        }
        identity.createMembership(OPERATOR, Groups.SERVICE);
        identitySetup.postProcessEngineBuild(engine); // what every start of the service runs
        assertThat(identity.createGroupQuery().groupId(Groups.SERVICE).count()).isZero();
        assertThat(identity.createGroupQuery().groupMember(OPERATOR).list()).extracting(g -> g.getId())
                .doesNotContain(Groups.SERVICE);
        assertThat(asOperator(HttpMethod.POST, "/process-definition/key/" + TEST_PROCESS + "/start", "{}")
                .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    /**
     * Hole: a database from an older version holds grants on single open tasks (Camunda's default gave the
     * candidate group UPDATE on each task: variable writes, delegation). The next start removes them.
     */
    @Test
    void taskGrantsLeftByAnOlderVersionAreRemovedAtStart() {
        Task task = taskOf(startAsSystem());
        org.camunda.bpm.engine.AuthorizationService authorizations = engine.getAuthorizationService();
        org.camunda.bpm.engine.authorization.Authorization old = authorizations.createNewAuthorization(
                org.camunda.bpm.engine.authorization.Authorization.AUTH_TYPE_GRANT);
        old.setGroupId(Groups.OPERATORS);
        old.setResource(org.camunda.bpm.engine.authorization.Resources.TASK);
        old.setResourceId(task.getId());
        old.addPermission(org.camunda.bpm.engine.authorization.Permissions.UPDATE);
        authorizations.saveAuthorization(old);
        String write = "/task/" + task.getId() + "/variables/startedBy";
        assertThat(asOperator(HttpMethod.PUT, write, "{\"value\":\"x\"}").getStatusCode())
                .as("the old grant lets an operator write").isEqualTo(HttpStatus.NO_CONTENT);

        identitySetup.postProcessEngineBuild(engine);

        assertThat(authorizations.createAuthorizationQuery().resourceType(
                org.camunda.bpm.engine.authorization.Resources.TASK).resourceId(task.getId()).count()).isZero();
        assertThat(asOperator(HttpMethod.PUT, write, "{\"value\":\"y\"}").getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);
    }

    @Test
    void anonymousAndWrongPasswordAreRefused() {
        long before = runtime.createProcessInstanceQuery().processDefinitionKey(TEST_PROCESS).count();
        assertThat(call(null, null, HttpMethod.GET, "/process-definition", null).getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(call(null, null, HttpMethod.POST, "/process-definition/key/" + TEST_PROCESS + "/start", "{}")
                .getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        // a dedicated user: a failed login delays that user's next logins (Camunda's login throttling)
        assertThat(call(SPARE, "wrong", HttpMethod.GET, "/process-definition", null).getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(call("ghost", "ghost", HttpMethod.GET, "/process-definition", null).getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(runtime.createProcessInstanceQuery().processDefinitionKey(TEST_PROCESS).count()).isEqualTo(before);
    }

    @Test
    void auditorReadsButIsRefusedEveryWrite() {
        String instance = startAsSystem();
        Task task = taskOf(instance);
        String job = jobOf(instance);
        long instancesBefore = runtime.createProcessInstanceQuery().processDefinitionKey(TEST_PROCESS).count();

        // reads work: the refusals below are about writing, not about reaching the API
        ResponseEntity<String> read = asAuditor(HttpMethod.GET, "/process-instance?processDefinitionKey=" + TEST_PROCESS, null);
        assertThat(read.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(read.getBody()).contains(instance);
        assertThat(asAuditor(HttpMethod.GET, "/history/process-instance?processInstanceId=" + instance, null).getBody())
                .contains(instance);
        assertThat(asAuditor(HttpMethod.GET, "/task/" + task.getId(), null).getStatusCode()).isEqualTo(HttpStatus.OK);

        assertThat(asAuditor(HttpMethod.POST, "/process-definition/key/" + TEST_PROCESS + "/start", "{}").getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(asAuditor(HttpMethod.POST, "/task/" + task.getId() + "/claim", "{\"userId\":\"" + AUDITOR + "\"}")
                .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(asAuditor(HttpMethod.POST, "/task/" + task.getId() + "/complete", "{}").getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(asAuditor(HttpMethod.PUT, "/job/" + job + "/retries", "{\"retries\":5}").getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(asAuditor(HttpMethod.POST, "/user/create", newUserJson("mallory")).getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(asAuditor(HttpMethod.POST, "/authorization/create", newAuthorizationJson(AUDITOR)).getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);

        // and nothing changed
        assertThat(runtime.createProcessInstanceQuery().processDefinitionKey(TEST_PROCESS).count())
                .isEqualTo(instancesBefore);
        Task after = taskOf(instance);
        assertThat(after).isNotNull();
        assertThat(after.getAssignee()).isNull();
        assertThat(management.createJobQuery().jobId(job).singleResult().getRetries()).isEqualTo(3);
        assertThat(history.createUserOperationLogQuery().userId(AUDITOR).count()).isZero();
    }

    @Test
    void operatorClaimsRetriesAndCompletesButStartsNothing() {
        // only the service's own code starts processes (issue 12): the engine REST API refuses the operator
        ResponseEntity<String> refused = asOperator(HttpMethod.POST,
                "/process-definition/key/" + TEST_PROCESS + "/start", "{\"businessKey\":\"upgrade-op-1\"}");
        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(runtime.createProcessInstanceQuery().processInstanceBusinessKey("upgrade-op-1").count()).isZero();
        String instance = startAsSystem();
        Task task = taskOf(instance);
        String job = jobOf(instance);

        // the shared filter lists the task for the operator
        String filterId = filters.createFilterQuery().filterName("Pending upgrade approvals").singleResult().getId();
        assertThat(asOperator(HttpMethod.GET, "/filter/" + filterId + "/list", null).getBody()).contains(task.getId());
        assertThat(asAuditor(HttpMethod.GET, "/filter/" + filterId + "/list", null).getBody()).contains(task.getId());

        // Cockpit's retry of a failed job: RETRY_JOB is enough
        assertThat(asOperator(HttpMethod.PUT, "/job/" + job + "/retries", "{\"retries\":5}").getStatusCode())
                .isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(management.createJobQuery().jobId(job).singleResult().getRetries()).isEqualTo(5);

        assertThat(asOperator(HttpMethod.POST, "/task/" + task.getId() + "/claim", "{\"userId\":\"" + OPERATOR + "\"}")
                .getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(asOperator(HttpMethod.POST, "/task/" + task.getId() + "/complete", "{}").getStatusCode())
                .isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(runtime.createProcessInstanceQuery().processInstanceId(instance).count()).isZero();
    }

    @Test
    void operatorsHoldNoWriteBeyondWorkingTasksAndRetryingJobs() {
        List<String> refused = List.of("CREATE", "CREATE_INSTANCE", "UPDATE", "UPDATE_INSTANCE", "UPDATE_TASK",
                "UPDATE_INSTANCE_VARIABLE", "UPDATE_TASK_VARIABLE", "UPDATE_VARIABLE",
                "MIGRATE_INSTANCE", "DELETE", "DELETE_INSTANCE", "SUSPEND", "SUSPEND_INSTANCE", "ALL");
        for (EngineAuthorizations.Grant grant : new EngineAuthorizations(null,
                new SecurityProperties(null, null)).grants("filter-id")) {
            if (grant.group().equals(Groups.OPERATORS) && !grant.resource().equals(
                    org.camunda.bpm.engine.authorization.Resources.BATCH)) {
                for (var permission : grant.permissions()) {
                    assertThat(refused).as("operator grant on %s", grant.resource().resourceName())
                            .doesNotContain(permission.getName());
                }
            }
        }
    }

    @Test
    void operatorCannotManageUsersOrAuthorizationsButAdminCan() {
        assertThat(asOperator(HttpMethod.POST, "/user/create", newUserJson("eve")).getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(asOperator(HttpMethod.POST, "/authorization/create", newAuthorizationJson(OPERATOR)).getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);
        // the same requests are well-formed: the admin gets them through
        assertThat(asAdmin(HttpMethod.POST, "/user/create", newUserJson("trent")).getStatusCode())
                .isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(asAdmin(HttpMethod.POST, "/authorization/create", newAuthorizationJson("trent")).getStatusCode())
                .isEqualTo(HttpStatus.OK);
        assertThat(asAdmin(HttpMethod.GET, "/user?id=eve", null).getBody()).isEqualTo("[]");
    }

    @Test
    void auditorHasNoWritePermissionAnywhereInTheGrants() {
        List<String> writes = List.of("CREATE", "UPDATE", "DELETE", "TASK_WORK", "TASK_ASSIGN", "RETRY_JOB",
                "CREATE_INSTANCE", "UPDATE_INSTANCE", "UPDATE_TASK", "ALL");
        for (EngineAuthorizations.Grant grant : new EngineAuthorizations(null,
                new SecurityProperties(null, null)).grants("filter-id")) {
            if (grant.group().equals(Groups.AUDITORS)) {
                for (var permission : grant.permissions()) {
                    assertThat(writes).as("auditor grant on %s", grant.resource().resourceName())
                            .doesNotContain(permission.getName());
                }
            }
        }
    }
}
