package io.onefed.upgrade.resilience;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** An operator on one node: {@code /api/upgrades} to start and watch, the engine's task REST API to approve. */
final class Api {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final HttpClient http = HttpClient.newHttpClient();

    Api(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    JsonNode call(String user, String method, String path, Object body, int expectedStatus) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            (user + ":" + ServiceNode.PASSWORD).getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30));
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

    String start(String target, int maxParallel) {
        return call(ServiceNode.OPERATOR1, "POST", "/api/upgrades",
                Map.of("targetVersion", target, "maxParallelZones", maxParallel), 201).get("id").asText();
    }

    JsonNode status(String id) {
        return call(ServiceNode.OPERATOR1, "GET", "/api/upgrades/" + id, null, 200);
    }

    /** The named approval, or null while it is not pending; an incident fails at once. */
    JsonNode pending(String id, String taskName) {
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

    /** Waits for the named approval and completes it as the second operator (four eyes). */
    void approve(String id, String taskName, Duration deadline) {
        JsonNode task = await().atMost(deadline).pollInterval(Duration.ofMillis(300))
                .until(() -> pending(id, taskName), t -> t != null);
        call(ServiceNode.OPERATOR2, "POST", "/engine-rest/task/" + task.get("taskId").asText() + "/complete",
                Map.of("variables", Map.of("decision", Map.of("value", "approve"),
                        "comment", Map.of("value", "resilience test: approve"))), 204);
    }

    JsonNode awaitEnd(String id, Duration deadline) {
        return await().atMost(deadline).pollInterval(Duration.ofMillis(300)).until(() -> status(id),
                s -> List.of("completed", "aborted", "rejected").contains(s.get("state").asText())
                        || s.get("incidents").size() > 0);
    }
}
