package io.onefed.upgrade.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.onefed.upgrade.audit.ReportService;
import io.onefed.upgrade.audit.SyntheticHistory;
import java.nio.charset.StandardCharsets;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

/**
 * The report endpoints over a history whose outputs (20 KiB each) exceed what a row shows: HTML and JSON name the cut
 * outputs and link their whole text, which the output endpoint returns. The body is written in the request's
 * own thread (no async dispatch), where the caller's engine authorizations are bound: an async body would read the
 * history with no authenticated user, that is without any authorization check.
 */
class ReportControllerTest {

    static final String UPGRADE = "U-WEB-1";
    static final int OUTPUT = 20 * 1024;
    static ProcessEngine engine;
    static MockMvc mvc;
    static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    @BeforeAll
    static void history() {
        engine = SyntheticHistory.engine("jdbc:h2:mem:report-controller-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "true");
        SyntheticHistory.write(engine, UPGRADE, 2, 2, 2, OUTPUT);
        mvc = MockMvcBuilders.standaloneSetup(new ReportController(new ReportService(engine.getHistoryService()), JSON)).build();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private MockHttpServletResponse call(String url) throws Exception {
        return mvc.perform(get(url)).andExpect(request().asyncNotStarted()).andReturn().getResponse();
    }

    @Test
    void htmlAndJsonShowTheLastPartOfEachOutputAndSaySo() throws Exception {
        MockHttpServletResponse html = call("/api/upgrades/" + UPGRADE + "/report");
        assertThat(html.getStatus()).isEqualTo(200);
        assertThat(html.getContentType()).startsWith("text/html");
        String page = html.getContentAsString(StandardCharsets.UTF_8);
        assertThat(page).contains("8 commands").contains("at most its last 16 KiB").endsWith("</body></html>\n")
                .contains("/api/upgrades/U-WEB-1/commands/U-WEB-1-z0-s0-a1.1-host0/output?stream=stdout");
        assertThat(page.split("\\(cut: its last part\\)", -1)).hasSize(9);

        MockHttpServletResponse json = call("/api/upgrades/" + UPGRADE + "/report?format=json");
        assertThat(json.getContentType()).startsWith("application/json");
        JsonNode r = JSON.readTree(json.getContentAsString(StandardCharsets.UTF_8));
        assertThat(r.get("upgradeId").asText()).isEqualTo(UPGRADE);
        assertThat(r.get("commandCount").asInt()).isEqualTo(8);
        assertThat(r.get("outputChars").asInt()).isEqualTo(ReportService.OUTPUT_CHARS);
        assertThat(r.get("commands")).hasSize(8).allSatisfy(c -> {
            assertThat(c.get("outputCut").asBoolean()).isTrue();
            assertThat(c.get("stdout").asText()).hasSize(ReportService.OUTPUT_CHARS).endsWith("\nEND.\n");
        });
    }

    @Test
    void theOutputEndpointGivesOneCommandsWholeOutput() throws Exception {
        MockHttpServletResponse out = call("/api/upgrades/" + UPGRADE + "/commands/U-WEB-1-z1-s1-a1.1-host1/output");
        assertThat(out.getStatus()).isEqualTo(200);
        assertThat(out.getContentType()).startsWith("text/plain");
        assertThat(out.getContentAsString(StandardCharsets.UTF_8)).hasSize(OUTPUT).startsWith("line of apt output for zone 1 step 1");
        assertThat(out.getHeader("X-Output-Truncated-On-Host")).isEqualTo("false");
        assertThat(call("/api/upgrades/" + UPGRADE + "/commands/U-WEB-1-z1-s1-a1.1-host1/output?stream=stderr")
                .getContentAsString(StandardCharsets.UTF_8)).isEmpty();

        assertThat(call("/api/upgrades/" + UPGRADE + "/commands/nope/output").getStatus()).isEqualTo(404);
        assertThat(call("/api/upgrades/U-none/commands/nope/output").getStatus()).isEqualTo(404);
        MockHttpServletResponse bad = call("/api/upgrades/" + UPGRADE + "/commands/x/output?stream=both");
        assertThat(bad.getStatus()).isEqualTo(400);
        assertThat(bad.getContentAsString()).contains("stream").contains("stdout or stderr");
        assertThat(call("/api/upgrades/U-none/report").getStatus()).isEqualTo(404);
    }
}
