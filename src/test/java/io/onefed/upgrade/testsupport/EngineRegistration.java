package io.onefed.upgrade.testsupport;

import org.camunda.bpm.container.RuntimeContainerDelegate;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngines;

/**
 * Several Spring test contexts live in one JVM, each with an engine named "default", while Camunda keeps its
 * engines in two JVM-wide registries: {@link ProcessEngines} (the REST API's authentication filter) and the
 * runtime container (the REST API and the webapps). A test makes its own context's engine the one both find.
 */
public final class EngineRegistration {

    private EngineRegistration() {
    }

    public static synchronized void makeCurrent(ProcessEngine engine) {
        ProcessEngines.registerProcessEngine(engine);
        RuntimeContainerDelegate container = RuntimeContainerDelegate.INSTANCE.get();
        ProcessEngine registered = container.getProcessEngineService().getProcessEngine(engine.getName());
        if (registered != engine) {
            if (registered != null) {
                container.unregisterProcessEngine(registered);
            }
            container.registerProcessEngine(engine);
        }
    }
}
