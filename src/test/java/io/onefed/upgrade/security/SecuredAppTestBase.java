package io.onefed.upgrade.security;

import java.io.IOException;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngines;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole application on an in-memory H2 with three users whose passwords come from files under target/
 * (the production path: no literal password outside the demo profile). Subclasses share one Spring context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:onefed-secured-test;DB_CLOSE_DELAY=-1",
        "FEDERATION_CONFIG=target/no-federation-config.yaml",
        "onefed.security.process-definition-keys=federation-upgrade,zone-upgrade,remote-step,zone-stop,"
                + SecuredAppTestBase.TEST_PROCESS,
})
@Import(ApiProbeController.class)
// Spring Boot switches metrics export off in tests; the Prometheus endpoint is part of what is tested here
@AutoConfigureObservability(tracing = false)
public abstract class SecuredAppTestBase {

    /** A tiny process deployed by the tests themselves (not in bpmn/). */
    public static final String TEST_PROCESS = "onefed-authz-test";

    public static final String OPERATOR = "op";
    public static final String OPERATOR_PASSWORD = "op-secret-1";
    public static final String AUDITOR = "aud";
    public static final String AUDITOR_PASSWORD = "aud-secret-1";
    public static final String ADMIN = "adm";
    public static final String ADMIN_PASSWORD = "adm-secret-1";
    /** Only for wrong-password attempts and for locking (see LoginThrottleHttpTest), never for other tests. */
    public static final String SPARE = "spare";
    public static final String SPARE_PASSWORD = "spare-secret-1";

    /** start -> user task "Approve" (candidate operators) with a non-interrupting 1h timer (a job) -> end. */
    public static BpmnModelInstance testProcess() {
        return Bpmn.createExecutableProcess(TEST_PROCESS)
                .camundaHistoryTimeToLive(1)
                .startEvent()
                .userTask("approve").name("Approve").camundaCandidateGroups(Groups.OPERATORS)
                .boundaryEvent("reminder").cancelActivity(false).timerWithDuration("PT1H").endEvent()
                .moveToActivity("approve").endEvent()
                .done();
    }

    @Autowired
    protected RepositoryService repository;

    @Autowired
    private ProcessEngine processEngine;

    @BeforeEach
    void deployTestProcess() {
        // Camunda's REST API and its auth filter find the engine by name in a JVM-wide registry; another test's
        // engine named "default" (a camunda-bpm-junit5 engine, another cached Spring context) may have replaced
        // this context's engine there
        io.onefed.upgrade.testsupport.EngineRegistration.makeCurrent(processEngine);
        // duplicate filtering keeps a single version across test methods and classes
        repository.createDeployment().name(TEST_PROCESS).enableDuplicateFiltering(true)
                .addModelInstance(TEST_PROCESS + ".bpmn", testProcess()).deploy();
    }

    @DynamicPropertySource
    static void users(DynamicPropertyRegistry registry) {
        register(registry, 0, OPERATOR, OPERATOR_PASSWORD, Groups.OPERATORS);
        register(registry, 1, AUDITOR, AUDITOR_PASSWORD, Groups.AUDITORS);
        register(registry, 2, ADMIN, ADMIN_PASSWORD, Groups.ADMINS);
        register(registry, 3, SPARE, SPARE_PASSWORD, Groups.OPERATORS);
    }

    private static void register(DynamicPropertyRegistry registry, int index, String id, String password,
                                 String group) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "test-secrets"));
            Path file = dir.resolve(id + ".password");
            Files.writeString(file, password + "\n");
            String prefix = "onefed.users[" + index + "].";
            registry.add(prefix + "id", () -> id);
            registry.add(prefix + "password.file", file::toString);
            registry.add(prefix + "groups[0]", () -> group);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
