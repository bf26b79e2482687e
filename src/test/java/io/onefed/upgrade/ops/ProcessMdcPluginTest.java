package io.onefed.upgrade.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.security.SecuredAppTestBase;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.variable.Variables;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;

/** Delegates see upgrade id, zone and step in the MDC; nothing is left on the thread afterwards. */
class ProcessMdcPluginTest extends SecuredAppTestBase {

    static final List<Map<String, String>> SEEN = new CopyOnWriteArrayList<>();

    /** Records the MDC as a delegate sees it. */
    public static class Capture implements JavaDelegate {
        @Override
        public void execute(DelegateExecution execution) {
            SEEN.add(Map.of(
                    "upgradeId", String.valueOf(MDC.get(StepMdc.UPGRADE_ID)),
                    "zone", String.valueOf(MDC.get(StepMdc.ZONE)),
                    "step", String.valueOf(MDC.get(StepMdc.STEP))));
        }
    }

    public static class CaptureAndFail extends Capture {
        @Override
        public void execute(DelegateExecution execution) {
            super.execute(execution);
            throw new IllegalStateException("step failed");
        }
    }

    @Autowired RuntimeService runtime;

    @BeforeEach
    void deployProcesses() {
        repository.createDeployment().name("onefed-mdc-test").enableDuplicateFiltering(true)
                .addModelInstance("mdc-child.bpmn", Bpmn.createExecutableProcess("onefed-mdc-child")
                        .camundaHistoryTimeToLive(1)
                        .startEvent().serviceTask("stop").name("Stop services").camundaClass(Capture.class)
                        .endEvent().done())
                .addModelInstance("mdc-parent.bpmn", Bpmn.createExecutableProcess("onefed-mdc-parent")
                        .camundaHistoryTimeToLive(1)
                        .startEvent()
                        .callActivity("zone").calledElement("onefed-mdc-child").camundaIn("zoneName", "zoneName")
                        .serviceTask("report").camundaClass(Capture.class)
                        .endEvent().done())
                .addModelInstance("mdc-failing.bpmn", Bpmn.createExecutableProcess("onefed-mdc-failing")
                        .camundaHistoryTimeToLive(1)
                        .startEvent().serviceTask("breaks").name("Breaks").camundaClass(CaptureAndFail.class)
                        .endEvent().done())
                .deploy();
        SEEN.clear();
        MDC.clear();
    }

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void calledZoneProcessLogsTheCallersBusinessKeyTheZoneAndTheStepName() {
        runtime.startProcessInstanceByKey("onefed-mdc-parent", "upg-42", Variables.putValue("zoneName", "zone-b"));

        assertThat(SEEN).containsExactly(
                Map.of("upgradeId", "upg-42", "zone", "zone-b", "step", "Stop services"),
                // no name: the activity id
                Map.of("upgradeId", "upg-42", "zone", "zone-b", "step", "report"));
        assertThat(MDC.get(StepMdc.UPGRADE_ID)).isNull();
        assertThat(MDC.get(StepMdc.ZONE)).isNull();
        assertThat(MDC.get(StepMdc.STEP)).isNull();
    }

    @Test
    void upgradeIdVariableWinsOverTheBusinessKeyAndObjectsAreNotLogged() {
        runtime.startProcessInstanceByKey("onefed-mdc-child", "business-key",
                Variables.putValue("upgradeId", "upg-7").putValue("zoneName", List.of("not", "a", "name")));

        assertThat(SEEN).containsExactly(Map.of("upgradeId", "upg-7", "zone", "null", "step", "Stop services"));
    }

    @Test
    void zoneIdServesWhenThereIsNoZoneNameAndTheGuideStepPrefixesTheActivity() {
        runtime.startProcessInstanceByKey("onefed-mdc-child", "upg-8",
                Variables.putValue("zoneId", 101).putValue("step", "backup-config"));

        assertThat(SEEN).containsExactly(
                Map.of("upgradeId", "upg-8", "zone", "101", "step", "backup-config / Stop services"));
    }

    @Test
    void aFailingStepLeavesTheCallersMdcAsItWas() {
        MDC.put(StepMdc.STEP, "outer-step");
        assertThatThrownBy(() -> runtime.startProcessInstanceByKey("onefed-mdc-failing", "upg-9",
                Variables.putValue("zoneName", "zone-c"))).hasMessageContaining("step failed");

        assertThat(SEEN).containsExactly(Map.of("upgradeId", "upg-9", "zone", "zone-c", "step", "Breaks"));
        assertThat(MDC.get(StepMdc.STEP)).isEqualTo("outer-step");
        assertThat(MDC.get(StepMdc.UPGRADE_ID)).isNull();
        assertThat(MDC.get(StepMdc.ZONE)).isNull();
    }
}
