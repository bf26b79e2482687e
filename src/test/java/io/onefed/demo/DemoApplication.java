package io.onefed.demo;

import io.onefed.upgrade.OneFedUpgradeApplication;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The demo from the checkout: {@code ./mvnw spring-boot:test-run}. The service's own {@code main} (deserialization
 * filter, commands) on the test class path, with the {@code demo} profile: the demo users of
 * {@code application-demo.yaml} and the simulated federation that
 * {@link io.onefed.upgrade.simulator.SimulatedFederationDemo} starts. Neither is in the service's jar.
 *
 * <p>{@code @SpringBootApplication} only makes {@code spring-boot:test-run} pick this class among the test classes'
 * main methods; the context's source stays {@link OneFedUpgradeApplication}. The class sits outside
 * {@code io.onefed.upgrade} so that no component scan and no {@code @SpringBootTest} lookup ever finds it.
 */
@SpringBootApplication
public class DemoApplication {

    public static void main(String[] args) {
        SpringApplication.from(OneFedUpgradeApplication::main).withAdditionalProfiles("demo").run(args);
    }
}
