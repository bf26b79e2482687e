package io.onefed.upgrade.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.variable.VariableMap;
import org.camunda.bpm.engine.variable.Variables;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Every call of a zone or step sub-process hands it the whole context its commands are rendered from
 * ({@code RunStepCommandsDelegate} builds the request from these variables). A call that forgets one renders other
 * commands than the approved plan: the node step once installed the repository's newest patch because
 * {@code zonePackageVersions} was not passed to it. Since the context is one mapping ({@link SubProcessInputs}),
 * these tests check that every call uses it and that the mapping passes what a step needs, and nothing the caller
 * lacks.
 */
class RemoteStepMappingsTest {

    static final List<String> CONTEXT = List.of("upgradeId", "zoneId", "zoneName", "zoneAttempt", "fromVersion",
            "targetVersion", "zoneLeaders", "zonePackageVersions");

    static final String BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL";
    static final String CAMUNDA = "http://camunda.org/schema/1.0/bpmn";

    @Test
    void everyCallOfAZoneOrStepProcessUsesTheOneMapping() throws Exception {
        List<String> checked = new ArrayList<>();
        for (String file : List.of("bpmn/federation-upgrade.bpmn", "bpmn/zone-upgrade.bpmn", "bpmn/zone-stop.bpmn")) {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            Document doc = f.newDocumentBuilder().parse(Files.newInputStream(Path.of(file)));
            NodeList calls = doc.getElementsByTagNameNS(BPMN, "callActivity");
            for (int i = 0; i < calls.getLength(); i++) {
                Element call = (Element) calls.item(i);
                String id = file + " " + call.getAttribute("id");
                assertThat(call.getAttributeNS(CAMUNDA, "variableMappingDelegateExpression")).as(id)
                        .isEqualTo("${subProcessInputs}");
                List<String> in = new ArrayList<>();
                NodeList mappings = call.getElementsByTagNameNS(CAMUNDA, "in");
                for (int j = 0; j < mappings.getLength(); j++) {
                    Element m = (Element) mappings.item(j);
                    in.add(m.hasAttribute("businessKey") ? "businessKey" : m.getAttribute("target"));
                }
                assertThat(in).as(id + ": the upgrade id is the business key of every sub-instance").contains("businessKey");
                if ("remote-step".equals(call.getAttribute("calledElement"))) {
                    assertThat(in).as(id + " names its step").contains("step");
                }
                checked.add(call.getAttribute("id"));
            }
        }
        assertThat(checked).contains("StopAllZones", "UpgradeMaster", "UpgradeSlaveBatch", "FederatedBackup",
                "UpgradePackages", "UpgradeNodes", "SyncHosts", "StopServices");
    }

    @Test
    void theMappingPassesTheStepContextTheCallOwnInputsWinAndNothingMissingIsCreated() {
        assertThat(SubProcessInputs.CONTEXT).containsAll(CONTEXT);
        DelegateExecution caller = mock(DelegateExecution.class);
        VariableMap known = Variables.createVariables().putValue("upgradeId", "U1").putValue("zoneId", 7)
                .putValue("zonePackageVersions", "{\"0\":\"6.10.0-1\"}");
        when(caller.hasVariable(anyString())).thenAnswer(a -> known.containsKey(a.getArgument(0, String.class)));
        when(caller.getVariableTyped(anyString())).thenAnswer(a -> known.getValueTyped(a.getArgument(0, String.class)));
        VariableMap called = Variables.createVariables().putValue("zoneId", 2).putValue("step", "upgrade-db");

        new SubProcessInputs().mapInputVariables(caller, called);

        assertThat(called).containsEntry("upgradeId", "U1").containsEntry("zoneId", 2)
                .containsEntry("zonePackageVersions", "{\"0\":\"6.10.0-1\"}").containsEntry("step", "upgrade-db")
                .doesNotContainKey("federatedBackupPath").hasSize(4);
    }
}
