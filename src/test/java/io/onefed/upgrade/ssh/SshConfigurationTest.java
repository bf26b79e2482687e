package io.onefed.upgrade.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.federation.FederationProperties;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** The beans as the service gets them, from federation.* properties, used against a real sshd. */
class SshConfigurationTest {

    static SshFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = SshFixture.start("spring");
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @Configuration
    @EnableConfigurationProperties(FederationProperties.class)
    static class Props {
    }

    @Test
    void wiresTheSshLayerFromFederationProperties() {
        new ApplicationContextRunner()
                .withUserConfiguration(Props.class, SshConfiguration.class)
                .withPropertyValues(
                        "federation.ssh.private-key=" + fx.clientKey,
                        "federation.ssh.known-hosts=" + fx.knownHosts,
                        "federation.ssh.connect-timeout=5s",
                        "federation.ssh.command-timeout=30s",
                        "federation.zones[0].id=7",
                        "federation.zones[0].name=Z7",
                        "federation.zones[0].paths.run-dir=" + fx.dir.resolve("zone7-runs"))
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    RemoteShell shell = ctx.getBean(RemoteShell.class);
                    DetachedRuns runs = ctx.getBean(DetachedRuns.class);
                    assertThat(ctx.getBean(FileTransfer.class)).isInstanceOf(SftpFileTransfer.class);
                    assertThat(ctx.getBean(JschSessions.class).commandTimeout()).isEqualTo(Duration.ofSeconds(30));
                    assertThat(shell.run(fx.target(7), RemoteCommand.of("echo {}", "wired")).stdout())
                            .isEqualTo("wired\n");
                    // the zone's run-dir is where its runs live
                    runs.start(fx.target(7), "spring-1", RemoteCommand.of("echo in-zone-dir"));
                    assertThat(runs.await(fx.target(7), "spring-1", Duration.ofSeconds(10)).stdout())
                            .isEqualTo("in-zone-dir\n");
                    assertThat(fx.dir.resolve("zone7-runs/spring-1/exit")).exists();
                    assertThatThrownBy(() -> runs.start(fx.target(8), "k", RemoteCommand.of("true")))
                            .isInstanceOf(IllegalArgumentException.class)
                            .hasMessageContaining("zone 8")
                            .hasMessageContaining("not in federation.zones");
                });
    }
}
