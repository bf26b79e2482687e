package io.onefed.upgrade.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.onefed.upgrade.security.SecuredAppTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.http.ResponseEntity;

/** Health (engine, job executor, database) and Prometheus metrics answer; the webapps are reachable. */
class OpsEndpointsTest extends SecuredAppTestBase {

    @Autowired TestRestTemplate rest;
    @Autowired ObjectMapper json;

    @Test
    void healthIsOpenAndShowsDetailsOnlyToAuthenticatedUsers() throws Exception {
        ResponseEntity<String> open = rest.getForEntity("/actuator/health", String.class);
        assertThat(open.getStatusCode()).isEqualTo(HttpStatus.OK);
        JsonNode anonymous = json.readTree(open.getBody());
        assertThat(anonymous.path("status").asText()).isEqualTo("UP");
        assertThat(anonymous.has("components")).isFalse();

        JsonNode detailed = json.readTree(rest.withBasicAuth(ADMIN, ADMIN_PASSWORD)
                .getForEntity("/actuator/health", String.class).getBody());
        JsonNode components = detailed.path("components");
        assertThat(components.path("processEngine").path("status").asText()).isEqualTo("UP");
        assertThat(components.path("jobExecutor").path("status").asText()).isEqualTo("UP");
        assertThat(components.path("db").path("status").asText()).isEqualTo("UP");
        assertThat(components.path("db").path("details").path("database").asText()).isEqualTo("H2");
    }

    @Test
    void prometheusNeedsALogin() {
        // it tells which step runs and when the API is frozen: not for anyone who reaches the port
        assertThat(rest.getForEntity("/actuator/prometheus", String.class).getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        ResponseEntity<String> metrics = rest.withBasicAuth(AUDITOR, AUDITOR_PASSWORD)
                .getForEntity("/actuator/prometheus", String.class);
        assertThat(metrics.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(metrics.getBody()).contains("jvm_memory_used_bytes").contains("hikaricp_connections")
                .contains("onefed_upgrades{state=\"running\"}");
    }

    @Test
    void otherActuatorEndpointsAreNotOpen() {
        assertThat(rest.getForEntity("/actuator/env", String.class).getStatusCode())
                .isIn(HttpStatus.UNAUTHORIZED, HttpStatus.NOT_FOUND);
        assertThat(rest.getForEntity("/actuator/env", String.class).getStatusCode()).isNotEqualTo(HttpStatus.OK);
    }

    private HttpStatusCode webappLogin(String app, String user, String password) {
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("username", user);
        form.add("password", password);
        // the webapps' own CSRF protection: the token comes with the page as a cookie and goes back as a header
        ResponseEntity<String> page = rest.getForEntity("/camunda/app/" + app + "/default/", String.class);
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_FORM_URLENCODED);
        StringBuilder cookies = new StringBuilder();
        for (String cookie : page.getHeaders().getOrEmpty(HttpHeaders.SET_COOKIE)) {
            String pair = cookie.split(";", 2)[0];
            cookies.append(cookies.isEmpty() ? "" : "; ").append(pair);
            if (pair.startsWith("XSRF-TOKEN=")) {
                headers.add("X-XSRF-TOKEN", pair.substring("XSRF-TOKEN=".length()));
            }
        }
        headers.add(HttpHeaders.COOKIE, cookies.toString());
        return rest.postForEntity("/camunda/api/admin/auth/user/default/login/" + app,
                new HttpEntity<>(form, headers), String.class).getStatusCode();
    }

    @Test
    void webappLoginFollowsTheApplicationGrants() {
        assertThat(webappLogin("cockpit", OPERATOR, OPERATOR_PASSWORD)).isEqualTo(HttpStatus.OK);
        assertThat(webappLogin("tasklist", OPERATOR, OPERATOR_PASSWORD)).isEqualTo(HttpStatus.OK);
        assertThat(webappLogin("cockpit", AUDITOR, AUDITOR_PASSWORD)).isEqualTo(HttpStatus.OK);
        assertThat(webappLogin("admin", OPERATOR, OPERATOR_PASSWORD)).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(webappLogin("admin", AUDITOR, AUDITOR_PASSWORD)).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(webappLogin("admin", ADMIN, ADMIN_PASSWORD)).isEqualTo(HttpStatus.OK);
    }

    @Test
    void webappsAreServedAndLeftToTheirOwnLogin() {
        ResponseEntity<String> cockpit = rest.getForEntity("/camunda/app/cockpit/default/", String.class);
        assertThat(cockpit.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(cockpit.getBody()).containsIgnoringCase("<html");
        // the webapps' own API refuses an anonymous caller (their auth, not Spring Security's)
        assertThat(rest.getForEntity("/camunda/api/engine/engine/default/process-definition", String.class)
                .getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
    }
}
