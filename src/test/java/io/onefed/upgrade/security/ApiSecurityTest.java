package io.onefed.upgrade.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/** Our own /api: Basic auth against the Camunda users, roles from groups, and the engine's checks behind it. */
class ApiSecurityTest extends SecuredAppTestBase {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON_MAP = new ParameterizedTypeReference<>() {
    };

    @Autowired TestRestTemplate rest;
    @Autowired RuntimeService runtime;
    @Autowired HistoryService history;

    private Map<String, Object> whoami(String user, String password) {
        ResponseEntity<Map<String, Object>> response = rest.withBasicAuth(user, password)
                .exchange("/api/test-probe/whoami", HttpMethod.GET, null, JSON_MAP);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        return response.getBody();
    }

    private long instances(String businessKey) {
        return runtime.createProcessInstanceQuery().processDefinitionKey(TEST_PROCESS)
                .processInstanceBusinessKey(businessKey).count();
    }

    @Test
    void anonymousAndBadCredentialsGetA401WithABasicChallenge() {
        ResponseEntity<String> anonymous = rest.getForEntity("/api/test-probe/whoami", String.class);
        assertThat(anonymous.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(anonymous.getHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE)).startsWith("Basic");
        assertThat(rest.withBasicAuth(SPARE, "not-the-password").getForEntity("/api/test-probe/whoami", String.class)
                .getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(rest.withBasicAuth("ghost", "x").postForEntity("/api/test-probe/start", null, String.class)
                .getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
    }

    @Test
    void theUserIsKnownToOurCodeAndToTheEngineWithTheRoleOfItsGroup() {
        Map<String, Object> auditor = whoami(AUDITOR, AUDITOR_PASSWORD);
        assertThat(auditor).containsEntry("user", AUDITOR).containsEntry("engineUser", AUDITOR)
                .containsEntry("engineGroups", List.of(Groups.AUDITORS))
                .containsEntry("auditor", true).containsEntry("operator", false).containsEntry("admin", false);

        Map<String, Object> operator = whoami(OPERATOR, OPERATOR_PASSWORD);
        assertThat(operator).containsEntry("user", OPERATOR).containsEntry("engineGroups", List.of(Groups.OPERATORS))
                .containsEntry("operator", true).containsEntry("auditor", false);

        assertThat(whoami(ADMIN, ADMIN_PASSWORD)).containsEntry("admin", true).containsEntry("operator", false);
    }

    @Test
    void auditorIsRefusedWritesByTheFilterChainAndByTheEngine() {
        long before = instances("api-start") + instances("api-start-get");
        assertThat(rest.withBasicAuth(AUDITOR, AUDITOR_PASSWORD).postForEntity("/api/test-probe/start", null, String.class)
                .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        ResponseEntity<String> behindGet = rest.withBasicAuth(AUDITOR, AUDITOR_PASSWORD)
                .getForEntity("/api/test-probe/start-behind-get", String.class);
        assertThat(behindGet.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(behindGet.getBody()).contains(AUDITOR).contains("CREATE");
        assertThat(instances("api-start") + instances("api-start-get")).isEqualTo(before);
    }

    @Test
    void operatorStartsThroughTheApiAsHimself() {
        ResponseEntity<String> started = rest.withBasicAuth(OPERATOR, OPERATOR_PASSWORD)
                .exchange("/api/test-probe/start", HttpMethod.POST, HttpEntity.EMPTY, String.class);
        assertThat(started.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(started.getBody()).singleResult()
                .getStartUserId()).isEqualTo(OPERATOR);
        assertThat(started.getHeaders().get(HttpHeaders.SET_COOKIE)).as("stateless: no session").isNull();
    }

    @Test
    void adminSetupPageOfTheAdminWebappIsClosed() {
        ResponseEntity<String> setup = rest.postForEntity("/camunda/api/admin/setup/default/user/create",
                new HttpEntity<>("{\"profile\":{\"id\":\"intruder\"},\"credentials\":{\"password\":\"x1234567\"}}",
                        jsonHeaders()), String.class);
        assertThat(setup.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    private static HttpHeaders jsonHeaders() {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(org.springframework.http.MediaType.APPLICATION_JSON);
        return headers;
    }
}
