package io.onefed.upgrade.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.jcraft.jsch.SocketFactory;
import io.onefed.upgrade.federation.SshProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * {@link JschSessions#connectAhead}: a step starting commands on several hosts one after another has their
 * connections made side by side first. One connect per target at a time, none where a session is up, and none
 * over a failure nobody was told of yet (else a host that never answers would look slow forever instead of
 * failing its job).
 */
class ConnectAheadTest {

    @Test
    void oneConnectAheadPerTargetAndTheNextCallUsesItsSession() throws Exception {
        try (SshFixture fx = SshFixture.start("connect-ahead")) {
            HostGoingDown host = new HostGoingDown(fx.sshd.port());
            List<Runnable> queued = new ArrayList<>();
            Executor later = queued::add;
            try (JschSessions sessions = sessions(fx, host, later)) {
                SshTarget target = fx.target();
                sessions.connectAhead(target);
                sessions.connectAhead(target);
                assertThat(queued).as("one connect under way, not two").hasSize(1);
                assertThat(host.sockets.get()).as("it runs on the connector, not in the caller").isZero();

                queued.remove(0).run();
                assertThat(host.sockets.get()).isEqualTo(1);
                sessions.connectAhead(target);
                assertThat(queued).as("a connected session needs no connect").isEmpty();
                JschRemoteShell shell = new JschRemoteShell(sessions, SshFixture.secrets(Map.of()));
                assertThat(shell.run(target, RemoteCommand.of("echo ahead")).stdout()).isEqualTo("ahead\n");
                assertThat(host.sockets.get()).as("the command used the session connected ahead").isEqualTo(1);
            }
        }
    }

    @Test
    void aFailedConnectAheadIsToldToTheNextCallNotHiddenBehindAnother() throws Exception {
        try (SshFixture fx = SshFixture.start("connect-ahead-refused")) {
            HostGoingDown host = new HostGoingDown(fx.sshd.port());
            host.down = true;
            try (JschSessions sessions = sessions(fx, host, Runnable::run)) {
                SshTarget target = fx.target();
                sessions.connectAhead(target);
                assertThat(host.sockets.get()).isEqualTo(1);
                sessions.connectAhead(target);
                assertThat(host.sockets.get()).as("no second connect over the untold refusal").isEqualTo(1);
                JschRemoteShell shell = new JschRemoteShell(sessions, SshFixture.secrets(Map.of()));
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> shell.run(target, RemoteCommand.of("echo never")))
                        .hasMessageContaining("Connection refused");
                assertThat((System.nanoTime() - t0) / 1_000_000).as("told at once").isLessThan(5_000);
            }
        }
    }

    private static JschSessions sessions(SshFixture fx, SocketFactory host, Executor connector) {
        SshProperties base = fx.props();
        return new JschSessions(new SshProperties(base.privateKey(), null, base.knownHosts(), false,
                Duration.ofSeconds(10), Duration.ofSeconds(20)), SshFixture.secrets(Map.of()), host, connector);
    }
}
