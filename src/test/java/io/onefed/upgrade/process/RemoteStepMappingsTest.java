package io.onefed.upgrade.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Every call of {@code remote-step} hands it the whole context the step's commands are rendered from
 * ({@code RunStepCommandsDelegate} builds the request from these variables). A call that forgets one renders other
 * commands than the approved plan: the node step once installed the repository's newest patch because
 * {@code zonePackageVersions} was not passed to it.
 */
class RemoteStepMappingsTest {

    static final List<String> CONTEXT = List.of("upgradeId", "zoneId", "zoneName", "zoneAttempt", "fromVersion",
            "targetVersion", "zoneLeaders", "zonePackageVersions");

    @Test
    void everyRemoteStepCallPassesTheWholeStepContext() throws Exception {
        List<String> checked = new ArrayList<>();
        for (String file : List.of("bpmn/zone-upgrade.bpmn", "bpmn/zone-stop.bpmn")) {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            Document doc = f.newDocumentBuilder().parse(Files.newInputStream(Path.of(file)));
            NodeList calls = doc.getElementsByTagNameNS("http://www.omg.org/spec/BPMN/20100524/MODEL", "callActivity");
            for (int i = 0; i < calls.getLength(); i++) {
                Element call = (Element) calls.item(i);
                if (!"remote-step".equals(call.getAttribute("calledElement"))) {
                    continue;
                }
                List<String> in = new ArrayList<>();
                NodeList mappings = call.getElementsByTagNameNS("http://camunda.org/schema/1.0/bpmn", "in");
                for (int j = 0; j < mappings.getLength(); j++) {
                    Element m = (Element) mappings.item(j);
                    in.add(m.getAttribute("target"));
                }
                assertThat(in).as(file + " " + call.getAttribute("id")).contains("step").containsAll(CONTEXT);
                checked.add(call.getAttribute("id"));
            }
        }
        assertThat(checked).contains("UpgradePackages", "UpgradeNodes", "SyncHosts", "StopServices");
    }
}
