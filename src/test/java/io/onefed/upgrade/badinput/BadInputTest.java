package io.onefed.upgrade.badinput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.e2e.EndToEndSupport;
import io.onefed.upgrade.securityscan.ServiceTestBase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 6, bad input (configuration files aside: {@code FederationConfigValidatorTest}): each one is refused with
 * a message that names the field and the fix, and nothing is started or changed.
 */
@Tag("badinput")
class BadInputTest extends ServiceTestBase {

    static final String OP = EndToEndSupport.OPERATOR1;

    static Stream<Arguments> badStartRequests() {
        String huge = "7".repeat(100_000);
        return Stream.of(
                // what, body, field named, hint naming the fix
                bad("empty version", "{\"targetVersion\": \"\"}", "targetVersion", "e.g. \\\"7.0.0\\\""),
                bad("blank version", "{\"targetVersion\": \"   \"}", "targetVersion", "e.g. \\\"7.0.0\\\""),
                bad("version missing", "{\"maxParallelZones\": 2}", "targetVersion", "e.g. \\\"7.0.0\\\""),
                bad("version null", "{\"targetVersion\": null}", "targetVersion", "e.g. \\\"7.0.0\\\""),
                bad("misspelt field", "{\"targetVersoin\": \"7.0.0\"}", "targetVersion", "e.g. \\\"7.0.0\\\""),
                bad("word", "{\"targetVersion\": \"latest\"}", "targetVersion", "MAJOR.MINOR.PATCH"),
                bad("major only", "{\"targetVersion\": \"7\"}", "targetVersion", "MAJOR.MINOR.PATCH"),
                // four parts are a real CE maintenance release (6.10.0.1, include/NebulaService.h): five are not
                bad("five parts", "{\"targetVersion\": \"7.0.0.1.2\"}", "targetVersion", "MAJOR.MINOR.PATCH"),
                bad("shell metacharacters", "{\"targetVersion\": \"7.0.0; rm -rf /\"}", "targetVersion", "MAJOR.MINOR.PATCH"),
                bad("command substitution in a suffix", "{\"targetVersion\": \"7.0.0-$(reboot)\"}", "targetVersion",
                        "MAJOR.MINOR.PATCH"),
                bad("package release suffix", "{\"targetVersion\": \"7.0.0-1\"}", "targetVersion", "MAJOR.MINOR.PATCH"),
                bad("path traversal", "{\"targetVersion\": \"../../etc/passwd\"}", "targetVersion", "MAJOR.MINOR.PATCH"),
                bad("full-width digits", "{\"targetVersion\": \"\uFF17.\uFF10.\uFF10\"}", "targetVersion", "MAJOR.MINOR.PATCH"),
                bad("NUL after the version", "{\"targetVersion\": \"7.0.0\\u0000\"}", "targetVersion", "MAJOR.MINOR.PATCH"),
                bad("number overflow", "{\"targetVersion\": \"99999999999.0.0\"}", "targetVersion", "MAJOR.MINOR.PATCH"),
                bad("100 000 characters", "{\"targetVersion\": \"" + huge + "\"}", "targetVersion", "MAJOR.MINOR.PATCH"),
                bad("version as number", "{\"targetVersion\": 7}", "targetVersion", "MAJOR.MINOR.PATCH"),
                bad("version as object", "{\"targetVersion\": {\"major\": 7}}", "targetVersion", "7.0.0"),
                bad("version as array", "{\"targetVersion\": [\"7.0.0\"]}", "targetVersion", "7.0.0"),
                bad("zero zones at once", "{\"targetVersion\": \"7.0.0\", \"maxParallelZones\": 0}", "maxParallelZones", "1 to 1000"),
                bad("negative zones", "{\"targetVersion\": \"7.0.0\", \"maxParallelZones\": -1}", "maxParallelZones", "1 to 1000"),
                bad("10^9 zones", "{\"targetVersion\": \"7.0.0\", \"maxParallelZones\": 1000000000}", "maxParallelZones", "1 to 1000"),
                bad("zones beyond int", "{\"targetVersion\": \"7.0.0\", \"maxParallelZones\": 10000000000000}",
                        "maxParallelZones", "a whole number"),
                bad("zones as word", "{\"targetVersion\": \"7.0.0\", \"maxParallelZones\": \"five\"}", "maxParallelZones",
                        "a whole number"),
                // issue 14: forcing the federated procedure takes a JSON boolean
                bad("force as word", "{\"targetVersion\": \"7.0.0\", \"forceFederated\": \"yes\"}", "forceFederated",
                        "give true (run the federated procedure) or false"),
                bad("force as object", "{\"targetVersion\": \"7.0.0\", \"forceFederated\": {\"on\": true}}",
                        "forceFederated", "give true (run the federated procedure) or false"),
                bad("not JSON", "targetVersion=7.0.0", "body", "{\\\"targetVersion\\\": \\\"7.0.0\\\""),
                bad("JSON array", "[{\"targetVersion\": \"7.0.0\"}]", "body", "{\\\"targetVersion\\\": \\\"7.0.0\\\""),
                bad("JSON null", "null", "body", "{\\\"targetVersion\\\": \\\"7.0.0\\\""),
                bad("empty body", "", "body", "{\\\"targetVersion\\\": \\\"7.0.0\\\""),
                bad("truncated JSON", "{\"targetVersion\": \"7.0.0\"", "body", "{\\\"targetVersion\\\": \\\"7.0.0\\\""));
    }

    static Arguments bad(String what, String body, String field, String hint) {
        return Arguments.of(what, body, field, hint);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badStartRequests")
    void aBadStartRequestIsRefusedNamingTheFieldAndNothingStarts(String what, String body, String field, String hint)
            throws Exception {
        long before = upgradesStarted();
        Answer a = json(OP, "POST", "/api/upgrades", body);
        assertThat(a.status()).as(what + ": " + a).isEqualTo(400);
        JsonNode answer = EndToEndSupport.JSON.readTree(a.body());
        assertThat(answer.get("field").asText()).as(a.toString()).isEqualTo(field);
        assertThat(answer.get("message").asText()).as(a.toString()).startsWith(field + ": ");
        assertThat(a.body()).as(a.toString()).contains(hint);
        assertThat(a.body().length()).as("the answer stays short, whatever came in").isLessThan(600);
        assertNothingStarted(before);
    }

    @Test
    void aTenMegabyteBodyIsRefusedBeforeItIsRead() throws Exception {
        long before = upgradesStarted();
        byte[] body = new byte[10 * 1024 * 1024];
        Arrays.fill(body, (byte) ' ');
        System.arraycopy("{\"targetVersion\": \"7.0.0\"}".getBytes(StandardCharsets.UTF_8), 0, body, 0, 26);
        Answer a = raw(OP, "POST", "/api/upgrades", "application/json", body);
        assertThat(a.status()).as(a.toString()).isEqualTo(413);
        JsonNode answer = EndToEndSupport.JSON.readTree(a.body());
        assertThat(answer.get("field").asText()).isEqualTo("body");
        assertThat(answer.get("message").asText()).contains("bytes at most");
        assertNothingStarted(before);
    }

    @Test
    void aBodyThatIsNotJsonByItsContentTypeIsRefused() throws Exception {
        long before = upgradesStarted();
        Answer a = raw(OP, "POST", "/api/upgrades", "text/plain", "7.0.0".getBytes(StandardCharsets.UTF_8));
        assertThat(a.status()).as(a.toString()).isEqualTo(415);
        JsonNode answer = EndToEndSupport.JSON.readTree(a.body());
        assertThat(answer.get("field").asText()).isEqualTo("Content-Type");
        assertThat(answer.get("message").asText()).contains("application/json");
        assertNothingStarted(before);
    }

    @Test
    void unknownUpgradeIdsAreNotFoundWithAMessage() throws Exception {
        // an encoded path separator or percent sign is refused by Spring Security's firewall before any code runs
        for (String id : List.of("..%252F..%252Fetc%252Fpasswd", "..%2F..%2Fetc%2Fpasswd")) {
            Answer a = json(OP, "GET", "/api/upgrades/" + id, null);
            assertThat(a.status()).as(id + ": " + a).isEqualTo(400);
        }
        for (String id : List.of("U20990101-000000-ffff", "nope", "%3Cscript%3Ealert(1)%3C-script%3E", "x".repeat(2000))) {
            Answer a = json(OP, "GET", "/api/upgrades/" + id, null);
            assertThat(a.status()).as(id + ": " + a).isEqualTo(404);
            JsonNode answer = EndToEndSupport.JSON.readTree(a.body());
            assertThat(answer.get("field").asText()).isEqualTo("id");
            assertThat(answer.get("message").asText()).contains("GET /api/upgrades");
            assertThat(a.body()).doesNotContain("<script>");
        }
    }

    /**
     * A downgrade or the version already installed: {@code POST /api/upgrades} cannot know the installed version
     * without asking the zones, so it accepts any well-formed version and the preflight (which asks every zone)
     * blocks before anything changes, with the finding "target is an upgrade" for the operator. Chosen so there
     * is one place that reads the versions (the preflight, recorded in the history), not two that may disagree.
     */
    @Test
    void downgradeAndSameVersionAreStoppedByThePreflightBeforeAnyChange() {
        // the same four-part CE release, the series' first patch below it, an older series
        for (String target : List.of("6.10.0.1", "6.10.0", "6.8.0")) {
            String id = api.start(target, 2);
            JsonNode review = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                    .until(() -> api.pending(id, "Review the preflight findings"), t -> t != null);
            String summary = String.valueOf(engine.getRuntimeService().getVariable(
                    task(review).getProcessInstanceId(), "preflightSummary"));
            assertThat(summary).contains("target is an upgrade").contains("target " + target + " is not newer than 6.10.0.1");
            api.call(EndToEndSupport.OPERATOR2, "POST", "/engine-rest/task/" + review.get("taskId").asText()
                    + "/complete", Map.of("variables", Map.of("decision", Map.of("value", "abort"),
                            "comment", Map.of("value", "not an upgrade"))), 204);
            JsonNode end = api.awaitEnd(id, Duration.ofSeconds(30));
            assertThat(end.get("state").asText()).isEqualTo("aborted");
            assertNoZoneTouched();
        }
    }

    static Stream<Arguments> badDecisions() {
        return Stream.of(
                Arguments.of("no variables", "{}", "decision"),
                Arguments.of("decision missing", "{\"variables\": {\"comment\": {\"value\": \"ok\"}}}", "decision"),
                Arguments.of("unknown decision", vars("\"yes\"", "\"ok\""), "decision"),
                Arguments.of("decision as number", vars("1", "\"ok\""), "decision"),
                Arguments.of("decision as boolean", vars("true", "\"ok\""), "decision"),
                Arguments.of("decision of another task", vars("\"retry\"", "\"ok\""), "decision"),
                Arguments.of("comment missing", "{\"variables\": {\"decision\": {\"value\": \"approve\"}}}", "comment"),
                Arguments.of("blank comment", vars("\"approve\"", "\"   \""), "comment"),
                Arguments.of("comment as number", vars("\"approve\"", "42"), "comment"));
    }

    static String vars(String decision, String comment) {
        return "{\"variables\": {\"decision\": {\"value\": " + decision + "}, \"comment\": {\"value\": " + comment + "}}}";
    }

    /** Bad completions of a real approval task through the engine's task REST API: refused, the task stays open. */
    @Test
    void badFormSubmissionsAreRefusedNamingTheFieldAndTheTaskStaysOpen() {
        String id = api.start("7.0.0", 2);
        JsonNode approval = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> api.pending(id, "Approve the start of the upgrade"), t -> t != null);
        String taskId = approval.get("taskId").asText();
        List<Arguments> cases = badDecisions().toList();
        for (Arguments c : cases) {
            Object[] v = c.get();
            for (String endpoint : List.of("/complete", "/submit-form")) {
                Answer a = json(EndToEndSupport.OPERATOR2, "POST", "/engine-rest/task/" + taskId + endpoint, (String) v[1]);
                // refused with the field and the fix named, before the engine (web/TaskFormCheckFilter)
                assertThat(a.status()).as(v[0] + " via " + endpoint + ": " + a).isEqualTo(400);
                assertThat(a.body()).as(v[0] + ": " + a).contains(v[2] + ": ")
                        .contains("comment".equals(v[2]) ? "say why you decide" : "set the form field 'decision'");
                assertThat(engine.getTaskService().createTaskQuery().taskId(taskId).count()).as("task still open").isEqualTo(1);
            }
        }
        for (String[] c : List.of(new String[] {"variables not an object", "{\"variables\": \"approve\"}"},
                new String[] {"not JSON", "decision=approve"})) {
            Answer a = json(EndToEndSupport.OPERATOR2, "POST", "/engine-rest/task/" + taskId + "/complete", c[1]);
            assertThat(a.status()).as(c[0] + ": " + a).isEqualTo(400);
            assertThat(engine.getTaskService().createTaskQuery().taskId(taskId).count()).isEqualTo(1);
        }
        Answer unknown = json(EndToEndSupport.OPERATOR2, "POST", "/engine-rest/task/no-such-task/complete", vars("\"approve\"", "\"ok\""));
        // Camunda's own answer for an unknown task (500, message naming the id): not ours to change
        assertThat(unknown.status()).as(unknown.toString()).isIn(400, 404, 500);
        assertThat(unknown.body()).contains("no-such-task");
        assertNoZoneTouched();
        assertThat(engine.getHistoryService().createHistoricVariableInstanceQuery().taskIdIn(taskId)
                .variableName("decidedBy").count())
                .as("no decision was recorded").isZero();

        api.call(EndToEndSupport.OPERATOR2, "POST", "/engine-rest/task/" + taskId + "/complete",
                Map.of("variables", Map.of("decision", Map.of("value", "reject"), "comment", Map.of("value", "test done"))), 204);
        assertThat(api.awaitEnd(id, Duration.ofSeconds(30)).get("state").asText()).isEqualTo("rejected");
        assertNoZoneTouched();
    }

    private Task task(JsonNode approval) {
        return engine.getTaskService().createTaskQuery().taskId(approval.get("taskId").asText()).singleResult();
    }

    private void assertNothingStarted(long before) {
        assertThat(upgradesStarted()).as("no upgrade started").isEqualTo(before);
        assertNoZoneTouched();
    }

    private static void assertNoZoneTouched() {
        for (int zone : SIM.zoneIds()) {
            assertThat(SIM.commandLog(zone, "systemctl")).as("zone %d: no service touched", zone).isEmpty();
            assertThat(SIM.installedVersion(zone)).isEqualTo("6.10.0.1");
            assertThat(SIM.zoneDisabled(zone)).isFalse();
        }
    }
}
