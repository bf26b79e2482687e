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
 * {@code simulator.spec} names a {@code Supplier<SimulationSpec>} class to simulate instead of the guide's zones
 * (a rehearsal of one's own federation). Registered in the test class path's {@code META-INF/spring.factories}
 * only: the service's jar has no simulator ({@code ./mvnw spring-boot:test-run} runs the demo, see
 * {@code io.onefed.demo.DemoApplication}).
 */
public class SimulatedFederationDemo implements EnvironmentPostProcessor, Ordered {

    static final String PROPERTY_SOURCE = "simulatedFederation";

    /** A rehearsal of one's own federation: the name of a {@code Supplier<SimulationSpec>} class; default the guide's. */
    static final String SPEC_PROPERTY = "simulator.spec";

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
        SimulatedFederation sim = SimulatedFederation.start(spec(environment.getProperty(SPEC_PROPERTY)), root);
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

    /** The guide's spec, or the one the named class supplies (a class of the test class path, no-argument constructor). */
    static SimulationSpec spec(String className) {
        if (className == null || className.isBlank()) {
            return SimulatedFederation.guideSpec();
        }
        Object supplier;
        try {
            supplier = Class.forName(className.trim(), true, SimulatedFederationDemo.class.getClassLoader())
                    .getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(SPEC_PROPERTY + ": no class " + className + " on the test class path;"
                    + " put it under src/test/java and give its full name, e.g. com.example.MyFederationSpec", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(SPEC_PROPERTY + ": cannot create " + className + " (" + e
                    + "); give it a public no-argument constructor", e);
        }
        if (!(supplier instanceof java.util.function.Supplier<?> s) || !(s.get() instanceof SimulationSpec spec)) {
            throw new IllegalArgumentException(SPEC_PROPERTY + ": " + className + " is not a Supplier<SimulationSpec>"
                    + " (or supplied null); implement java.util.function.Supplier<SimulationSpec>");
        }
        return spec;
    }

    @Override
    public int getOrder() {
        // after the config data (application.yaml, FEDERATION_CONFIG import) and the active profiles are known
        return Ordered.LOWEST_PRECEDENCE - 10;
    }
}
