package io.onefed.upgrade.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH {@code sshd} (Debian's openssh-server) on a free loopback port, with its own host key and
 * authorized_keys under {@code dir}, for tests that must prove the SSH client against the server operators run.
 * Logs in as the current user (root in CI). {@link #close} stops it; tests use it in try-with-resources or
 * {@code @AfterAll}.
 */
public final class OpenSshServer implements AutoCloseable {

    public static final Path SSHD = Path.of("/usr/sbin/sshd");

    private final Path dir;
    private final int port;
    private final Process process;
    private final Path hostKey;

    private OpenSshServer(Path dir, int port, Process process, Path hostKey) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.hostKey = hostKey;
    }

    public static boolean available() {
        return Files.isExecutable(SSHD) && Files.isExecutable(Path.of("/usr/bin/ssh-keygen"));
    }

    /** Starts sshd with a new ed25519 host key; {@code authorizedKeys} is the public key (file) allowed to log in. */
    public static OpenSshServer start(Path dir, Path authorizedPublicKey) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path hostKey = dir.resolve("ssh_host_ed25519_key");
        if (!Files.exists(hostKey)) {
            keygen(hostKey, "");
        }
        Path authorized = dir.resolve("authorized_keys");
        Files.copy(authorizedPublicKey, authorized, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        if ("root".equals(System.getProperty("user.name"))) {
            // privilege separation directory that a packaged sshd expects; absent in containers
            Files.createDirectories(Path.of("/run/sshd"));
        }
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            Path config = dir.resolve("sshd_config");
            Files.writeString(config, String.join("\n",
                    "Port " + port,
                    "ListenAddress 127.0.0.1",
                    "HostKey " + hostKey.toAbsolutePath(),
                    "PidFile " + dir.resolve("sshd.pid").toAbsolutePath(),
                    "AuthorizedKeysFile " + authorized.toAbsolutePath(),
                    "StrictModes no",
                    "UsePAM no",
                    "PermitRootLogin prohibit-password",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PubkeyAuthentication yes",
                    "MaxSessions 20",
                    "MaxStartups 50",
                    "LogLevel VERBOSE",
                    "Subsystem sftp internal-sftp",
                    ""));
            Path log = dir.resolve("sshd.log");
            Process p = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toAbsolutePath().toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            OpenSshServer server = new OpenSshServer(dir, port, p, hostKey);
            if (server.awaitBanner(Duration.ofSeconds(10))) {
                return server;
            }
            server.close();
            last = new IOException("sshd did not come up on port " + port + "; see " + log + ":\n"
                    + Files.readString(log));
        }
        throw last;
    }

    private boolean awaitBanner(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                s.setSoTimeout(2000);
                InputStream in = s.getInputStream();
                byte[] buf = new byte[4];
                if (in.readNBytes(buf, 0, 4) == 4 && new String(buf, StandardCharsets.US_ASCII).equals("SSH-")) {
                    return true;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** Generates a key pair ({@code path} and {@code path.pub}) with ssh-keygen. */
    public static void keygen(Path path, String passphrase) throws IOException, InterruptedException {
        keygen(path, passphrase, "ed25519");
    }

    public static void keygen(Path path, String passphrase, String type) throws IOException, InterruptedException {
        Files.deleteIfExists(path);
        Files.deleteIfExists(Path.of(path + ".pub"));
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/ssh-keygen", "-q", "-t", type, "-N", passphrase,
                "-C", "one-fed-upgrade-test", "-f", path.toString()));
        if (type.equals("rsa")) {
            cmd.addAll(List.of("-b", "2048"));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("ssh-keygen failed for " + path + ": " + out);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    public String user() {
        return System.getProperty("user.name");
    }

    public Path dir() {
        return dir;
    }

    /** The line known_hosts needs for this server: {@code [127.0.0.1]:port ssh-ed25519 AAAA...}. */
    public String knownHostsLine() throws IOException {
        String[] pub = Files.readString(Path.of(hostKey + ".pub")).trim().split("\\s+");
        return "[" + host() + "]:" + port + " " + pub[0] + " " + pub[1];
    }

    /** SHA256 fingerprint of the host key, as ssh-keygen -lf prints it. */
    public String hostKeyFingerprint() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/usr/bin/ssh-keygen", "-l", "-E", "sha256", "-f", hostKey + ".pub")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out.trim().split("\\s+")[1];
    }

    @Override
    public void close() {
        // sshd -D: the listener; session children outlive it only until their connections close
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
