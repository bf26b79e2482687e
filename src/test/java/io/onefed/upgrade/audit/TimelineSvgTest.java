package io.onefed.upgrade.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** The timeline SVG from a report built by hand: lanes, bar outcomes, the freeze window, escaping. */
class TimelineSvgTest {

    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    static Report.Step step(String zone, String process, String id, String type, int from, Integer to,
            boolean canceled) {
        return new Report.Step(zone, process, id, id, type, T0.plusSeconds(from), to == null ? null : T0.plusSeconds(to),
                to == null ? null : (long) (to - from) * 1000, canceled, 0);
    }

    static Report report(String state, Instant ended, List<Report.Step> steps, List<Report.Approval> approvals,
            List<Report.Incident> incidents, String zoneForStop) {
        return new Report("U1", "pi", state, "op1", T0, ended, "6.10.0", "7.0.0", List.of(),
                ended == null ? null : "COMPLETED", null, "h", null, null, approvals, steps, incidents, List.of(),
                List.of(), T0.plusSeconds(600));
    }

    static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    static NodeList nodes(Document d, String xpath) throws Exception {
        return (NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, d, XPathConstants.NODESET);
    }

    static String text(Document d, String xpath) throws Exception {
        return XPathFactory.newInstance().newXPath().evaluate(xpath, d);
    }

    @Test
    void oneLanePerZoneBarsByOutcomeFreezeWindowAndApprovals() throws Exception {
        List<Report.Step> steps = List.of(
                step(null, "federation-upgrade", "ApproveStart", "userTask", 0, 30, false),
                step(null, "federation-upgrade", "BlockApiAccess", "serviceTask", 31, 40, false),
                step(null, "federation-upgrade", "StopAllZones", "callActivity", 41, null, false),
                step("M", "zone-stop", "StopServices", "callActivity", 42, 60, false),
                step("S1", "zone-stop", "StopServices", "callActivity", 42, 70, true),
                step("S2", "zone-stop", "StopServices", "callActivity", 43, null, false),
                step("S3", "zone-stop", "StopServices", "callActivity", 44, null, false),
                step("M", "zone-stop", "ZoneStopped", "noneEndEvent", 60, 60, false));
        List<Report.Incident> incidents = List.of(new Report.Incident("S3", "StopServices", "boom",
                T0.plusSeconds(50), null, "open", List.of()));
        List<Report.Approval> approvals = List.of(new Report.Approval("ApproveStart", "Approve the start", "federation",
                T0, T0.plusSeconds(30), "op2", "approve", "go", "h"));
        Document d = parse(TimelineSvg.document(report("running", null, steps, approvals, incidents, null)));

        assertThat(nodes(d, "//*[local-name()='g'][@class='lane']").getLength()).isEqualTo(5);
        assertThat(nodes(d, "//*[local-name()='g'][@class='lane'][@data-kind='zone']").getLength()).isEqualTo(4);
        assertThat(text(d, "(//*[local-name()='g'][@class='lane'])[1]/@data-kind")).isEqualTo("federation");
        assertThat(text(d, "//*[local-name()='rect'][@data-step='StopServices'][1]/@data-outcome")).isEqualTo("done");
        assertThat(nodes(d, "//*[local-name()='rect'][@data-outcome='aborted']").getLength()).isEqualTo(1);
        assertThat(nodes(d, "//*[local-name()='rect'][@data-outcome='running']").getLength()).isEqualTo(1);
        assertThat(nodes(d, "//*[local-name()='rect'][@data-outcome='failed']").getLength()).as("S3's open incident")
                .isEqualTo(1);
        assertThat(nodes(d, "//*[local-name()='rect'][@data-step='StopAllZones']").getLength())
                .as("the fan-out is drawn in the zone lanes, not as a bar over the federation lane").isZero();
        assertThat(nodes(d, "//*[local-name()='rect'][@data-step='ZoneStopped']").getLength()).as("an instant").isZero();
        assertThat(text(d, "//*[@class='freeze-window']/*[local-name()='rect']/*[local-name()='title']"))
                .isEqualTo("API frozen from 2026-12-01T10:00:40Z, not re-enabled yet");
        assertThat(text(d, "//*[local-name()='path'][@data-task='ApproveStart']/*[local-name()='title']"))
                .isEqualTo("Approve the start: approve by op2 at 2026-12-01T10:00:30Z (\"go\")");
    }

    @Test
    void aZoneStepWaitingForAFailureDecisionIsFailed() throws Exception {
        List<Report.Step> steps = List.of(
                step("M", "zone-upgrade", "UpgradeDb", "callActivity", 10, null, false),
                step("S1", "zone-upgrade", "UpgradeDb", "callActivity", 10, null, false));
        List<Report.Approval> approvals = List.of(new Report.Approval("DecideFailedStep", "Decide on the failed step",
                "M", T0.plusSeconds(20), null, null, null, null, null));
        Document d = parse(TimelineSvg.document(report("running", null, steps, approvals, List.of(), null)));
        assertThat(text(d, "//*[local-name()='rect'][@data-outcome='failed']/*[local-name()='title']"))
                .startsWith("UpgradeDb (zone M): failed");
        assertThat(nodes(d, "//*[local-name()='rect'][@data-outcome='failed']").getLength()).isEqualTo(1);
        assertThat(nodes(d, "//*[local-name()='rect'][@data-outcome='running']").getLength()).as("S1").isEqualTo(1);
        assertThat(nodes(d, "//*[local-name()='path'][contains(@class,'waiting')]").getLength()).isEqualTo(1);
    }

    @Test
    void noFreezeWindowBeforeTheApiIsBlockedAndAWindowThatEnds() throws Exception {
        Document before = parse(TimelineSvg.document(report("running", null,
                List.of(step(null, "federation-upgrade", "ApproveStart", "userTask", 0, null, false)), List.of(),
                List.of(), null)));
        assertThat(nodes(before, "//*[@class='freeze-window']").getLength()).isZero();
        assertThat(nodes(before, "//*[local-name()='g'][@class='lane']").getLength()).isEqualTo(1);

        Document after = parse(TimelineSvg.document(report("ended", T0.plusSeconds(400), List.of(
                step(null, "federation-upgrade", "BlockApiAccess", "serviceTask", 10, 20, false),
                step(null, "federation-upgrade", "EnableApiAccess", "serviceTask", 300, 320, false)), List.of(),
                List.of(), null)));
        assertThat(text(after, "//*[@class='freeze-window']/*[local-name()='rect']/*[local-name()='title']"))
                .isEqualTo("API frozen from 2026-12-01T10:00:20Z to 2026-12-01T10:05:20Z (5m00s)");
    }

    @Test
    void everyTextIsEscaped() throws Exception {
        String zone = "<script>alert('z')</script> & \"Z\" \u0007]]>";
        String user = "o'brien\"><img src=x onerror=alert(1)>";
        Report r = report("running", null, List.of(step(zone, "zone-upgrade", "UpgradePackages", "callActivity", 0,
                null, false)), List.of(new Report.Approval("ApproveStart", "Approve <b>", zone, T0, T0.plusSeconds(5),
                user, "approve", "</title><script>x</script>", null)), List.of(), null);
        String svg = TimelineSvg.document(r);
        assertThat(svg).doesNotContain("<script").doesNotContain("<img").doesNotContain("<b>")
                .doesNotContain("\u0007");
        Document d = parse(svg); // well-formed XML despite it all
        assertThat(text(d, "//*[local-name()='g'][@data-kind='zone']/@data-lane"))
                .isEqualTo("<script>alert('z')</script> & \"Z\" \uFFFD]]>");
        assertThat(text(d, "//*[local-name()='path'][@data-task='ApproveStart']/@data-decided-by")).isEqualTo(user);
        assertThat(text(d, "//*[local-name()='path'][@data-task='ApproveStart']/*[local-name()='title']"))
                .contains("by " + user).contains("</title><script>x</script>");
        assertThat(TimelineSvg.esc("a\uD800b")).as("a lone surrogate is not XML").isEqualTo("a\uFFFDb");
        assertThat(TimelineSvg.esc("\uD83D\uDE00")).isEqualTo("\uD83D\uDE00");
    }

    @Test
    void theFreezeElementsAreInTheModel() throws Exception {
        // the lead may restructure the model; these ids must stay, or the freeze window silently disappears
        String model = java.nio.file.Files.readString(java.nio.file.Path.of("bpmn/federation-upgrade.bpmn"));
        for (String id : ApiFreezeWindow.BLOCKED_BY) {
            assertThat(model).as(id).contains("id=\"" + id + "\"");
        }
        for (String id : ApiFreezeWindow.OPENED_BY) {
            assertThat(model).as(id).contains("id=\"" + id + "\"");
        }
    }

    @Test
    void freezeWindowFromTheFirstBlockToTheLastOpen() {
        ApiFreezeWindow w = ApiFreezeWindow.of(List.of(
                new ApiFreezeWindow.Activity("ConfirmApiBlocked", T0, T0.plusSeconds(10)),
                new ApiFreezeWindow.Activity("BlockApiAccess", T0, T0.plusSeconds(5)),
                new ApiFreezeWindow.Activity("EnableApiAccess", T0.plusSeconds(50), T0.plusSeconds(60)),
                new ApiFreezeWindow.Activity("EnableApiAccess", T0.plusSeconds(70), null))).orElseThrow();
        assertThat(w.start()).isEqualTo(T0.plusSeconds(5));
        assertThat(w.end()).isEqualTo(T0.plusSeconds(60));
        assertThat(w.length(T0.plusSeconds(999))).isEqualTo(Duration.ofSeconds(55));
        ApiFreezeWindow open = ApiFreezeWindow.of(List.of(
                new ApiFreezeWindow.Activity("BlockApiAccess", T0, T0.plusSeconds(5)))).orElseThrow();
        assertThat(open.frozen()).isTrue();
        assertThat(open.length(T0.plusSeconds(65))).isEqualTo(Duration.ofSeconds(60));
        assertThat(ApiFreezeWindow.of(List.of(new ApiFreezeWindow.Activity("BlockApiAccess", T0, null)))).isEmpty();
    }
}
