package io.onefed.upgrade.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.jcraft.jsch.SocketFactory;
import io.onefed.upgrade.federation.SshProperties;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: at 100 slaves the simulated hosts answered channel opens late, JSch gave up on the channel and the pool
 * replaced the session, which cost a host that was slow already a key exchange on top (a storm of reconnects). A
 * session that answered a moment ago is kept when an open on it runs out of time, and the caller is told to ask
 * again; one that stays silent past {@link JschSessions#RECENTLY_ALIVE} is replaced, as a half-open link must be.
 * The host's slowness is real: the client stops reading the session's socket (the host's answers wait in it).
 */
class SlowChannelTest {

    @Test
    void aSessionWhoseChannelOpensLateIsKeptAndServesTheNextCommand() throws Exception {
        try (SshFixture fx = SshFixture.start("slow-channel"); FreezableSockets sockets = new FreezableSockets();
                JschSessions sessions = new JschSessions(quickProps(fx), SshFixture.secrets(Map.of()), sockets)) {
            JschRemoteShell shell = new JschRemoteShell(sessions, SshFixture.secrets(Map.of()));
            assertThat(shell.run(fx.target(), RemoteCommand.of("echo one")).stdout()).isEqualTo("one\n");

            sockets.freeze();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> shell.run(fx.target(), RemoteCommand.of("echo two")))
                    .isInstanceOf(SshException.StillWaiting.class)
                    .hasMessageContaining("channel to " + fx.target().address() + " did not open within")
                    .hasMessageContaining("the session is kept");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("given up at the channel's bound, not retried")
                    .isLessThan(Duration.ofMillis(2500));
            assertThat(sessions.sessionCount(fx.target())).as("kept").isEqualTo(1);

            sockets.thaw();
            assertThat(shell.run(fx.target(), RemoteCommand.of("echo three")).stdout()).isEqualTo("three\n");
            assertThat(sockets.created).as("no second connect, no key exchange on the slow host").hasSize(1);
        }
    }

    @Test
    void aSessionSilentPastTheWindowIsReplaced() throws Exception {
        try (SshFixture fx = SshFixture.start("silent-channel"); FreezableSockets sockets = new FreezableSockets();
                JschSessions sessions = new JschSessions(quickProps(fx), SshFixture.secrets(Map.of()), sockets)) {
            sessions.recentlyAlive = Duration.ZERO;
            JschRemoteShell shell = new JschRemoteShell(sessions, SshFixture.secrets(Map.of()));
            assertThat(shell.run(fx.target(), RemoteCommand.of("echo one")).stdout()).isEqualTo("one\n");

            sockets.freeze();
            // the silent session is dropped and the second attempt of the same call connects afresh
            assertThat(shell.run(fx.target(), RemoteCommand.of("echo two")).stdout()).isEqualTo("two\n");
            assertThat(sockets.created).as("the silent session was replaced").hasSize(2);
            sockets.thaw();
        }
    }

    /**
     * At 100 slaves a {@code mv} ran twice: its exec request's reply came late, the pool took the error for a dead
     * session and sent the command again on a fresh one. Only an error of the channel's open itself (JSch's
     * {@code sendChannelOpen}: nothing was sent) is retried; once the request may have gone out, never.
     */
    @Test
    void onlyAChannelThatNeverOpenedIsOpenedAgain() {
        assertThat(JschSessions.failedBeforeTheRequest(new com.jcraft.jsch.JSchException("channel is not opened.")))
                .isTrue();
        assertThat(JschSessions.failedBeforeTheRequest(new com.jcraft.jsch.JSchException("session is down"))).isTrue();
        assertThat(JschSessions.failedBeforeTheRequest(new com.jcraft.jsch.JSchException("channel request: timeout")))
                .isFalse();
        assertThat(JschSessions.failedBeforeTheRequest(
                new com.jcraft.jsch.JSchException("failed to send channel request"))).isFalse();
        // JSch's own race (the host closed a fast command's channel before the start finished) wraps its NPE
        assertThat(JschSessions.failedBeforeTheRequest(new com.jcraft.jsch.JSchException(
                "java.lang.NullPointerException", new NullPointerException()))).isFalse();
    }

    /** Connect timeout 1 s: the channel open is given 1 s. */
    private static SshProperties quickProps(SshFixture fx) {
        SshProperties base = fx.props();
        return new SshProperties(base.privateKey(), null, base.knownHosts(), false, Duration.ofSeconds(1),
                Duration.ofSeconds(20));
    }

    /** Sockets whose reads can be held: the sockets open so far stop delivering until thawed. */
    static final class FreezableSockets implements SocketFactory, AutoCloseable {
        final List<Socket> created = new CopyOnWriteArrayList<>();
        private final List<Socket> frozen = new CopyOnWriteArrayList<>();

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            Socket s = new Socket(host, port);
            created.add(s);
            return s;
        }

        @Override
        public InputStream getInputStream(Socket socket) throws IOException {
            return new FilterInputStream(socket.getInputStream()) {
                @Override
                public int read() throws IOException {
                    holdWhileFrozen(socket);
                    return super.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    holdWhileFrozen(socket);
                    return super.read(b, off, len);
                }
            };
        }

        @Override
        public OutputStream getOutputStream(Socket socket) throws IOException {
            return socket.getOutputStream();
        }

        synchronized void freeze() {
            frozen.addAll(created);
        }

        synchronized void thaw() {
            frozen.clear();
            notifyAll();
        }

        private synchronized void holdWhileFrozen(Socket socket) throws IOException {
            while (frozen.contains(socket) && !socket.isClosed()) {
                try {
                    wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
            }
        }

        @Override
        public void close() {
            thaw();
        }
    }
}
