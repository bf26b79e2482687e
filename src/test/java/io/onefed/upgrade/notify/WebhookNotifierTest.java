package io.onefed.upgrade.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The webhook against a local JDK HTTP server: what it POSTs, and that a failing receiver breaks nothing. */
class WebhookNotifierTest {

    HttpServer server;
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final List<String> contentTypes = new CopyOnWriteArrayList<>();
    final AtomicInteger status = new AtomicInteger(204);
    final Clock clock = Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    @Test
    void postsTheEventAsJson() throws Exception {
        try (WebhookNotifier notifier = new WebhookNotifier(url(), clock)) {
            notifier.send("approval.waiting", Map.of("upgradeId", "U1", "taskDefinitionKey", "ApproveStart"));
            await().atMost(Duration.ofSeconds(10)).until(() -> bodies.size() == 1);
        }
        JsonNode body = new ObjectMapper().readTree(bodies.get(0));
        assertThat(body.get("event").asText()).isEqualTo("approval.waiting");
        assertThat(body.get("at").asText()).isEqualTo("2026-11-23T12:00:00Z");
        assertThat(body.get("upgradeId").asText()).isEqualTo("U1");
        assertThat(body.get("taskDefinitionKey").asText()).isEqualTo("ApproveStart");
        assertThat(contentTypes.get(0)).isEqualTo("application/json");
    }

    @Test
    void aFailingOrDeadReceiverNeverThrowsAndLaterEventsStillGo() throws Exception {
        status.set(500);
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        try (WebhookNotifier dead = new WebhookNotifier(URI.create("http://127.0.0.1:" + deadPort + "/hook"), clock)) {
            dead.send("upgrade.ended", Map.of("upgradeId", "U1"));
            assertThat(dead.drain(Duration.ofSeconds(10))).isTrue();
        }
        WebhookNotifier notifier = new WebhookNotifier(url(), clock);
        notifier.send("incident.raised", Map.of("upgradeId", "U1"));
        notifier.send("upgrade.ended", Map.of("upgradeId", "U1"));
        assertThat(notifier.drain(Duration.ofSeconds(10))).isTrue();
        assertThat(bodies).hasSize(2);
        assertThat(bodies.get(1)).contains("upgrade.ended");
    }

    @Test
    void onlyHttpUrlsAreAccepted() {
        assertThatThrownBy(() -> new WebhookNotifier(URI.create("file:///etc/passwd"), clock))
                .hasMessageContaining("onefed.notify.webhook-url").hasMessageContaining("not an http(s) URL");
    }

    @Test
    void theLoggedUrlHidesCredentialsAndQuery() {
        assertThat(WebhookNotifier.safe(URI.create("https://user:tok@hooks.example.org:8443/x/y?token=abc")))
                .isEqualTo("https://hooks.example.org:8443/x/y");
    }
}
