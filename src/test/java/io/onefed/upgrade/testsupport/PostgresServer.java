package io.onefed.upgrade.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: {@code initdb} into a fresh directory under {@code target/}, listening on a
 * free loopback port, its socket in that directory, stopped and removed by {@link #close()}.
 * <p>PostgreSQL refuses to run as root, and CI runs as root: then every server command runs as an unprivileged
 * user ({@code postgres} if the package created it, else {@code nobody}) through {@code runuser}, and the directory
 * is handed to that user. Binaries: {@code ONEFED_PG_BIN}, else the newest {@code /usr/lib/postgresql/N/bin},
 * else {@code initdb} on the PATH. The superuser password goes through a file, never a command line.
 * <p>Use {@link #shared()} for one server per test JVM (stopped by a shutdown hook), or {@link #start()} with
 * try-with-resources for a private one.
 */
public final class PostgresServer implements AutoCloseable {

    public static final String SUPERUSER = "onefed";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

    private static PostgresServer shared;

    private final Path baseDir;
    private final Path dataDir;
    private final Path binDir;
    private final String runAs;
    private final int port;
    private final String password;
    private boolean running;

    private PostgresServer(Path baseDir, Path binDir, String runAs, int port, String password) {
        this.baseDir = baseDir;
        this.dataDir = baseDir.resolve("data");
        this.binDir = binDir;
        this.runAs = runAs;
        this.port = port;
        this.password = password;
    }

    /** One server for the whole test JVM, started on first use. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = start();
            PostgresServer server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(server::closeAfterClients, "postgres-test-server-stop"));
        }
        return shared;
    }

    /** A new server of its own; close it. */
    public static PostgresServer start() {
        Path binDir = findBinaries();
        String runAs = isRoot() ? unprivilegedUser() : null;
        IllegalStateException last = null;
        // a free port can be taken between probing and binding: try a few
        for (int attempt = 0; attempt < 3; attempt++) {
            PostgresServer server = null;
            try {
                Path base = Files.createDirectories(Path.of("target").toAbsolutePath())
                        .resolve("postgres-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
                server = new PostgresServer(base, binDir, runAs, freePort(), randomPassword());
                server.initAndStart();
                return server;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (IllegalStateException e) {
                last = e;
                if (server != null) {
                    server.close();
                }
            }
        }
        throw last;
    }

    public int port() {
        return port;
    }

    public String username() {
        return SUPERUSER;
    }

    public String password() {
        return password;
    }

    /** JDBC URL of a database on this server (see {@link #createDatabase}). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Creates an empty database owned by the superuser and returns its JDBC URL. */
    public String createDatabase(String name) {
        if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("database name '" + name + "': use lower-case letters, digits, _");
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), SUPERUSER, password);
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return jdbcUrl(name);
    }

    /** The OS user the server runs as (null: this JVM's user). */
    public String osUser() {
        return runAs;
    }

    public Path dataDirectory() {
        return dataDir;
    }

    private void initAndStart() throws IOException {
        Files.createDirectories(baseDir);
        Path passwordFile = baseDir.resolve("pwfile");
        Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
        handOver(baseDir);
        try {
            run(List.of(binDir.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", SUPERUSER,
                    "--pwfile=" + passwordFile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"));
        } finally {
            Files.deleteIfExists(passwordFile);
        }
        // settings in the file rather than on the command line: no quoting, and pg_ctl stays simple
        Files.writeString(dataDir.resolve("postgresql.conf"), String.join("\n",
                "",
                "listen_addresses = '127.0.0.1'",
                "port = " + port,
                "unix_socket_directories = '" + baseDir + "'",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                // one server serves every Spring test context Spring keeps cached (each with its pool) and the
                // child JVMs of the resilience tests: room for all of them
                "max_connections = 400",
                "shared_buffers = 32MB",
                ""), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-l",
                baseDir.resolve("server.log").toString(), "-w", "-t", "60", "start"));
        running = true;
    }

    /** Stops the server (immediate shutdown: its data is thrown away) and deletes its files; safe to call twice. */
    @Override
    public synchronized void close() {
        stop("immediate", 30);
        deleteTree(baseDir);
    }

    /**
     * Restarts the server on the same port and data (fast shutdown: open connections are cut), as an operator or
     * a crash-restarting supervisor would; clients must reconnect.
     */
    public synchronized void restart() {
        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-l",
                baseDir.resolve("server.log").toString(), "-m", "fast", "-w", "-t", "60", "restart"));
        running = true;
    }

    /**
     * For the JVM shutdown hook of {@link #shared()}: Spring's test contexts close in their own hook at the same
     * time, and a pool waiting for a vanished server would stall the JVM's exit. So first wait (bounded) until the
     * clients have disconnected, then stop for good.
     */
    synchronized void closeAfterClients() {
        stop("smart", 20);
        close();
    }

    private void stop(String mode, int seconds) {
        if (!running) {
            return;
        }
        try {
            run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", mode,
                    "-w", "-t", String.valueOf(seconds), "stop"));
            running = false;
        } catch (RuntimeException e) {
            if ("immediate".equals(mode)) {
                running = false;
                System.err.println("PostgresServer: stop failed: " + e.getMessage());
            }
        }
    }

    private void run(List<String> command) {
        List<String> full = new ArrayList<>();
        if (runAs != null) {
            full.addAll(List.of("runuser", "-u", runAs, "--"));
        }
        full.addAll(command);
        try {
            Path output = Files.createTempFile("pg-cmd", ".log");
            try {
                Process process = new ProcessBuilder(full).directory(baseDir.toFile())
                        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
                if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(command.get(0) + " did not finish within " + COMMAND_TIMEOUT);
                }
                if (process.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", full) + " failed (exit " + process.exitValue()
                            + "):\n" + Files.readString(output) + serverLogTail());
                }
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
    }

    private String serverLogTail() {
        Path log = baseDir.resolve("server.log");
        try {
            if (Files.exists(log)) {
                List<String> lines = Files.readAllLines(log);
                return "\nserver.log:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
            }
        } catch (IOException ignored) {
            // only a diagnostic
        }
        return "";
    }

    /** Gives the directory to the unprivileged user; its parents must let that user through. */
    private void handOver(Path dir) {
        if (runAs == null) {
            return;
        }
        runPlain(List.of("chown", "-R", runAs + ":", dir.toString()));
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
            if (!Files.isExecutable(p) || !isTraversableByOthers(p)) {
                throw new IllegalStateException("PostgreSQL runs as '" + runAs + "' but cannot enter " + p
                        + ": make it world-executable (chmod o+x " + p + ") or build from a directory that is");
            }
        }
    }

    private static boolean isTraversableByOthers(Path p) {
        try {
            return Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
        } catch (IOException | UnsupportedOperationException e) {
            return true;
        }
    }

    private static void runPlain(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Path findBinaries() {
        String override = System.getenv("ONEFED_PG_BIN");
        if (override != null && !override.isBlank()) {
            Path dir = Path.of(override);
            if (!Files.isExecutable(dir.resolve("initdb"))) {
                throw new IllegalStateException("ONEFED_PG_BIN=" + override + " has no executable initdb");
            }
            return dir;
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Optional<Path> newest = versions
                        .map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                        .max(Comparator.comparingInt(b -> versionOf(b.getParent().getFileName().toString())));
                if (newest.isPresent()) {
                    return newest.get();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String entry : path.split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, "initdb"))) {
                return Path.of(entry);
            }
        }
        throw new IllegalStateException("PostgreSQL server binaries not found (initdb, pg_ctl): install them with"
                + " 'apt-get install -y postgresql', or set ONEFED_PG_BIN to the directory holding initdb");
    }

    private static int versionOf(String name) {
        try {
            return Integer.parseInt(name.replaceAll("[^0-9].*", ""));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    private static String unprivilegedUser() {
        for (String candidate : List.of("postgres", "nobody")) {
            try {
                Process id = new ProcessBuilder("id", "-u", candidate).redirectErrorStream(true).start();
                if (id.waitFor(10, TimeUnit.SECONDS) && id.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException e) {
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("running as root, and neither user 'postgres' nor 'nobody' exists to run"
                + " PostgreSQL (it refuses root): create one, e.g. 'apt-get install -y postgresql' creates postgres");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("PostgresServer: cannot delete " + dir + ": " + e.getMessage());
        }
    }
}
