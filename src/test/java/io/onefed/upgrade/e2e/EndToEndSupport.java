package io.onefed.upgrade.e2e;

import static org.awaitility.Awaitility.await;

import io.onefed.upgrade.simulator.SimulatedFederation;
import io.onefed.upgrade.simulator.SimulationSpec;
import io.onefed.upgrade.testsupport.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The whole service against the simulated federation, driven like an operator would: the REST API to start,
 * the engine's task REST API to approve, HTTP Basic with the engine's users.
 */
public final class EndToEndSupport {

    public static final String OPERATOR1 = "eop1";
    public static final String OPERATOR2 = "eop2";
    public static final String PASSWORD = "e2e-secret-pw-1";
    public static final ObjectMapper JSON = new ObjectMapper();

    private EndToEndSupport() {
    }

    /** The systemctl, onedb and apt-get calls on a zone's leader: the closing notes' "commands per zone". */
    public static long toolCalls(SimulatedFederation sim, int zone) {
        return sim.commandLog(zone, "systemctl").size() + sim.commandLog(zone, "onedb").size()
                + sim.commandLog(zone, "apt-get").size();
    }

    public static SimulatedFederation startFederation(String name, SimulationSpec spec) {
        try {
            Path root = Files.createTempDirectory(Path.of("target").toAbsolutePath(), name + "-");
            return SimulatedFederation.start(spec, root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The federation, two operators, PostgreSQL (a database of its own) and fast engine timings. */
    public static void register(DynamicPropertyRegistry registry, SimulatedFederation sim, String database) {
        register(registry, sim, database, PostgresServer.shared());
    }

    /** The same on a PostgreSQL server of the caller's (e.g. one a test restarts). */
    public static void register(DynamicPropertyRegistry registry, SimulatedFederation sim, String database,
            PostgresServer pg) {
        sim.properties().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("FEDERATION_CONFIG", () -> "target/no-federation-config.yaml");
        String url = pg.createDatabase(database);
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", pg::username);
        registry.add("spring.datasource.password", pg::password);
        registry.add("onefed.process.api-poll-interval", () -> "PT1S");
        registry.add("onefed.process.min-backup-space-mb", () -> "1");
        try {
            Path dir = Files.createDirectories(Path.of("target", "test-secrets"));
            Path file = dir.resolve("e2e.password");
            Files.writeString(file, PASSWORD + "\n");
            int i = 0;
            for (String user : List.of(OPERATOR1, OPERATOR2)) {
                registry.add("onefed.users[" + i + "].id", () -> user);
                registry.add("onefed.users[" + i + "].password.file", file::toString);
                registry.add("onefed.users[" + i + "].groups[0]", () -> "operators");
                i++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An operator who starts and watches ({@code operator1}) and another who approves ({@code operator2}). */
    public static final class Api {
        private final String base;
        private final String operator1;
        private final String operator2;
        private final String password;
        private final HttpClient http = HttpClient.newHttpClient();

        public Api(int port) {
            this(port, OPERATOR1, OPERATOR2, PASSWORD);
        }

        public Api(int port, String operator1, String operator2, String password) {
            this.base = "http://127.0.0.1:" + port;
            this.operator1 = operator1;
            this.operator2 = operator2;
            this.password = password;
        }

        public JsonNode call(String user, String method, String path, Object body, int expectedStatus) {
            return call(user, method, path, body, expectedStatus, Duration.ofSeconds(30));
        }

        /** With a timeout of its own: a status read of a large federation (the benchmark's) takes minutes. */
        public JsonNode call(String user, String method, String path, Object body, int expectedStatus,
                Duration timeout) {
            return call(user, method, path, body, expectedStatus, timeout, Map.of());
        }

        public JsonNode call(String user, String method, String path, Object body, int expectedStatus,
                Duration timeout, Map<String, String> headers) {
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                        .header("Authorization", "Basic " + Base64.getEncoder()
                                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                        .header("Content-Type", "application/json").timeout(timeout);
                headers.forEach(b::header);
                b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != expectedStatus) {
                    throw new AssertionError(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
                }
                return r.body().isBlank() ? null : JSON.readTree(r.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        public String start(String target, int maxParallel) {
            return call(operator1, "POST", "/api/upgrades", Map.of("targetVersion", target, "maxParallelZones", maxParallel),
                    201).get("id").asText();
        }

        /**
         * A read begun after this call ({@code Cache-Control: no-cache}): the tests assert on what just happened,
         * where the default may answer with the latest earlier read when a read is slow (SharedReads).
         */
        public JsonNode status(String id) {
            return call(operator1, "GET", "/api/upgrades/" + id, null, 200, Duration.ofSeconds(30),
                    Map.of("Cache-Control", "no-cache"));
        }

        /** Waits for the named approval and approves it as the second operator (four eyes). */
        public void approve(String id, String taskName, Duration deadline) {
            approve(id, taskName, "approve", deadline);
        }

        /** Waits for the named approval and completes it through the engine's task REST API. */
        public void approve(String id, String taskName, String decision, Duration deadline) {
            JsonNode task = await().atMost(deadline).pollInterval(Duration.ofMillis(300)).until(
                    () -> pending(id, taskName), t -> t != null);
            call(operator2, "POST", "/engine-rest/task/" + task.get("taskId").asText() + "/complete",
                    Map.of("variables", Map.of("decision", Map.of("value", decision),
                            "comment", Map.of("value", "end-to-end test: " + decision))), 204);
        }

        public JsonNode pending(String id, String taskName) {
            JsonNode s = status(id);
            if (s.get("incidents").size() > 0) {
                throw new AssertionError("incident while waiting for '" + taskName + "': " + s.get("incidents"));
            }
            for (JsonNode a : s.get("approvals")) {
                if (a.get("name").asText().equals(taskName)) {
                    return a;
                }
            }
            return null;
        }

        public JsonNode awaitEnd(String id, Duration deadline) {
            return await().atMost(deadline).pollInterval(Duration.ofMillis(300)).until(() -> status(id),
                    s -> List.of("completed", "aborted", "rejected").contains(s.get("state").asText())
                            || s.get("incidents").size() > 0);
        }
    }
}
