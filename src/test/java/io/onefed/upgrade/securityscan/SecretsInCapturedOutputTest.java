package io.onefed.upgrade.securityscan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.onefed.upgrade.e2e.EndToEndSupport;
import io.onefed.upgrade.ssh.OutputScrubber;
import io.onefed.upgrade.testsupport.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 12 point 4: the master's MySQL backup fails the way the real onedb fails (the simulated onedb prints
 * "Unknown error running 'mysqldump -u oneadmin -p'PASSWORD' ...'", as OpenNebula's onedb_backend.rb does), the
 * operator reads the failure in the decision form and aborts. Then nothing of the DB password nor oneadmin's
 * password is found in the engine's database (history included), the service's log output, the audit report
 * (HTML and JSON) or the webhooks sent. Without {@link OutputScrubber} (SshConfiguration building the shell
 * without it) the password is in the step's stderr, the decision form's {@code stepFailure}, the history and
 * the report, and this test fails.
 */
class SecretsInCapturedOutputTest extends ServiceTestBase {

    static final int MASTER = 0;
    static final List<String> WEBHOOKS = new ArrayList<>();
    static final HttpServer RECEIVER;

    static {
        SecretScanner.ConsoleCapture.start();
        try {
            RECEIVER = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RECEIVER.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (WEBHOOKS) {
                WEBHOOKS.add(body);
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        RECEIVER.start();
    }

    @DynamicPropertySource
    static void webhook(DynamicPropertyRegistry registry) {
        registry.add("onefed.notify.webhook-url", () -> "http://127.0.0.1:" + RECEIVER.getAddress().getPort() + "/hook");
    }

    @AfterAll
    static void stop() {
        SecretScanner.ConsoleCapture.stop();
        RECEIVER.stop(0);
    }

    @Test
    void aFailedMysqlBackupLeavesNoSecretInTheDatabaseLogsReportOrWebhooks() throws Exception {
        // the first mysqldump on the master (its pre-upgrade onedb backup) fails as when the server goes away
        SIM.faults().failNext(MASTER, "mysqldump", 1, 2,
                "mysqldump: Got error: 2013: Lost connection to MySQL server during query when dumping table `logdb` at row: 0");
        String id = api.start("7.0.0", 5);
        api.approve(id, "Approve the start of the upgrade", Duration.ofSeconds(90));

        JsonNode task = await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(300))
                .until(() -> api.pending(id, "Decide on the failed step"), t -> t != null);
        var t = engine.getTaskService().createTaskQuery().taskId(task.get("taskId").asText()).singleResult();
        String failure = String.valueOf(engine.getRuntimeService().getVariable(t.getExecutionId(), "stepFailure"));
        // the simulated onedb printed the real one's message: the command is there, its password is not
        assertThat(failure).contains("Lost connection to MySQL server")
                .contains("Unknown error running 'mysqldump -u ").contains("-p'" + OutputScrubber.MARKER + "'");
        assertThat(SIM.commandLog(MASTER, "onedb").stream().filter(l -> l.contains(" backup")).toList()).hasSize(1);

        api.call(EndToEndSupport.OPERATOR2, "POST", "/engine-rest/task/" + task.get("taskId").asText() + "/complete",
                Map.of("variables", Map.of("decision", Map.of("value", "abort"),
                        "comment", Map.of("value", "secrets test: abort"))), 204);
        JsonNode end = api.awaitEnd(id, Duration.ofSeconds(240));
        assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("aborted");
        await().atMost(Duration.ofSeconds(30)).until(() -> webhooks().stream().anyMatch(w -> w.contains("upgrade.ended")));

        SecretScanner scanner = new SecretScanner()
                .secret("DB password", SIM.spec().dbPassword())
                .secret("OpenNebula password", SIM.spec().oneadminPassword());
        List<String> hits = new ArrayList<>();
        PostgresServer pg = PostgresServer.shared();
        SecretScanner.Scan db = scanner.scanDatabase(pg.jdbcUrl("service_base"), pg.username(), pg.password(), "public");
        assertThat(db.values()).as("values read").isGreaterThan(1000);
        hits.addAll(db.hits());
        Answer html = raw(AUDITOR, "GET", "/api/upgrades/" + id + "/report", null, null);
        Answer json = raw(AUDITOR, "GET", "/api/upgrades/" + id + "/report?format=json", null, null);
        assertThat(html.status()).as(html.toString()).isEqualTo(200);
        assertThat(html.body()).contains("Unknown error running");
        hits.addAll(scanner.scanText("report (HTML)", html.body()));
        hits.addAll(scanner.scanText("report (JSON)", json.body()));
        for (String w : webhooks()) {
            hits.addAll(scanner.scanText("webhook", w));
        }
        String logs = SecretScanner.ConsoleCapture.text();
        assertThat(logs).contains("upgrade=" + id);
        hits.addAll(scanner.scanText("log output", logs));
        assertThat(hits).as("secrets found").isEmpty();
        System.out.printf("secret scan: %d tables, %d columns, %d values, report %d+%d chars, %d webhooks,"
                + " %d chars of log: 0 found%n", db.tables(), db.columns(), db.values(), html.body().length(),
                json.body().length(), webhooks().size(), logs.length());
    }

    private static List<String> webhooks() {
        synchronized (WEBHOOKS) {
            return List.copyOf(WEBHOOKS);
        }
    }
}
