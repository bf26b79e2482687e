package io.onefed.upgrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.security.Groups;
import io.onefed.upgrade.simulator.SimulatedFederation;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 5 end to end on the simulated federation and PostgreSQL: the dry run, four eyes on the start approval
 * through the engine's REST API, and the audit report of the finished upgrade read by an auditor.
 */
@Tag("e2e")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AuditReportEndToEndTest extends EndToEndTestBase {

    static final String AUDITOR = "eaud1";
    static final SimulatedFederation SIM = EndToEndSupport.startFederation("e2e-audit", SimulatedFederation.guideSpec());

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        EndToEndSupport.register(registry, SIM, "e2e_audit");
        Path file = Path.of("target", "test-secrets", "e2e.password");
        registry.add("onefed.users[2].id", () -> AUDITOR);
        registry.add("onefed.users[2].password.file", file::toString);
        registry.add("onefed.users[2].groups[0]", () -> Groups.AUDITORS);
        Files.createDirectories(file.getParent());
    }

    @AfterAll
    static void stop() {
        SIM.close();
    }




    @Test
    void planFourEyesAndTheAuditorsReport() throws Exception {
        EndToEndSupport.Api api = new EndToEndSupport.Api(port);
        JsonNode plan = api.call(AUDITOR, "GET", "/api/upgrades/plan?targetVersion=7.0.0", null, 200);
        assertThat(plan.get("fromVersion").asText()).isEqualTo("6.10.0.1");
        assertThat(plan.get("sha256").asText()).hasSize(64);
        assertThat(plan.get("text").asText()).contains("onedb upgrade -v").contains("onedb backup -v -f --federated");
        assertThat(SIM.commandLog(0, "onedb")).as("the dry run touches nothing").isEmpty();

        String id = api.start("7.0.0", 5);
        JsonNode task = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> api.pending(id, "Approve the start of the upgrade"), t -> t != null);
        Map<String, Object> body = Map.of("variables", Map.of("decision", Map.of("value", "approve"),
                "comment", Map.of("value", "I started it myself")));
        assertThatThrownBy(() -> api.call(EndToEndSupport.OPERATOR1, "POST",
                "/engine-rest/task/" + task.get("taskId").asText() + "/complete", body, 204))
                .hasMessageContaining("four eyes").hasMessageContaining("another operator must decide");

        api.approve(id, "Approve the start of the upgrade", "approve", Duration.ofSeconds(10));
        api.approve(id, "Approve re-enabling API access", "approve", Duration.ofSeconds(240));
        JsonNode end = api.awaitEnd(id, Duration.ofSeconds(60));
        assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("completed");

        JsonNode report = api.call(AUDITOR, "GET", "/api/upgrades/" + id + "/report?format=json", null, 200);
        assertThat(report.get("outcome").asText()).isEqualTo("COMPLETED");
        assertThat(report.get("startedBy").asText()).isEqualTo(EndToEndSupport.OPERATOR1);
        JsonNode start = report.get("approvals").get(0);
        assertThat(start.get("taskKey").asText()).isEqualTo("ApproveStart");
        assertThat(start.get("decidedBy").asText()).isEqualTo(EndToEndSupport.OPERATOR2);
        assertThat(start.get("planHash").asText()).isEqualTo(report.get("approvedPlanHash").asText()).hasSize(64);
        assertThat(report.get("commands").size()).isGreaterThan(20);
        assertThat(report.get("commands")).allSatisfy(c -> {
            assertThat(c.get("exitStatus").asInt()).as(c.toString()).isZero();
            assertThat(c.get("outputSha256").asText()).hasSize(64);
        });
        assertThat(report.get("versionsAfter")).hasSize(3).allSatisfy(v -> assertThat(v.get("version").asText())
                .isEqualTo("7.0.0"));
        assertThat(report.get("backups").toString()).contains("federated-from-zone-0");

        HttpResponse<String> html = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/upgrades/" + id + "/report"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (AUDITOR + ":" + EndToEndSupport.PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(html.body()).contains("Upgrade report " + id).contains(EndToEndSupport.OPERATOR2)
                .contains("onedb upgrade -v").doesNotContain(EndToEndSupport.PASSWORD);
        Files.createDirectories(Path.of("target", "reports"));
        Files.writeString(Path.of("target", "reports", "audit-report-e2e.html"), html.body());
    }
}
