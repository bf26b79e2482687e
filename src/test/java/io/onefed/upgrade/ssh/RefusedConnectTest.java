package io.onefed.upgrade.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.federation.SshProperties;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A host whose sshd refuses connections (stopped, rebooting) and then comes back. A refused connect ends at once,
 * often before the pool has registered what to do when it ends: that connect then stayed "under way" in the pool
 * forever, so every later caller waited out its whole deadline and got the first refusal again, even with the host
 * back (FaultedUpgradeTest's preflight, 2026-12-02: 50 s, and the zone reported unreachable). Here connects run in
 * the caller's thread, so each refused one has ended before the pool looks: the case that went wrong, every time.
 */
class RefusedConnectTest {

    @Test
    void aRefusingHostFailsAtOnceEachTimeAndIsReachedAgainOnceItIsBack() throws Exception {
        try (SshFixture fx = SshFixture.start("refused-connect")) {
            HostGoingDown host = new HostGoingDown(fx.sshd.port());
            SshProperties base = fx.props();
            try (JschSessions sessions = new JschSessions(new SshProperties(base.privateKey(), null, base.knownHosts(),
                    false, Duration.ofSeconds(10), Duration.ofSeconds(20)), SshFixture.secrets(Map.of()), host,
                    Runnable::run)) {
                JschRemoteShell shell = new JschRemoteShell(sessions, SshFixture.secrets(Map.of()));
                SshTarget target = fx.target();

                host.down = true;
                for (int i = 0; i < 3; i++) {
                    long t0 = System.nanoTime();
                    RemoteShell.ProbeResult refused = shell.probe(target);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertThat(refused.reachable()).isFalse();
                    assertThat(refused.error()).contains("Connection refused").contains(target.address());
                    assertThat(ms).as("refusal %d told after %d ms, not at the 10 s connect timeout", i, ms)
                            .isLessThan(5_000);
                }

                host.down = false;
                long t0 = System.nanoTime();
                RemoteShell.ProbeResult back = shell.probe(target);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(back.reachable()).as("the host is back: %s (after %d ms)", back.error(), ms).isTrue();
                assertThat(shell.run(target, RemoteCommand.of("echo back")).stdout()).isEqualTo("back\n");
            }
        }
    }
}
