package io.onefed.upgrade.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.e2e.EndToEndSupport;
import io.onefed.upgrade.simulator.SimulatedFederation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.runtime.Incident;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 5's browser tests: one upgrade of the guide's simulated federation, followed in real headless Chromium
 * the way the people who use the service see it. The steps build on each other (one upgrade, in order):
 * the operator who started it is refused by four eyes and a second operator approves the start in Tasklist; a
 * fault on S-US-CA's SSH turns its stop into an incident that an
 * operator retries from Cockpit; an auditor can look at the re-enable approval but not complete it; after the
 * end the auditor reads the report.
 */
class UpgradeInTheBrowserTest extends BrowserStepsTestBase {

    static final SimulatedFederation SIM = EndToEndSupport.startFederation("browser-guide", SimulatedFederation.guideSpec());
    static final String OPERATOR1 = EndToEndSupport.OPERATOR1;
    static final String OPERATOR2 = EndToEndSupport.OPERATOR2;
    static final String AUDITOR = "eaud1";
    static final String START_APPROVAL = "Approve the start of the upgrade";
    static final String REENABLE_APPROVAL = "Approve re-enabling API access";
    static final String FILTER = "Pending upgrade approvals";
    static final String COMMENT = "Preflight looks right; change CHG-4711 window opened.";
    /** Tasklist's and Cockpit's error notifications. */
    static final By ERROR_NOTIFICATION = By.cssSelector(".notifications .alert-danger, .notifications .alert-error");
    /** S-US-CA: its SSH cuts every command off while the fault is on. */
    static final int FAULTY_ZONE = 101;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registerService(registry, SIM, "browser_guide", AUDITOR, "eadmin1");
    }

    @Override
    SimulatedFederation sim() {
        return SIM;
    }

    @Test
    @Order(1)
    void operatorApprovesTheStartInTasklistAfterSeeingTheZones() {
        upgradeId = api.start("7.0.0", 5);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> api.pending(upgradeId, START_APPROVAL) != null);
        // set now, while nothing has touched the zones yet: the first command on S-US-CA (its stop) will fail
        SIM.faults().dropConnections(FAULTY_ZONE, 1_000, false);

        // four eyes: OPERATOR1 started the upgrade, so the engine refuses OPERATOR1's approval
        browser.login("tasklist", OPERATOR1, PASSWORD);
        openTask(START_APPROVAL);
        claim();
        decide("Approve", "I started it and approve it myself.");
        complete();
        WebElement refusal = browser.await(ExpectedConditions.visibilityOfElementLocated(ERROR_NOTIFICATION));
        browser.await(ExpectedConditions.textToBePresentInElementLocated(ERROR_NOTIFICATION, "four eyes"));
        browser.screenshot("01-tasklist-four-eyes-refused");
        assertThat(refusal.getText()).contains(OPERATOR1, "another operator must decide");
        assertThat(api.pending(upgradeId, START_APPROVAL)).as("the start approval is still open").isNotNull();
        browser.click(By.cssSelector("button.unclaim"));
        browser.await(ExpectedConditions.elementToBeClickable(By.cssSelector("button.claim")));

        // a second operator sees what is being approved: the zones, FED_INDEX, the plan and its hash
        browser.login("tasklist", OPERATOR2, PASSWORD);
        openTask(START_APPROVAL);
        String shown = browser.await(d -> {
            String all = formText();
            return all.contains("S-US-CA") ? all : null;
        });
        assertThat(shown).contains("M-EU-FR", "S-EU-GE", "S-US-CA", "715438", "7.0.0");
        Object planHash = engine.getRuntimeService().getVariable(engine.getTaskService().createTaskQuery()
                .processInstanceBusinessKey(upgradeId).taskName(START_APPROVAL).singleResult().getProcessInstanceId(),
                "planHash");
        assertThat(shown).contains(String.valueOf(planHash));
        browser.screenshot("02-tasklist-start-approval");

        claim();
        decide("Approve", COMMENT);
        browser.screenshot("03-tasklist-start-approval-filled");
        complete();

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
                .until(() -> api.pending(upgradeId, START_APPROVAL) == null);
        browser.screenshot("04-tasklist-after-approval");
        var task = engine.getHistoryService().createHistoricTaskInstanceQuery().processInstanceBusinessKey(upgradeId)
                .taskName(START_APPROVAL).singleResult();
        assertThat(task.getAssignee()).isEqualTo(OPERATOR2);
        assertThat(taskVariables(task.getId())).containsEntry("decidedBy", OPERATOR2)
                .containsEntry("decision", "approve").containsEntry("comment", COMMENT)
                .containsEntry("planHash", planHash);
        passed = 1;
    }

    @Test
    @Order(2)
    void failedStepShowsInCockpitAndItsRetryButtonResumesIt() {
        // the failed job's own incident (the calling instances carry copies that point to it)
        Incident incident = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> engine.getRuntimeService().createIncidentQuery().list().stream()
                        .filter(i -> i.getId().equals(i.getRootCauseIncidentId())).findFirst().orElse(null),
                        i -> i != null);
        assertThat(api.status(upgradeId).get("state").asText()).isEqualTo("incident");
        SIM.faults().clear();

        browser.login("cockpit", OPERATOR2, PASSWORD);
        browser.open("/camunda/app/cockpit/default/#/process-instance/" + incident.getProcessInstanceId()
                + "/runtime?tab=incidents-tab");
        WebElement retry = browser.await(ExpectedConditions.elementToBeClickable(
                By.cssSelector("a[ng-click='openJobRetryDialog(incident)']")));
        String page = browser.text();
        // the zone's own remote-step instance, its failing activity and the message an operator understands
        assertThat(page).contains("Run a remote step on a zone", "Run the step's commands", "Failed Job",
                incident.getIncidentMessage().lines().findFirst().orElseThrow());
        assertThat(incident.getIncidentMessage()).contains("s-us-ca");
        browser.screenshot("05-cockpit-incident", true);

        browser.click(retry);
        browser.click(By.cssSelector("button[ng-click='incrementRetry()']"));
        WebElement result = browser.await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".modal-body")));
        browser.await(ExpectedConditions.textToBePresentInElement(result, "successfully"));
        browser.screenshot("06-cockpit-retried");
        WebElement close = browser.await(ExpectedConditions.elementToBeClickable(
                By.xpath("//*[contains(@class,'modal-footer')]//button[normalize-space()='OK']")));
        browser.click(close);

        // the retried step and everything after it run on: the next thing waiting is the re-enable approval
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500))
                .until(() -> api.pending(upgradeId, REENABLE_APPROVAL) != null);
        assertThat(engine.getRuntimeService().createIncidentQuery().count()).isZero();
        for (int zone : SIM.zoneIds()) {
            assertThat(SIM.installedVersion(zone)).as("zone %d installed", zone).isEqualTo("7.0.0");
        }
        passed = 2;
    }

    @Test
    @Order(3)
    void auditorSeesTheApprovalButCannotCompleteIt() {
        browser.login("tasklist", AUDITOR, PASSWORD);
        openTask(REENABLE_APPROVAL);
        browser.await(d -> formText().contains("Comment") ? true : null);
        browser.screenshot("07-tasklist-auditor");
        assertThat(browser.driver().findElements(By.cssSelector("button[ng-click='complete()']")).stream()
                .filter(b -> b.isDisplayed() && b.isEnabled()).toList()).as("an enabled Complete button").isEmpty();

        // claiming is refused by the engine: the auditor group has no UPDATE_TASK/TASK_WORK
        browser.click(By.cssSelector("button.claim"));
        WebElement error = browser.await(ExpectedConditions.visibilityOfElementLocated(ERROR_NOTIFICATION));
        browser.screenshot("08-tasklist-auditor-claim-refused");
        assertThat(error.getText()).isNotBlank();
        String taskId = api.pending(upgradeId, REENABLE_APPROVAL).get("taskId").asText();
        assertThat(engine.getTaskService().createTaskQuery().taskId(taskId).singleResult().getAssignee()).isNull();
        api.call(AUDITOR, "POST", "/engine-rest/task/" + taskId + "/complete", Map.of("variables",
                Map.of("decision", Map.of("value", "approve"), "comment", Map.of("value", "auditor"))), 403);
        assertThat(api.pending(upgradeId, REENABLE_APPROVAL)).isNotNull();
        passed = 3;
    }

    @Test
    @Order(4)
    void auditorReadsTheReportOfTheFinishedUpgrade() {
        api.approve(upgradeId, REENABLE_APPROVAL, "approve", Duration.ofSeconds(10));
        JsonNode end = api.awaitEnd(upgradeId, Duration.ofSeconds(60));
        assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("completed");

        browser.logout();
        // HTTP Basic, as the API asks for; the auditor's user and password ride in the address
        browser.driver().get("http://" + AUDITOR + ":" + PASSWORD + "@127.0.0.1:" + port
                + "/api/upgrades/" + upgradeId + "/report");
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("approvals")));
        assertThat(browser.driver().findElement(By.tagName("h1")).getText()).contains(upgradeId);
        assertThat(browser.text()).doesNotContain(PASSWORD);

        List<String> start = row("approvals", START_APPROVAL);
        assertThat(start).contains(OPERATOR2, "approve", COMMENT);
        assertThat(row("approvals", REENABLE_APPROVAL)).contains(OPERATOR2, "approve");
        List<String> incident = row("incidents", "s-us-ca");
        assertThat(String.join(" | ", incident)).contains("S-US-CA", "resolved", OPERATOR2);
        assertThat(row("commands", "onedb upgrade")).isNotEmpty();
        assertThat(row("commands", "apt-get")).isNotEmpty();
        browser.screenshot("09-report");
        ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeScript(
                "document.getElementById('incidents').scrollIntoView()");
        browser.screenshot("10-report-incidents-and-commands");
        browser.screenshot("11-report-full", true);
        passed = 4;
    }

    // ---------------------------------------------------------------- Tasklist

    private void openTask(String name) {
        browser.click(By.xpath(
                "//*[contains(@class,'task-filter')]//*[contains(normalize-space(.), '" + FILTER + "')]"));
        browser.click(By.xpath(
                "//*[contains(@class,'tasks-list')]//a[contains(normalize-space(.), '" + name + "')]"));
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".fjs-form")));
    }

    /** What the task form shows: its text and the values of its (read-only) fields. */
    private String formText() {
        StringBuilder all = new StringBuilder();
        for (WebElement form : browser.driver().findElements(By.cssSelector(".fjs-form"))) {
            all.append(form.getText()).append('\n');
            for (WebElement field : form.findElements(By.cssSelector("textarea, input"))) {
                String value = field.getDomProperty("value");
                all.append(value == null ? "" : value).append('\n');
            }
        }
        return all.toString();
    }

    private void claim() {
        browser.click(By.cssSelector("button.claim"));
        browser.await(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("button.claim")));
    }

    /** Picks the radio option whose label starts with {@code option} and writes the comment. */
    private void decide(String option, String comment) {
        browser.click(By.xpath(
                "//*[contains(@class,'fjs-form-field-radio')]//label[starts-with(normalize-space(.), '" + option
                        + "')]"));
        WebElement box = browser.await(ExpectedConditions.elementToBeClickable(By.xpath(
                "//*[contains(@class,'fjs-form-field')][.//label[contains(., 'Comment')]]//textarea")));
        browser.click(box);
        box.clear();
        box.sendKeys(comment);
    }

    private void complete() {
        browser.click(By.cssSelector("button[ng-click='complete()']"));
    }

    /** The cells of the first row of the report's {@code section} table that mentions {@code text}. */
    private List<String> row(String section, String text) {
        List<WebElement> rows = browser.driver().findElements(By.xpath("//table[@id='" + section
                + "-table']//tr[td[contains(., '" + text + "')]]"));
        assertThat(rows).as("a row with '%s' under '%s'", text, section).isNotEmpty();
        return rows.get(0).findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
    }

    /** The task-local variables the approval listener recorded on completion. */
    private Map<String, Object> taskVariables(String taskId) {
        Map<String, Object> values = new java.util.HashMap<>();
        engine.getHistoryService().createHistoricVariableInstanceQuery().taskIdIn(taskId).list()
                .forEach(v -> values.put(v.getName(), v.getValue()));
        return values;
    }
}
