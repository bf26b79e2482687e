package io.onefed.upgrade.browser;

import io.onefed.upgrade.e2e.EndToEndSupport;
import io.onefed.upgrade.simulator.SimulatedFederation;
import io.onefed.upgrade.testsupport.EngineRegistration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * One upgrade of a simulated federation followed in headless Chromium, as ordered steps that build on each other
 * ({@code @Order(n)}; a step sets {@link #passed} to n when it passed, so after a failed step the rest are not
 * run for that reason). The service runs with one job retry a second later, then the incident: pages show it
 * within seconds instead of minutes.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "onefed.process.retry-cycle=R1/PT1S")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class BrowserStepsTestBase {

    static final String PASSWORD = EndToEndSupport.PASSWORD;

    @LocalServerPort
    int port;

    @Autowired
    ProcessEngine engine;

    Browser browser;
    EndToEndSupport.Api api;
    String upgradeId;
    int passed;

    /** The test class's simulated federation (a static of the class: its property source needs it first). */
    abstract SimulatedFederation sim();

    /**
     * The service on {@code sim} with the two operators of {@link EndToEndSupport#register}, an auditor as
     * users[2] and, if given, a Camunda administrator as users[3] (without any, the webapps send everybody to the
     * Admin webapp's first-admin setup). Their password file lies under target/test-secrets.
     */
    static void registerService(DynamicPropertyRegistry registry, SimulatedFederation sim, String name, String auditor,
            String admin) {
        EndToEndSupport.register(registry, sim, name);
        try {
            Path file = Files.createDirectories(Path.of("target", "test-secrets")).resolve(name + ".password");
            Files.writeString(file, PASSWORD + "\n");
            registry.add("onefed.users[2].id", () -> auditor);
            registry.add("onefed.users[2].password.file", file::toString);
            registry.add("onefed.users[2].groups[0]", () -> "auditors");
            if (admin != null) {
                registry.add("onefed.users[3].id", () -> admin);
                registry.add("onefed.users[3].password.file", file::toString);
                registry.add("onefed.users[3].groups[0]", () -> "camunda-admin");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    void startBrowser() {
        browser = new Browser(port);
        api = new EndToEndSupport.Api(port);
    }

    @AfterAll
    void stopBrowserAndFederation() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            sim().close();
        }
    }

    @BeforeEach
    void onlyAfterTheEarlierSteps(TestInfo test) {
        int order = test.getTestMethod().orElseThrow().getAnnotation(Order.class).value();
        Assumptions.assumeTrue(passed == order - 1, "an earlier step failed");
        // the REST API finds its engine by name in a JVM-wide registry other tests' engines may have taken
        EngineRegistration.makeCurrent(engine);
    }
}
