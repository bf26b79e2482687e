package io.onefed.upgrade.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.e2e.EndToEndSupport;
import io.onefed.upgrade.progress.FollowCommand;
import io.onefed.upgrade.simulator.SimulatedFederation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
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
 * Issue 16's live progress, end to end: one upgrade of the guide's simulated federation followed on the page
 * {@code /upgrades/{id}} in headless Chromium (as an auditor, who may only read), through
 * {@code GET /api/upgrades/{id}/progress} and with {@code follow}. The bars move while the zones run; a fault on
 * S-US-CA's SSH, switched on once its stop is done, turns its upgrade into an incident: its row turns red with a
 * Cockpit link, and {@code follow} exits 2. After the retry the upgrade completes and {@code follow} exits 0.
 */
class LiveProgressInTheBrowserTest extends BrowserStepsTestBase {

    static final SimulatedFederation SIM = EndToEndSupport.startFederation("browser-progress", SimulatedFederation.guideSpec());
    static final String AUDITOR = "paud1";
    static final int MASTER = 0;
    /** S-US-CA: its SSH cuts every connection off once the fault is on. */
    static final int FAULTY_ZONE = 101;
    static final Path IMAGES = Path.of("target", "screenshots");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registerService(registry, SIM, "browser_progress", AUDITOR, null);
    }

    @Override
    SimulatedFederation sim() {
        return SIM;
    }

    @Test
    @Order(1)
    void theBarsMoveWhileTheZonesRun() {
        // a little latency on every command: the steps take long enough to be seen between two polls
        SIM.faults().latency(Duration.ofMillis(300));
        upgradeId = api.start("7.0.0", 5);
        api.approve(upgradeId, "Approve the start of the upgrade", Duration.ofSeconds(60));

        openPage();
        List<WebElement> rows = browser.await(d -> {
            List<WebElement> r = d.findElements(By.cssSelector("#zones tbody tr"));
            return r.size() == 3 ? r : null;
        });
        assertThat(rows).extracting(r -> r.getDomAttribute("data-zone-id")).containsExactly("0", "100", "101");
        assertThat(browser.text()).contains("M-EU-FR", "S-EU-GE", "S-US-CA", "6.10.0.1 → 7.0.0");
        // the master's steps come from the approved plan: many, and more than a slave's stop alone
        int total = Integer.parseInt(attr(MASTER, "data-total"));
        assertThat(total).isGreaterThan(10);

        int first = done(MASTER);
        browser.await(Duration.ofSeconds(180), d -> done(MASTER) > first ? true : null);
        int second = done(MASTER);
        assertThat(second).isGreaterThan(first);
        // while the master runs: the running state, its current step, a partly filled bar
        browser.await(Duration.ofSeconds(120), d -> "running".equals(attr(MASTER, "data-state")) && done(MASTER) > 2
                ? true : null);
        WebElement master = row(MASTER);
        assertThat(master.findElement(By.cssSelector("td.step")).getText()).isNotBlank();
        assertThat(master.findElement(By.cssSelector("td.elapsed")).getText()).endsWith("s");
        assertThat(master.findElement(By.cssSelector("progress")).getDomProperty("value"))
                .isEqualTo(attr(MASTER, "data-done"));
        browser.screenshot("live-progress-running");
        passed = 1;
    }

    @Test
    @Order(2)
    void aFailedZoneTurnsRedWithItsCockpitLink() {
        // the slave's stop is done (it waits for the master): its next connection is its own upgrade
        browser.await(Duration.ofSeconds(60), d -> done(FAULTY_ZONE) >= 1 ? true : null);
        SIM.faults().dropConnections(FAULTY_ZONE, 1_000, false);
        browser.await(Duration.ofSeconds(300), d -> "failed".equals(attr(FAULTY_ZONE, "data-state"))
                && !row(FAULTY_ZONE).findElements(By.cssSelector("a.cockpit")).isEmpty() ? true : null);
        browser.screenshot("live-progress-failed");
        WebElement failed = row(FAULTY_ZONE);
        assertThat(failed.getDomAttribute("class")).contains("row-failed");
        // red: the failed state's colour (live.css .state-failed)
        assertThat(failed.findElement(By.cssSelector("span.state")).getCssValue("background-color"))
                .isEqualTo("rgba(198, 40, 40, 1)");
        Incident incident = engine.getRuntimeService().createIncidentQuery().list().stream()
                .filter(i -> i.getId().equals(i.getRootCauseIncidentId())).findFirst().orElseThrow();
        String href = failed.findElement(By.cssSelector("a.cockpit")).getDomAttribute("href");
        assertThat(href).isEqualTo("/camunda/app/cockpit/default/#/process-instance/" + incident.getProcessInstanceId()
                + "/runtime");
        assertThat(engine.getRuntimeService().getVariable(incident.getProcessInstanceId(), "zoneId")).isEqualTo(FAULTY_ZONE);
        // the incident's message and the step it stopped
        assertThat(failed.findElement(By.cssSelector("td.step")).getText()).isEqualTo("Back up /etc/one and remotes/etc");
        assertThat(failed.getText()).contains("Zone S-US-CA", "connection to root@127.0.0.1");
        assertThat(browser.driver().findElement(By.tagName("body")).getDomAttribute("data-state")).isEqualTo("incident");

        // the same in the JSON an auditor reads, and follow stops with 2 naming the incident
        JsonNode p = api.call(AUDITOR, "GET", "/api/upgrades/" + upgradeId + "/progress", null, 200);
        assertThat(p.get("state").asText()).isEqualTo("incident");
        JsonNode zone = zoneOf(p, FAULTY_ZONE);
        assertThat(zone.get("state").asText()).isEqualTo("FAILED");
        assertThat(zone.get("incidents").get(0).get("link").asText()).isEqualTo(href);
        Followed f = follow();
        assertThat(f.code()).as(f.err()).isEqualTo(FollowCommand.INCIDENT);
        assertThat(f.out()).contains("S-US-CA", "failed", "INCIDENT S-US-CA", "http://127.0.0.1:" + port + href)
                .doesNotContain(PASSWORD);
        passed = 2;
    }

    @Test
    @Order(3)
    void afterTheRetryEveryZoneIsDoneAndFollowExitsZero() {
        SIM.faults().clear();
        Incident incident = engine.getRuntimeService().createIncidentQuery().list().stream()
                .filter(i -> i.getId().equals(i.getRootCauseIncidentId())).findFirst().orElseThrow();
        // what Cockpit's retry button does
        engine.getManagementService().setJobRetries(incident.getConfiguration(), 1);
        api.approve(upgradeId, "Approve re-enabling API access", Duration.ofSeconds(300));
        JsonNode end = api.awaitEnd(upgradeId, Duration.ofSeconds(120));
        assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("completed");

        browser.await(Duration.ofSeconds(20), d -> "completed".equals(
                d.findElement(By.tagName("body")).getDomAttribute("data-state")) ? true : null);
        for (int z : List.of(MASTER, 100, FAULTY_ZONE)) {
            assertThat(attr(z, "data-state")).as("zone %d", z).isEqualTo("done");
            assertThat(attr(z, "data-done")).as("zone %d", z).isEqualTo(attr(z, "data-total"));
        }
        browser.screenshot("live-progress-completed");

        Followed f = follow();
        assertThat(f.code()).as(f.err()).isEqualTo(FollowCommand.COMPLETED);
        assertThat(f.out()).contains("completed", "zones done 3/3", "[####################]");
        passed = 3;
    }

    @Test
    @Order(4)
    void unknownIdsAre404AndThePageLoadsOnlyItsOwnFiles() throws Exception {
        HttpResponse<String> json = get("/api/upgrades/U-nope/progress", AUDITOR);
        assertThat(json.statusCode()).isEqualTo(404);
        assertThat(json.body()).contains("no upgrade has this id", "GET /api/upgrades");
        assertThat(get("/upgrades/U-nope", AUDITOR).statusCode()).isEqualTo(404);
        assertThat(get("/upgrades/" + upgradeId, null).statusCode()).isEqualTo(401);
        assertThat(get("/api/upgrades/" + upgradeId + "/progress", null).statusCode()).isEqualTo(401);

        HttpResponse<String> page = get("/upgrades/" + upgradeId, EndToEndSupport.OPERATOR1);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("script-src 'self'", "connect-src 'self'", "default-src 'none'");
        // no inline script and nothing from another host
        assertThat(page.body()).contains("<script src=\"/progress/live.js\" defer></script>")
                .doesNotContainPattern("<script>|<script [^>]*>[^<]").doesNotContain("http://", "https://", "//cdn");
        HttpResponse<String> js = get("/progress/live.js", null);
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.body()).doesNotContain("http://", "https://", "innerHTML", "eval(");
        // every resource the browser loaded came from this service
        Object urls = ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeScript(
                "return performance.getEntriesByType('resource').map(function (e) { return e.name; })");
        assertThat((List<?>) urls).isNotEmpty()
                .allSatisfy(u -> assertThat(URI.create(u.toString())).satisfies(
                        uri -> assertThat(uri.getHost() + ":" + uri.getPort()).isEqualTo("127.0.0.1:" + port)));
        passed = 4;
    }

    // ------------------------------------------------------------------------------------------------------

    private void openPage() {
        browser.logout();
        // HTTP Basic, as the API asks for; the auditor's user and password ride in the address of the page only
        browser.driver().get("http://" + AUDITOR + ":" + PASSWORD + "@127.0.0.1:" + port + "/upgrades/" + upgradeId);
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("zones")));
    }

    private WebElement row(int zone) {
        return browser.driver().findElement(By.cssSelector("#zones tbody tr[data-zone-id='" + zone + "']"));
    }

    private String attr(int zone, String name) {
        try {
            return row(zone).getDomAttribute(name);
        } catch (org.openqa.selenium.NoSuchElementException | org.openqa.selenium.StaleElementReferenceException e) {
            return null; // redrawn between the lookup and the read: the next poll reads the new row
        }
    }

    private int done(int zone) {
        String d = attr(zone, "data-done");
        return d == null ? -1 : Integer.parseInt(d);
    }

    private static JsonNode zoneOf(JsonNode progress, int zone) {
        for (JsonNode z : progress.get("zones")) {
            if (z.get("zoneId").asInt() == zone) {
                return z;
            }
        }
        throw new AssertionError("no zone " + zone + " in " + progress);
    }

    record Followed(int code, String out, String err) {
    }

    /** follow as an operator would run it: the service's address, the user, the password from the environment. */
    private Followed follow() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = new HashMap<>(Map.of("ONEFED_PASSWORD", PASSWORD));
        int code = FollowCommand.run(new String[] {upgradeId, "--url=http://127.0.0.1:" + port, "--user=" + AUDITOR},
                env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                false, Duration.ofMillis(500));
        return new Followed(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(String path, String user) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + PASSWORD)
                    .getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
