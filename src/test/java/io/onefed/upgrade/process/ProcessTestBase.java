package io.onefed.upgrade.process;

import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The engine of the process tests: every model and form of bpmn/ deployed, beans registered per test through
 * {@link ProcessTestSupport} ({@code Mocks}) and reset after it, jobs run one by one by the test.
 */
@Deployment(resources = {"bpmn/federation-upgrade.bpmn", "bpmn/zone-upgrade.bpmn", "bpmn/zone-stop.bpmn", "bpmn/zone-rollback.bpmn", "bpmn/federation-rollback.bpmn",
        "bpmn/approve-rollback.form",
        "bpmn/remote-step.bpmn", "bpmn/approve-start.form", "bpmn/approve-reenable.form", "bpmn/preflight-review.form",
        "bpmn/confirm-api-blocked.form", "bpmn/confirm-api-open.form", "bpmn/failed-step-decision.form",
        "bpmn/failed-slaves-decision.form", "bpmn/post-checks-review.form",
        "bpmn/units-still-active-decision.form", "bpmn/stop-failed-decision.form", "bpmn/api-down-decision.form",
        "bpmn/rolling-upgrade.bpmn", "bpmn/shared-version-decision.form"})
abstract class ProcessTestBase {

    @RegisterExtension
    static ProcessEngineExtension extension = ProcessEngineExtension.builder()
            .configurationResource("camunda-process-test.cfg.xml").build();

    ProcessEngine engine;

    @BeforeEach
    void engine() {
        engine = extension.getProcessEngine(); // the extension injects only fields of the test class itself
    }

    @AfterEach
    void resetBeansAndTarget() {
        Mocks.reset();
        FakeFederation.TARGET = "7.0.0";
    }
}
