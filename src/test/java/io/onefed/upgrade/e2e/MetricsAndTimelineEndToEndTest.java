package io.onefed.upgrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.onefed.upgrade.security.Groups;
import io.onefed.upgrade.simulator.SimulatedFederation;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * Issue 16: the upgrade metrics on /actuator/prometheus read during a simulated upgrade (at the start approval, while
 * zones run, at the re-enable approval with the API frozen, after the end), by a scrape login that opens nothing
 * else; and the timeline SVG of the same upgrade, running and finished: one lane per zone, bars, the freeze window.
 */
@Tag("e2e")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// Spring Boot switches metrics export off in tests; the Prometheus endpoint is what is tested here
@AutoConfigureObservability(tracing = false)
class MetricsAndTimelineEndToEndTest extends EndToEndTestBase {

    static final String SCRAPER = "escrape";
    static final String AUDITOR = "eaud16";
    static final int ZONES = 3;
    static final SimulatedFederation SIM = EndToEndSupport.startFederation("e2e-metrics", SimulatedFederation.guideSpec());

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        EndToEndSupport.register(registry, SIM, "e2e_metrics");
        Path file = Path.of("target", "test-secrets", "e2e.password");
        Files.createDirectories(file.getParent());
        registry.add("onefed.users[2].id", () -> SCRAPER);
        registry.add("onefed.users[2].password.file", file::toString);
        registry.add("onefed.users[2].groups[0]", () -> Groups.METRICS);
        registry.add("onefed.users[3].id", () -> AUDITOR);
        registry.add("onefed.users[3].password.file", file::toString);
        registry.add("onefed.users[3].groups[0]", () -> Groups.AUDITORS);
        // fast refresh so the test sees each state within its wait, not the 10 s default
        registry.add("onefed.metrics.refresh-interval", () -> "PT0.5S");
    }

    @AfterAll
    static void stop() {
        SIM.close();
    }

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void metricsDuringAnUpgradeAndItsTimeline() throws Exception {
        EndToEndSupport.Api api = new EndToEndSupport.Api(port);
        assertThat(get("/actuator/prometheus", null).statusCode()).as("anonymous scrape").isEqualTo(401);
        assertThat(get("/api/upgrades", SCRAPER).statusCode()).as("the scrape login reads no upgrade").isEqualTo(403);

        String id = api.start("7.0.0", 5);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> api.pending(id, "Approve the start of the upgrade"), t -> t != null);
        Metrics atStart = awaitMetrics("the start approval waits", m -> m.valueOrNaN("onefed_approvals_waiting") == 1
                && m.valueOrNaN("onefed_upgrades", "state", "waiting_for_approval") == 1);
        assertThat(atStart.value("onefed_upgrades", "state", "running")).isZero();
        assertThat(atStart.value("onefed_upgrades", "state", "completed")).isZero();
        assertThat(atStart.value("onefed_approvals_oldest_age_seconds")).isBetween(0.0, 120.0);
        assertThat(atStart.value("onefed_incidents_open")).isZero();
        assertThat(atStart.value("onefed_last_upgrade_api_freeze_seconds")).as("nothing blocked yet").isZero();
        assertThat(atStart.value("onefed_last_upgrade_api_frozen")).isZero();
        assertThat(atStart.value("onefed_metrics_refresh_age_seconds")).isBetween(0.0, 30.0);
        assertThat(atStart.series("onefed_upgrade_zones")).as("no zone process has started").isEmpty();

        api.approve(id, "Approve the start of the upgrade", Duration.ofSeconds(10));
        // zones at work: the step label is a BPMN element id of the zone processes, the state one of a fixed list
        Metrics working = awaitMetrics("a zone runs a step", m -> m.series("onefed_upgrade_zones").stream()
                .anyMatch(s -> "running".equals(s.labels().get("state"))));
        assertThat(working.series("onefed_upgrade_zones")).allSatisfy(s -> {
            assertThat(s.labels()).containsOnlyKeys("step", "state");
            assertThat(s.labels().get("step")).matches("[A-Za-z]+");
            assertThat(s.labels().get("state")).isIn("running", "waiting_for_approval", "incident", "done", "aborted");
        });
        assertThat(working.series("onefed_upgrade_zones").stream().mapToDouble(Series::value).sum())
                .as("each zone counted once").isBetween(1.0, (double) ZONES);
        assertThat(working.value("onefed_last_upgrade_api_frozen")).as("zones stop after the API is blocked").isEqualTo(1);

        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500))
                .until(() -> api.pending(id, "Approve re-enabling API access"), t -> t != null);
        Metrics frozen = awaitMetrics("the re-enable approval waits", m -> m.valueOrNaN("onefed_approvals_waiting") == 1
                && m.valueOrNaN("onefed_upgrades", "state", "waiting_for_approval") == 1
                && m.valueOrNaN("onefed_upgrade_zones", "step", "ZoneUpgraded", "state", "done") == ZONES);
        assertThat(frozen.value("onefed_last_upgrade_api_frozen")).isEqualTo(1);
        double freezeSoFar = frozen.value("onefed_last_upgrade_api_freeze_seconds");
        assertThat(freezeSoFar).as("the API has been frozen since the zones were disabled").isGreaterThan(0);
        for (String step : List.of("stop-services", "upgrade-packages", "upgrade-db", "start-services")) {
            assertThat(frozen.value("onefed_remote_command_duration_seconds_count", "step", step, "outcome",
                    "succeeded")).as("commands of %s timed", step).isGreaterThanOrEqualTo(ZONES);
            assertThat(frozen.value("onefed_remote_command_duration_seconds_bucket", "step", step, "outcome",
                    "succeeded", "le", "+Inf")).isGreaterThanOrEqualTo(ZONES);
        }
        // the names the dashboard is checked against (DockerFilesConsistencyTest) are the ones really exported
        assertThat(io.onefed.upgrade.metrics.UpgradeMetrics.PROMETHEUS_NAMES)
                .allSatisfy(name -> assertThat(frozen.series(name)).as(name).isNotEmpty());
        assertThat(frozen.all().stream().map(Series::name).filter(n -> n.startsWith("onefed_")).distinct())
                .allSatisfy(name -> assertThat(io.onefed.upgrade.metrics.UpgradeMetrics.PROMETHEUS_NAMES).contains(name));
        assertThat(frozen.series("onefed_remote_command_duration_seconds_count")).allSatisfy(s ->
                assertThat(s.labels()).containsOnlyKeys("step", "outcome"));
        assertThat(frozen.text()).doesNotContain(id).doesNotContain("M-EU-FR").doesNotContain("127.0.0.1")
                .as("no upgrade id, zone or host in a label");

        // the timeline of the running upgrade: zones done, the freeze window open to the right
        Document running = svg(id);
        assertThat(count(running, "//*[local-name()='g'][@class='lane']")).isEqualTo(ZONES + 1);
        assertThat(count(running, "//*[local-name()='rect'][contains(@class,'freeze')][ancestor::*[@class='freeze-window']]"))
                .isEqualTo(1);
        assertThat(text(running, "//*[@class='freeze-window']/*[local-name()='rect']/*[local-name()='title']"))
                .contains("not re-enabled yet");
        assertThat(count(running, "//*[local-name()='path'][contains(@class,'approval')][@data-task='ApproveReenable']"
                + "[contains(@class,'waiting')]")).isEqualTo(1);

        api.approve(id, "Approve re-enabling API access", Duration.ofSeconds(10));
        assertThat(api.awaitEnd(id, Duration.ofSeconds(120)).get("state").asText()).isEqualTo("completed");
        Metrics after = awaitMetrics("the upgrade ended", m -> m.valueOrNaN("onefed_upgrades", "state", "completed") == 1
                && m.valueOrNaN("onefed_upgrades", "state", "waiting_for_approval") == 0);
        assertThat(after.value("onefed_approvals_waiting")).isZero();
        assertThat(after.value("onefed_approvals_oldest_age_seconds")).isZero();
        assertThat(after.value("onefed_last_upgrade_api_frozen")).isZero();
        assertThat(after.value("onefed_last_upgrade_api_freeze_seconds")).isGreaterThanOrEqualTo(freezeSoFar);
        assertThat(after.series("onefed_upgrade_zones")).as("zones of running upgrades only").isEmpty();
        assertThat(after.value("onefed_upgrades", "state", "aborted")).isZero();
        assertThat(after.value("onefed_upgrades", "state", "rejected")).isZero();

        // the finished upgrade's timeline
        HttpResponse<String> response = get("/api/upgrades/" + id + "/report/timeline.svg", AUDITOR);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("image/svg+xml");
        Document done = parse(response.body());
        assertThat(count(done, "//*[local-name()='g'][@class='lane']")).as("one lane per zone plus the federation's")
                .isEqualTo(ZONES + 1);
        assertThat(count(done, "//*[local-name()='g'][@class='lane'][@data-kind='zone']")).isEqualTo(ZONES);
        for (String zone : List.of("M-EU-FR", "S-EU-GE", "S-US-CA")) {
            assertThat(count(done, "//*[local-name()='g'][@data-lane='" + zone + "']")).as(zone).isEqualTo(1);
        }
        for (String step : List.of("StopServices", "UpgradePackages", "UpgradeDb", "StartServices")) {
            assertThat(count(done, "//*[local-name()='rect'][@data-step='" + step + "'][@data-outcome='done']"))
                    .as("a done bar of %s per zone", step).isGreaterThanOrEqualTo(ZONES);
        }
        assertThat(count(done, "//*[local-name()='rect'][@data-step='BlockApiAccess']")).isEqualTo(1);
        assertThat(count(done, "//*[local-name()='rect'][@data-outcome='running' or @data-outcome='failed']")).isZero();
        assertThat(text(done, "//*[@class='freeze-window']/*[local-name()='rect']/*[local-name()='title']"))
                .startsWith("API frozen from").contains(" to ");
        assertThat(count(done, "//*[local-name()='path'][contains(@class,'approval')][@data-decided-by='"
                + EndToEndSupport.OPERATOR2 + "']")).isEqualTo(2);
        assertThat(text(done, "//*[local-name()='path'][@data-task='ApproveStart']/*[local-name()='title']"))
                .contains("approve by " + EndToEndSupport.OPERATOR2 + " at ");
        Files.createDirectories(Path.of("target", "screenshots"));
        Files.writeString(Path.of("target", "screenshots", "timeline.svg"), response.body());

        HttpResponse<String> html = get("/api/upgrades/" + id + "/report", AUDITOR);
        assertThat(html.body()).contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\"")
                .contains("/api/upgrades/" + id + "/report/timeline.svg");
        assertThat(get("/api/upgrades/" + id + "/report/timeline.svg", SCRAPER).statusCode()).isEqualTo(403);
        assertThat(get("/api/upgrades/U-none/report/timeline.svg", AUDITOR).statusCode()).isEqualTo(404);
    }

    private Metrics awaitMetrics(String what, java.util.function.Predicate<Metrics> condition) {
        return await(what).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> new Metrics(scrape()), condition);
    }

    private String scrape() throws Exception {
        HttpResponse<String> r = get("/actuator/prometheus", SCRAPER);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private HttpResponse<String> get(String path, String user) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (user + ":" + EndToEndSupport.PASSWORD).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Document svg(String id) throws Exception {
        HttpResponse<String> r = get("/api/upgrades/" + id + "/report/timeline.svg", AUDITOR);
        assertThat(r.statusCode()).isEqualTo(200);
        return parse(r.body());
    }

    static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    static int count(Document d, String xpath) throws Exception {
        return ((NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, d, XPathConstants.NODESET)).getLength();
    }

    static String text(Document d, String xpath) throws Exception {
        return XPathFactory.newInstance().newXPath().evaluate(xpath, d);
    }

    record Series(String name, Map<String, String> labels, double value) {
    }

    /** The Prometheus text format, as far as this test reads it: name{labels} value. */
    record Metrics(String text, List<Series> all) {
        private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

        Metrics(String text) {
            this(text, parse(text));
        }

        private static List<Series> parse(String text) {
            List<Series> out = new ArrayList<>();
            for (String line : text.split("\n")) {
                Matcher m = LINE.matcher(line);
                if (line.startsWith("#") || !m.matches()) {
                    continue;
                }
                Map<String, String> labels = new LinkedHashMap<>();
                if (m.group(2) != null) {
                    Matcher l = LABEL.matcher(m.group(2));
                    while (l.find()) {
                        labels.put(l.group(1), l.group(2));
                    }
                }
                out.add(new Series(m.group(1), labels, Double.parseDouble(m.group(3))));
            }
            return out;
        }

        List<Series> series(String name) {
            return all.stream().filter(s -> s.name().equals(name)).toList();
        }

        /** The value of the one series with these labels (pairs of name, value); fails when there is none. */
        double value(String name, String... labelPairs) {
            List<Series> found = find(name, labelPairs);
            assertThat(found).as("%s %s in the scrape", name, List.of(labelPairs)).hasSize(1);
            return found.get(0).value();
        }

        /** For the conditions waited on: NaN (equal to nothing) while the series is not there. */
        double valueOrNaN(String name, String... labelPairs) {
            List<Series> found = find(name, labelPairs);
            return found.size() == 1 ? found.get(0).value() : Double.NaN;
        }

        private List<Series> find(String name, String... labelPairs) {
            return series(name).stream().filter(s -> {
                for (int i = 0; i < labelPairs.length; i += 2) {
                    if (!labelPairs[i + 1].equals(s.labels().get(labelPairs[i]))) {
                        return false;
                    }
                }
                return true;
            }).toList();
        }
    }
}
