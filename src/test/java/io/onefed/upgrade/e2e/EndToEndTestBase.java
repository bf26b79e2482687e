package io.onefed.upgrade.e2e;

import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngines;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The running service of an end-to-end test. Each subclass brings its own simulated federation (a static field
 * with its {@code @DynamicPropertySource}), so each gets its own Spring context and database.
 */
abstract class EndToEndTestBase {

    @LocalServerPort
    protected int port;

    @Autowired
    protected ProcessEngine engine;

    @BeforeEach
    void registerEngine() {
        // the REST API finds its engine by name in a JVM-wide registry other tests' engines may have taken
        io.onefed.upgrade.testsupport.EngineRegistration.makeCurrent(engine);
    }
}
