package io.onefed.upgrade.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.federation.ZoneProperties;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.FileSystemResource;

/** The configuration the simulation hands to the orchestrator, and the demo profile that starts it. */
class SimulatedFederationConfigTest {

    @TempDir
    Path tmp;

    @Test
    void yamlAndPropertiesBindToTheFederationRecords() throws Exception {
        try (SimulatedFederation sim = SimulatedFederation.guide(tmp.resolve("sim"))) {
            Path yaml = sim.writeFederationYaml(tmp.resolve("federation.yaml"));
            StandardEnvironment env = new StandardEnvironment();
            new YamlPropertySourceLoader().load("federation", new FileSystemResource(yaml))
                    .forEach(env.getPropertySources()::addFirst);
            FederationProperties fromYaml = Binder.get(env).bind("federation", FederationProperties.class).get();
            assertThat(fromYaml).isEqualTo(sim.toFederationProperties());

            StandardEnvironment env2 = new StandardEnvironment();
            env2.getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("sim", sim.properties()));
            ConfigurationPropertySources.attach(env2);
            assertThat(Binder.get(env2).bind("federation", FederationProperties.class).get()).isEqualTo(fromYaml);

            ZoneProperties master = fromYaml.zones().get(0);
            assertThat(master.id()).isZero();
            assertThat(master.name()).isEqualTo("M-EU-FR");
            assertThat(master.isMaster()).isTrue();
            assertThat(fromYaml.zones()).extracting(ZoneProperties::id).containsExactly(0, 100, 101);
            assertThat(master.paths().etc()).isEqualTo(sim.serverDir(0).resolve("etc/one").toString());
            assertThat(master.servers().get(0).port()).isEqualTo(sim.sshPort(0));
            assertThat(master.endpoint()).isEqualTo(sim.endpoint(0));
            // secrets are files the resolver reads, never values in the configuration
            assertThat(Files.readString(yaml)).doesNotContain(sim.oneadminSession().split(":")[1]);
            assertThat(new String(new SecretResolver().resolve(fromYaml.credentials(), "federation.credentials")))
                    .isEqualTo(sim.oneadminSession());
            assertThat(Files.getPosixFilePermissions(sim.credentialsFile()))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            assertThat(Files.readString(sim.knownHosts())).contains("[127.0.0.1]:" + sim.sshPort(0) + " ecdsa-sha2-nistp256 ");
            // the hypervisor hosts: their own key, their addresses and their host keys in known_hosts
            assertThat(master.nodes()).isNotNull();
            assertThat(master.nodes().privateKey()).isEqualTo(sim.nodePrivateKey().toString());
            assertThat(master.nodes().addresses()).containsEntry("kvm-m-eu-fr-1",
                    "127.0.0.1:" + sim.nodeSshPort(0, "kvm-m-eu-fr-1"));
            assertThat(Files.readString(sim.knownHosts()))
                    .contains("[127.0.0.1]:" + sim.nodeSshPort(0, "kvm-m-eu-fr-2") + " ecdsa-sha2-nistp256 ");
        }
    }

    @Test
    void aRestartContinuesWithTheSameStateAndKeys() throws Exception {
        String hostKeys;
        try (SimulatedFederation sim = SimulatedFederation.guide(tmp)) {
            new SimClient(sim).exec(0, "systemctl stop opennebula-flow");
            hostKeys = Files.readString(sim.knownHosts()).replaceAll("\\[127\\.0\\.0\\.1\\]:\\d+ ", "");
        }
        try (SimulatedFederation sim = SimulatedFederation.guide(tmp)) {
            assertThat(sim.unitActive(0, "opennebula-flow")).isFalse();
            assertThat(Files.readString(sim.knownHosts()).replaceAll("\\[127\\.0\\.0\\.1\\]:\\d+ ", "")).isEqualTo(hostKeys);
            assertThat(new SimClient(sim).exec(0, "systemctl is-active opennebula").out()).isEqualTo("active\n");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Empty {
    }

    @Test
    void demoProfileStartsTheGuideFederationAndStopsItWithTheContext() throws Exception {
        SpringApplication app = new SpringApplication(Empty.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setDefaultProperties(Map.of("simulator.root", tmp.resolve("demo").toString()));
        int port;
        try (ConfigurableApplicationContext ctx = app.run("--spring.profiles.active=demo")) {
            assertThat(ctx.getEnvironment().getProperty("federation.zones[0].name")).isEqualTo("M-EU-FR");
            assertThat(ctx.getEnvironment().getProperty("federation.zones[2].id")).isEqualTo("101");
            port = Integer.parseInt(ctx.getEnvironment().getProperty("federation.zones[0].servers[0].port"));
            try (Socket s = new Socket("127.0.0.1", port)) {
                assertThat(s.isConnected()).isTrue();
            }
            assertThat(tmp.resolve("demo/federation.yaml")).exists();
        }
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(java.net.ConnectException.class);
    }

    /** A rehearsal's spec: one HA master on RHEL, as someone's own federation might be. */
    public static class OwnFederation implements java.util.function.Supplier<SimulationSpec> {
        @Override
        public SimulationSpec get() {
            return new SimulationSpec("own", "pw-own-1", "db-own-1", 42L, java.util.List.of(
                    SimulationSpec.ZoneSpec.single(7, "M-OWN", true, "6.8.0", "6.10.0")
                            .withServers(3).withOsFamily(io.onefed.upgrade.federation.OsFamily.RHEL)));
        }
    }

    /**
     * The README's rehearsal: simulator.spec picks the zones to simulate. Without it the guide's three zones would
     * run, whatever the property says; a wrong class name must fail the start naming the property and the fix.
     */
    @Test
    void demoProfileSimulatesTheSpecThatSimulatorSpecNames() {
        SpringApplication app = new SpringApplication(Empty.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setDefaultProperties(Map.of("simulator.root", tmp.resolve("own").toString(),
                "simulator.spec", OwnFederation.class.getName()));
        try (ConfigurableApplicationContext ctx = app.run("--spring.profiles.active=demo")) {
            assertThat(ctx.getEnvironment().getProperty("federation.zones[0].id")).isEqualTo("7");
            assertThat(ctx.getEnvironment().getProperty("federation.zones[0].name")).isEqualTo("M-OWN");
            assertThat(ctx.getEnvironment().getProperty("federation.zones[0].servers[2].port")).isNotNull();
            assertThat(ctx.getEnvironment().getProperty("federation.zones[1].id")).isNull();
        }
        assertThatThrownBy(() -> SimulatedFederationDemo.spec("com.example.NoSuchSpec"))
                .hasMessageContaining("simulator.spec: no class com.example.NoSuchSpec")
                .hasMessageContaining("src/test/java");
        assertThatThrownBy(() -> SimulatedFederationDemo.spec(Empty.class.getName()))
                .hasMessageContaining("is not a Supplier<SimulationSpec>");
        assertThat(SimulatedFederationDemo.spec(null).zones()).extracting(SimulationSpec.ZoneSpec::id)
                .containsExactly(0, 100, 101);
    }

    @Test
    void demoProfileLeavesAConfiguredFederationAlone() {
        SpringApplication app = new SpringApplication(Empty.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setDefaultProperties(Map.of("simulator.root", tmp.resolve("demo2").toString()));
        try (ConfigurableApplicationContext ctx = app.run("--spring.profiles.active=demo",
                "--federation.zones[0].id=7")) {
            assertThat(ctx.getEnvironment().getProperty("federation.zones[0].name")).isNull();
        }
        assertThat(tmp.resolve("demo2")).doesNotExist();
        try (ConfigurableApplicationContext ctx = new SpringApplication(Empty.class) {
            {
                setWebApplicationType(WebApplicationType.NONE);
            }
        }.run()) {
            assertThat(ctx.getEnvironment().getProperty("federation.zones[0].name")).isNull();
        }
    }
}
