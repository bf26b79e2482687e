package io.onefed.upgrade.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The start-up check in a minimal Spring context (not the Camunda application) reading a YAML file. */
@ExtendWith(OutputCaptureExtension.class)
class FederationStartupTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(FederationProperties.class)
    @Import(FederationConfiguration.class)
    static class MinimalContext {
    }

    @TempDir
    Path dir;

    private ConfigurableApplicationContext start(Path yaml) {
        return new SpringApplicationBuilder(MinimalContext.class).web(WebApplicationType.NONE)
                .bannerMode(org.springframework.boot.Banner.Mode.OFF).registerShutdownHook(false)
                .properties("spring.config.location=file:" + yaml)
                .run();
    }

    private Path yaml(String text) throws IOException {
        Path file = dir.resolve("federation.yaml");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    /** The guide's federation, with every secret in a file under the temp dir. */
    private String goodYaml() throws IOException {
        Path auth = Files.writeString(dir.resolve("one_auth"), "oneadmin:" + FederationFixture.ONE_PASSWORD + "\n");
        Path key = Files.writeString(dir.resolve("id_ed25519"), FederationFixture.openSshKey("none"));
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), "192.168.150.1 ssh-ed25519 AAAAC3Nza\n");
        Path dbPassword = Files.writeString(dir.resolve("db_password"), FederationFixture.DB_PASSWORD);
        return """
                federation:
                  name: guide
                  credentials:
                    file: %s
                  ssh:
                    private-key: %s
                    known-hosts: %s
                    connect-timeout: 5s
                  xmlrpc:
                    # the guide's endpoints are plain http on a lab network
                    allow-plain-http: true
                  zones:
                    - id: 0
                      name: M-EU-FR
                      role: master
                      endpoint: http://192.168.150.1:2633/RPC2
                      os-family: ubuntu
                      extra-services: [apache2]
                      servers:
                        - name: fe-fr
                          host: 192.168.150.1
                    - id: 100
                      name: S-EU-GE
                      role: slave
                      endpoint: http://192.168.150.2:2633/RPC2
                      os-family: debian
                      ha: true
                      database:
                        backend: mysql
                        host: localhost
                        password:
                          file: %s
                      servers:
                        - name: ge-1
                          host: 192.168.150.21
                        - name: ge-2
                          host: 192.168.150.22
                        - name: ge-3
                          host: 192.168.150.23
                    - id: 101
                      name: S-US-CA
                      role: slave
                      endpoint: http://192.168.150.3:2633/RPC2
                      os-family: almalinux
                      paths:
                        etc: /opt/one/etc
                      servers:
                        - name: ca-1
                          host: 192.168.150.3
                          port: 2222
                          user: oneadmin
                """.formatted(auth, key, knownHosts, dbPassword);
    }

    @Test
    void aGoodFileStartsAndZonesCanBeLookedUp() throws IOException {
        try (ConfigurableApplicationContext context = start(yaml(goodYaml()))) {
            FederationConfig config = context.getBean(FederationConfig.class);
            assertThat(config.isConfigured()).isTrue();
            assertThat(config.master().id()).isZero();
            assertThat(config.slaves()).extracting(ZoneProperties::name).containsExactly("S-EU-GE", "S-US-CA");
            ZoneProperties ca = config.zone(101);
            assertThat(ca.servers().get(0).port()).isEqualTo(2222);
            assertThat(ca.paths().etc()).isEqualTo("/opt/one/etc");
            assertThat(ca.paths().var()).isEqualTo("/var/lib/one");
            assertThat(config.zone(100).database().password().file()).endsWith("db_password");
            assertThat(config.properties().ssh().connectTimeout()).hasSeconds(5);
            assertThat(config.properties().xmlrpc().plainHttpAllowed()).isTrue();
        }
    }

    @Test
    void aBadFileStopsStartUpNamingEachField(CapturedOutput output) throws IOException {
        String bad = goodYaml()
                .replace("role: master", "role: boss")
                .replace("name: S-EU-GE", "name: \"S-EU-GE; rm -rf /\"")
                .replace("http://192.168.150.3:2633/RPC2", "192.168.150.3")
                .replace("os-family: debian", "os-family: gentoo")
                .replace("known_hosts", "missing_known_hosts");

        RuntimeException failure = assertThrows(RuntimeException.class, () -> start(yaml(bad)).close());

        InvalidFederationConfigException invalid = findCause(failure, InvalidFederationConfigException.class);
        assertThat(invalid).as("start-up failed because of the configuration").isNotNull();
        assertThat(invalid.problems()).extracting(ConfigProblem::field).contains("federation.zones",
                "federation.zones[0].role", "federation.zones[1].name", "federation.zones[2].endpoint",
                "federation.zones[1].os-family", "federation.ssh.known-hosts");
        // what Spring Boot printed, through the registered analyzer
        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("federation.zones[0].role: role 'boss' is neither master nor slave")
                .contains("federation.zones[2].endpoint: '192.168.150.3' is not an absolute URL")
                .contains("federation.zones[1].os-family: unknown OS family 'gentoo'")
                .contains("federation.ssh.known-hosts: the known_hosts file")
                .contains("federation.zones[1].os-family: set os-family to one of: " + OsFamily.accepted())
                .doesNotContain(FederationFixture.ONE_PASSWORD).doesNotContain(FederationFixture.DB_PASSWORD);
    }

    /** Hole: a server without name started fine and reached run keys ("...-null"), the plan and the report as null. */
    @Test
    void aServerWithoutANameStopsStartUpNamingTheFieldAndTheFix(CapturedOutput output) throws IOException {
        String bad = goodYaml().replace("- name: ge-2\n          host: 192.168.150.22",
                "- host: 192.168.150.22");
        assertThat(bad).doesNotContain("ge-2");

        RuntimeException failure = assertThrows(RuntimeException.class, () -> start(yaml(bad)).close());

        InvalidFederationConfigException invalid = findCause(failure, InvalidFederationConfigException.class);
        assertThat(invalid).isNotNull();
        assertThat(invalid.problems()).extracting(ConfigProblem::field).containsExactly("federation.zones[1].servers[1].name");
        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("federation.zones[1].servers[1].name: the server at host '192.168.150.22' has no name")
                .contains("federation.zones[1].servers[1].name: set name to the server's NAME in the zone's SERVER_POOL"
                        + " ('onezone show S-EU-GE')");
    }

    @Test
    void withoutAFederationTheServiceStartsAndWarns(CapturedOutput output) throws IOException {
        try (ConfigurableApplicationContext context = start(yaml("other:\n  setting: 1\n"))) {
            FederationConfig config = context.getBean(FederationConfig.class);
            assertThat(config.isConfigured()).isFalse();
            assertThrows(FederationNotConfiguredException.class, config::slaves);
        }
        assertThat(output.getAll()).contains("WARN").contains("No federation is configured");
    }

    @Test
    void aWrongTypeIsLeftToSpringsBinder() throws IOException {
        String bad = goodYaml().replace("id: 100", "id: hundred");

        RuntimeException failure = assertThrows(RuntimeException.class, () -> start(yaml(bad)).close());

        BindException bind = findCause(failure, BindException.class);
        assertThat(bind).isNotNull();
        assertThat(bind.getProperty().getName().toString()).isEqualTo("federation.zones[1].id");
        assertThat(findCause(failure, InvalidFederationConfigException.class)).isNull();
    }

    private static <T extends Throwable> T findCause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
