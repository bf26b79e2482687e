package io.onefed.upgrade.resilience;

import static org.awaitility.Awaitility.await;

import io.onefed.upgrade.OneFedUpgradeApplication;
import io.onefed.upgrade.simulator.SimulatedFederation;
import io.onefed.upgrade.testsupport.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The service as a child JVM (this JVM's class path, {@link OneFedUpgradeApplication}), so a test can kill it with
 * SIGKILL like a crashed host: no shutdown hook, no transaction finished, job locks left in the database.
 * Its output goes to {@code target/resilience/<name>.log}. The DB password reaches it through the environment,
 * never the command line.
 */
final class ServiceNode implements AutoCloseable {

    static final String OPERATOR1 = "rop1";
    static final String OPERATOR2 = "rop2";
    static final String PASSWORD = "resilience-pw-1";
    private static final Duration STARTUP = Duration.ofSeconds(150);

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;

    private ServiceNode(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    int port() {
        return port;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    io.onefed.upgrade.e2e.EndToEndSupport.Api api() {
        return new io.onefed.upgrade.e2e.EndToEndSupport.Api(port, OPERATOR1, OPERATOR2, PASSWORD);
    }

    /**
     * Waits until {@code reached} (read from the simulated hosts) holds while this node lives: a node that dies on
     * its own, or a point not reached in time, fails with the node's log.
     */
    void awaitWhileAlive(String point, Duration atMost, java.util.concurrent.Callable<Boolean> reached) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!isAlive()) {
                    throw new AssertionError(name + " died on its own:\n" + logTail(60));
                }
                return reached.call();
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("'" + point + "' not reached; " + name + " log:\n" + logTail(80), e);
        }
    }

    /** SIGKILL (what {@code kill -9} sends): the JVM gets no chance to clean up. */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + pid() + ") survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The child's thread dump (jcmd of this JDK): which node is inside a job right now. */
    String threadDump() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "Thread.print")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The longest job batch this node has run since its start ({@code onefed_job_hold_longest_seconds} on
     * /actuator/prometheus, read as an operator).
     */
    Duration longestJob() {
        String auth = java.util.Base64.getEncoder().encodeToString((OPERATOR1 + ":" + PASSWORD).getBytes());
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                    .header("Authorization", "Basic " + auth).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError(name + ": /actuator/prometheus answered " + r.statusCode());
            }
            return r.body().lines().filter(l -> l.startsWith("onefed_job_hold_longest_seconds"))
                    .map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .map(v -> Duration.ofNanos((long) (Double.parseDouble(v) * 1e9))).findFirst()
                    .orElseThrow(() -> new AssertionError(name + ": no onefed_job_hold_longest_seconds on"
                            + " /actuator/prometheus"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    /** Starts nodes sharing one federation, one PostgreSQL database, the same users and engine timings. */
    static final class Launcher {
        private final Path federationYaml;
        private final String jdbcUrl;
        private final PostgresServer pg;
        private final Path passwordFile;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private final Path logDir;

        Launcher(SimulatedFederation sim, String database, Map<String, String> extra) {
            this(sim, database, extra, false);
        }

        /**
         * @param recommended the engine and process timings of application.yaml, as the README recommends for
         *     production (only the simulator's small disks need a lower backup space floor); else short test timings
         */
        Launcher(SimulatedFederation sim, String database, Map<String, String> extra, boolean recommended) {
            try {
                this.logDir = Files.createDirectories(Path.of("target", "resilience").toAbsolutePath());
                this.federationYaml = sim.writeFederationYaml(logDir.resolve(database + "-federation.yaml"));
                Path secrets = Files.createDirectories(Path.of("target", "test-secrets").toAbsolutePath());
                this.passwordFile = secrets.resolve("resilience.password");
                Files.writeString(passwordFile, PASSWORD + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            this.pg = PostgresServer.shared();
            this.jdbcUrl = pg.createDatabase(database);
            // short engine timings: a poll job holds its lock for the poll budget at most, and a restarted node
            // finds work at once
            settings.put("onefed.process.min-backup-space-mb", "1");
            if (!recommended) {
                settings.put("onefed.process.api-poll-interval", "PT1S");
                settings.put("onefed.process.step-poll-budget", "PT2S");
                settings.put("onefed.process.retry-cycle", "R5/PT2S");
                settings.put("camunda.bpm.job-execution.wait-time-in-millis", "200");
                settings.put("camunda.bpm.job-execution.max-wait", "1000");
            }
            settings.putAll(extra);
        }

        String jdbcUrl() {
            return jdbcUrl;
        }

        PostgresServer postgres() {
            return pg;
        }

        /** Starts the child; {@link #awaitReady} waits until it answers. */
        ServiceNode launch(String name) {
            int port = freePort();
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-cp", classPath(), OneFedUpgradeApplication.class.getName(),
                    "--server.port=" + port,
                    "--spring.datasource.url=" + jdbcUrl,
                    "--spring.datasource.username=" + pg.username(),
                    "--spring.main.banner-mode=off"));
            String[] users = {OPERATOR1, OPERATOR2};
            for (int i = 0; i < users.length; i++) {
                cmd.add("--onefed.users[" + i + "].id=" + users[i]);
                cmd.add("--onefed.users[" + i + "].password.file=" + passwordFile);
                cmd.add("--onefed.users[" + i + "].groups[0]=operators");
            }
            settings.forEach((k, v) -> cmd.add("--" + k + "=" + v));
            Path log = logDir.resolve(name + ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(Path.of("").toAbsolutePath().toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("FEDERATION_CONFIG", federationYaml.toString());
            pb.environment().put("SPRING_DATASOURCE_PASSWORD", pg.password());
            try {
                return new ServiceNode(name, pb.start(), port, log);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the service child JVM " + name, e);
            }
        }

        ServiceNode start(String name) {
            ServiceNode node = launch(name);
            awaitReady(node);
            return node;
        }

        static void awaitReady(ServiceNode node) {
            HttpClient http = HttpClient.newHttpClient();
            try {
                await().atMost(STARTUP).pollInterval(Duration.ofMillis(250)).until(() -> {
                    if (!node.isAlive()) {
                        throw new IllegalStateException(node.name + " exited with " + node.process.exitValue()
                                + " while starting:\n" + node.logTail(60));
                    }
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + node.port + "/actuator/health"))
                                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                        return r.statusCode() == 200 && r.body().contains("\"UP\"");
                    } catch (IOException e) {
                        return false;
                    }
                });
            } catch (ConditionTimeoutException e) {
                node.close();
                throw new AssertionError(node.name + " not healthy within " + STARTUP + ":\n" + node.logTail(60), e);
            }
        }

        /**
         * This JVM's class path without empty or "." entries: they stand for the working directory, where
         * {@code classpath*:bpmn/**} would find the sources of the processes next to their copies in target/classes.
         */
        private static String classPath() {
            return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                    .filter(e -> !e.isBlank() && !e.equals(".") && !Path.of(e).toAbsolutePath().normalize()
                            .equals(Path.of("").toAbsolutePath()))
                    .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        }

        private static int freePort() {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
