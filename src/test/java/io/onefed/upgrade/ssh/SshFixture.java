package io.onefed.upgrade.ssh;


import com.jcraft.jsch.SocketFactory;
import io.onefed.upgrade.federation.SecretRef;
import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.federation.SshProperties;
import io.onefed.upgrade.testsupport.OpenSshServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real sshd plus a client key and known_hosts for it, all under target/ssh-it/<name>. */
final class SshFixture implements AutoCloseable {

    final Path dir;
    final Path clientKey;
    final Path knownHosts;
    final OpenSshServer sshd;

    private SshFixture(Path dir, Path clientKey, Path knownHosts, OpenSshServer sshd) {
        this.dir = dir;
        this.clientKey = clientKey;
        this.knownHosts = knownHosts;
        this.sshd = sshd;
    }

    static SshFixture start(String name) throws IOException, InterruptedException {
        // a missing sshd fails the test loudly (never a silent skip): .ci/run installs it
        if (!OpenSshServer.available()) {
            throw new IllegalStateException("these tests need OpenSSH's sshd at " + OpenSshServer.SSHD
                    + ": apt-get install -y openssh-server");
        }
        Path dir = Path.of("target", "ssh-it", name).toAbsolutePath();
        deleteTree(dir);
        Files.createDirectories(dir);
        Path clientKey = dir.resolve("id_ed25519");
        OpenSshServer.keygen(clientKey, "");
        OpenSshServer sshd = OpenSshServer.start(dir.resolve("sshd"), Path.of(clientKey + ".pub"));
        Path knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, sshd.knownHostsLine() + "\n");
        return new SshFixture(dir, clientKey, knownHosts, sshd);
    }

    SshTarget target() {
        return target(0);
    }

    SshTarget target(int zoneId) {
        return new SshTarget(zoneId, "zone" + zoneId, "fe1", sshd.host(), sshd.port(), sshd.user());
    }

    SshProperties props() {
        return props(knownHosts, false, Duration.ofSeconds(20));
    }

    SshProperties props(Path knownHosts, boolean acceptNew, Duration commandTimeout) {
        return new SshProperties(clientKey.toString(), null, knownHosts.toString(), acceptNew, Duration.ofSeconds(5),
                commandTimeout);
    }

    static SshProperties withKey(SshProperties p, Path key, SecretRef passphrase) {
        return new SshProperties(key.toString(), passphrase, p.knownHosts(), p.acceptNewHostKeys(), p.connectTimeout(),
                p.commandTimeout());
    }

    /** Sessions whose sockets a test can cut the hard way, as when the orchestrator's process dies. */
    static Killable killable(SshProperties props, SecretResolver secrets) {
        TrackingSockets sockets = new TrackingSockets();
        return new Killable(new JschSessions(props, secrets, sockets), sockets);
    }

    record Killable(JschSessions sessions, TrackingSockets sockets) {
        /** Closes every TCP connection without an SSH goodbye, then drops the sessions. */
        void kill() {
            sockets.closeAll();
            sessions.close();
        }
    }

    static final class TrackingSockets implements SocketFactory {
        final List<Socket> sockets = new CopyOnWriteArrayList<>();

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            Socket s = new Socket(host, port);
            sockets.add(s);
            return s;
        }

        @Override
        public InputStream getInputStream(Socket socket) throws IOException {
            return socket.getInputStream();
        }

        @Override
        public OutputStream getOutputStream(Socket socket) throws IOException {
            return socket.getOutputStream();
        }

        void closeAll() {
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }
    }

    static SecretResolver secrets(Map<String, String> env) {
        return new SecretResolver(env);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void close() {
        sshd.close();
    }
}
