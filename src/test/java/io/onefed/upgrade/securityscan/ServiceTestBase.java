package io.onefed.upgrade.securityscan;

import io.onefed.upgrade.e2e.EndToEndSupport;
import io.onefed.upgrade.simulator.SimulatedFederation;
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
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngines;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole service on PostgreSQL with the guide's simulated federation, operators, an auditor and an admin.
 * Subclasses share one Spring context (same configuration) and one federation; no upgrade is left running.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ServiceTestBase {

    public static final String AUDITOR = "eaud1";
    public static final String ADMIN = "eadm1";

    protected static final SimulatedFederation SIM = EndToEndSupport.startFederation("service",
            SimulatedFederation.guideSpec());

    static {
        // the context outlives a single class (shared by the subclasses): the federation goes at JVM exit
        Runtime.getRuntime().addShutdownHook(new Thread(SIM::close, "service-sim-stop"));
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        EndToEndSupport.register(registry, SIM, "service_base");
        try {
            Path file = Files.createDirectories(Path.of("target", "test-secrets")).resolve("e2e.password");
            Files.writeString(file, EndToEndSupport.PASSWORD + "\n");
            registry.add("onefed.users[2].id", () -> AUDITOR);
            registry.add("onefed.users[2].password.file", file::toString);
            registry.add("onefed.users[2].groups[0]", () -> "auditors");
            registry.add("onefed.users[3].id", () -> ADMIN);
            registry.add("onefed.users[3].password.file", file::toString);
            registry.add("onefed.users[3].groups[0]", () -> "camunda-admin");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes the upgrade {@code businessKey} (the shared context outlives a class: the next one may start one). */
    protected static void endUpgrade(ProcessEngine engine, String businessKey) {
        if (businessKey != null) {
            engine.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(businessKey).list()
                    .forEach(p -> engine.getRuntimeService().deleteProcessInstanceIfExists(p.getId(),
                            "security test done", true, true, true, true));
        }
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected ProcessEngine engine;

    protected EndToEndSupport.Api api;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void registerEngine() {
        io.onefed.upgrade.testsupport.EngineRegistration.makeCurrent(engine);
        api = new EndToEndSupport.Api(port);
    }

    /** The answer to a raw request: status and body. */
    public record Answer(int status, String body) {
        @Override
        public String toString() {
            return status + " " + (body.length() > 600 ? body.substring(0, 600) + "..." : body);
        }
    }

    /**
     * Any request, any body, as {@code user} (null: anonymous) with the users' password.
     *
     * @param contentType null sends none
     */
    protected Answer raw(String user, String method, String path, String contentType, byte[] body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(60));
            if (user != null) {
                b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + EndToEndSupport.PASSWORD).getBytes(StandardCharsets.UTF_8)));
            }
            if (contentType != null) {
                b.header("Content-Type", contentType);
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    protected Answer json(String user, String method, String path, String json) {
        return raw(user, method, path, "application/json", json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    protected long upgradesStarted() {
        return engine.getHistoryService().createHistoricProcessInstanceQuery().processDefinitionKey("federation-upgrade")
                .count();
    }
}
