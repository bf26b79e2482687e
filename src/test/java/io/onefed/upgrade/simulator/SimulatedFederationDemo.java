package io.onefed.upgrade.simulator;

import java.nio.file.Path;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.Profiles;

/**
 * The demo profile without a federation of its own: starts the guide's simulated federation (state under
 * {@code simulator.root}, default {@code ./data/sim}, reused on restart so an upgrade continues) and adds its
 * {@code federation.*} configuration. Does nothing unless the {@code demo} profile is active and neither
 * {@code FEDERATION_CONFIG} nor {@code federation.zones} is set. The simulation stops with the context.
 * Registered in the test class path's {@code META-INF/spring.factories} only: the service's jar has no simulator
 * ({@code ./mvnw spring-boot:test-run} runs the demo, see {@code io.onefed.demo.DemoApplication}).
 */
public class SimulatedFederationDemo implements EnvironmentPostProcessor, Ordered {

    static final String PROPERTY_SOURCE = "simulatedFederation";

    private final Log log;

    public SimulatedFederationDemo(DeferredLogFactory logs) {
        this.log = logs.getLog(SimulatedFederationDemo.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!environment.acceptsProfiles(Profiles.of("demo"))) {
            return;
        }
        if (environment.containsProperty("FEDERATION_CONFIG") || environment.containsProperty("federation.zones[0].id")
                || environment.containsProperty("federation.zones[0].name")) {
            log.info("demo profile: a federation is configured, the simulated federation is not started");
            return;
        }
        if (environment.getPropertySources().contains(PROPERTY_SOURCE)) {
            return; // already started for this environment
        }
        Path root = Path.of(environment.getProperty("simulator.root", "./data/sim"));
        SimulatedFederation sim = SimulatedFederation.guide(root);
        Map<String, Object> properties = new java.util.LinkedHashMap<>(sim.properties());
        if (!environment.containsProperty("logging.level.org.apache.sshd")) {
            // the simulated SSH servers would log every session at INFO
            properties.put("logging.level.org.apache.sshd", "WARN");
        }
        environment.getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE, properties));
        sim.writeFederationYaml(sim.root().resolve("federation.yaml"));
        application.addListeners((ApplicationListener<ContextClosedEvent>) event -> sim.close());
        // the context may never start (bad configuration): do not leave listeners behind
        Runtime.getRuntime().addShutdownHook(new Thread(sim::close, "simulated-federation-stop"));
        log.info("demo profile: simulated federation (zones " + sim.zoneIds() + ") running under " + sim.root()
                + "; its configuration is in " + sim.root().resolve("federation.yaml"));
    }

    @Override
    public int getOrder() {
        // after the config data (application.yaml, FEDERATION_CONFIG import) and the active profiles are known
        return Ordered.LOWEST_PRECEDENCE - 10;
    }
}
