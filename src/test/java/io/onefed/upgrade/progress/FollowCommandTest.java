package io.onefed.upgrade.progress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpServer;
import io.onefed.upgrade.progress.UpgradeProgress.ZoneState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code follow}'s options, errors and exit codes against a stand-in HTTP server answering canned progress (the
 * real service is followed end to end in browser/LiveProgressInTheBrowserTest).
 */
class FollowCommandTest {

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    static final String SECRET = "follow-test-pw-7";

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final Deque<String> answers = new ArrayDeque<>();
    HttpServer server;
    int status = 200;
    String seenAuth;
    String seenPath;
    String seenCacheControl;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    int serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", x -> {
            seenAuth = x.getRequestHeaders().getFirst("Authorization");
            seenPath = x.getRequestURI().getRawPath();
            seenCacheControl = x.getRequestHeaders().getFirst("Cache-Control");
            String body = status != 200 ? "{\"message\":\"canned " + status + "\"}"
                    : answers.size() > 1 ? answers.poll() : answers.peek();
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(status, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        server.start();
        return server.getAddress().getPort();
    }

    static String progress(String state, int done) throws IOException {
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        List<UpgradeProgress.IncidentLink> inc = state.equals("incident") ? List.of(new UpgradeProgress.IncidentLink("i1",
                "S", "RunStepCommands", "s: connection lost", "pi", t, "/camunda/app/cockpit/default/#/process-instance/pi/runtime"))
                : List.of();
        return JSON.writeValueAsString(new UpgradeProgress("U1", state, null, "6.10.0", "7.0.0", null, t, null, 60, true,
                List.of(new UpgradeProgress.Zone(0, "M", true, inc.isEmpty() ? ZoneState.RUNNING : ZoneState.FAILED,
                        "Upgrade the database", done, 4, t, null, 30, List.of(), inc)), List.of(), inc, t));
    }

    int follow(Map<String, String> env, String... args) {
        return FollowCommand.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false, Duration.ofMillis(20));
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void followsUntilCompletedAndExitsZeroAppendingOnlyChangedLines() throws IOException {
        int port = serve();
        answers.add(progress("running", 1));
        answers.add(progress("running", 1));
        answers.add(progress("running", 2));
        answers.add(progress("completed", 4));
        int code = follow(Map.of("ONEFED_PASSWORD", SECRET), "U1", "--url=http://127.0.0.1:" + port, "--user=op1");
        assertThat(code).as(err()).isEqualTo(FollowCommand.COMPLETED);
        assertThat(seenPath).isEqualTo("/api/upgrades/U1/progress");
        assertThat(seenCacheControl).as("follow decides its exit code on reads begun after its requests")
                .isEqualTo("no-cache");
        assertThat(seenAuth).isEqualTo("Basic " + Base64.getEncoder().encodeToString(("op1:" + SECRET).getBytes()));
        assertThat(out()).contains("[#####---------------] 1/4", "[##########----------] 2/4", "follow: upgrade U1 completed")
                .doesNotContain("\033", SECRET);
        // the unchanged second answer printed nothing
        assertThat(out().split("\\[#####-----").length - 1).isEqualTo(1);
    }

    @Test
    void anIncidentEndsWithTwoAndItsCockpitLink() throws IOException {
        int port = serve();
        answers.add(progress("incident", 1));
        Path file = Files.createDirectories(Path.of("target", "test-secrets")).resolve("follow.password");
        Files.writeString(file, SECRET + "\n");
        int code = follow(Map.of("ONEFED_USER", "aud1"), "U1", "--url=http://127.0.0.1:" + port,
                "--password-file=" + file);
        assertThat(code).isEqualTo(FollowCommand.INCIDENT);
        assertThat(seenAuth).isEqualTo("Basic " + Base64.getEncoder().encodeToString(("aud1:" + SECRET).getBytes()));
        assertThat(out()).contains("INCIDENT S: s: connection lost  http://127.0.0.1:" + port
                + "/camunda/app/cockpit/default/#/process-instance/pi/runtime");
    }

    @Test
    void abortedAndRejectedExitWithOne() throws IOException {
        int port = serve();
        answers.add(progress("rejected", 0));
        assertThat(follow(Map.of("ONEFED_PASSWORD", SECRET, "ONEFED_USER", "op1"), "U1", "--url=http://127.0.0.1:" + port))
                .isEqualTo(FollowCommand.ABORTED);
        answers.clear();
        answers.add(progress("aborted", 0));
        assertThat(follow(Map.of("ONEFED_PASSWORD", SECRET, "ONEFED_USER", "op1"), "U1", "--url=http://127.0.0.1:" + port))
                .isEqualTo(FollowCommand.ABORTED);
    }

    @Test
    void theHelpExplainsWhyThereIsNoPasswordOption() {
        assertThat(follow(Map.of(), "--help")).isZero();
        assertThat(out()).contains("--url", "--user", "--password-file", "ONEFED_PASSWORD", "visible to every user",
                "0 completed", "1 aborted or rejected", "2 an incident");
    }

    @Test
    void aPasswordOnTheCommandLineIsRefusedWithTheReason() {
        assertThat(follow(Map.of(), "U1", "--user=op1", "--password=" + SECRET)).isEqualTo(FollowCommand.CANNOT_FOLLOW);
        assertThat(err()).contains("--password is not accepted", "ps", "shell history", "ONEFED_PASSWORD",
                "--password-file").doesNotContain(SECRET);
    }

    @Test
    void missingUserPasswordOrIdNameTheOptionToGive() {
        assertThat(follow(Map.of("ONEFED_PASSWORD", SECRET), "U1")).isEqualTo(FollowCommand.CANNOT_FOLLOW);
        assertThat(err()).contains("--user=NAME", "ONEFED_USER");
        err.reset();
        assertThat(follow(Map.of(), "U1", "--user=op1")).isEqualTo(FollowCommand.CANNOT_FOLLOW);
        assertThat(err()).contains("ONEFED_PASSWORD", "--password-file=PATH");
        err.reset();
        assertThat(follow(Map.of(), "--user=op1")).isEqualTo(FollowCommand.CANNOT_FOLLOW);
        assertThat(err()).contains("upgrade id is missing");
        err.reset();
        assertThat(follow(Map.of("ONEFED_USER", "op1"), "U1", "--password-file=target/does-not-exist"))
                .isEqualTo(FollowCommand.CANNOT_FOLLOW);
        assertThat(err()).contains("--password-file=target/does-not-exist cannot be read");
        err.reset();
        assertThat(follow(Map.of(), "U1", "--colour")).isEqualTo(FollowCommand.CANNOT_FOLLOW);
        assertThat(err()).contains("unknown option --colour");
    }

    @Test
    void anUnreachableServiceNamesTheUrlOption() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        assertThat(follow(Map.of("ONEFED_PASSWORD", SECRET), "U1", "--user=op1", "--url=http://127.0.0.1:" + port))
                .isEqualTo(FollowCommand.CANNOT_FOLLOW);
        assertThat(err()).contains("cannot reach the service at http://127.0.0.1:" + port, "--url=http://host:port");
        err.reset();
        assertThat(follow(Map.of("ONEFED_PASSWORD", SECRET), "U1", "--user=op1", "--url=ftp://x"))
                .isEqualTo(FollowCommand.CANNOT_FOLLOW);
        assertThat(err()).contains("--url=ftp://x is not an address");
    }

    @Test
    void refusedLoginsAndUnknownIdsSayWhatToCheck() throws IOException {
        int port = serve();
        Map<String, String> env = Map.of("ONEFED_PASSWORD", SECRET);
        status = 401;
        assertThat(follow(env, "U1", "--user=op1", "--url=http://127.0.0.1:" + port)).isEqualTo(FollowCommand.CANNOT_FOLLOW);
        assertThat(err()).contains("refused the login of 'op1' (401)", "--user", "ONEFED_PASSWORD").doesNotContain(SECRET);
        err.reset();
        status = 403;
        assertThat(follow(env, "U1", "--user=op1", "--url=http://127.0.0.1:" + port)).isEqualTo(FollowCommand.CANNOT_FOLLOW);
        assertThat(err()).contains("may not read upgrades (403)", "operators", "auditors");
        err.reset();
        status = 404;
        assertThat(follow(env, "U9", "--user=op1", "--url=http://127.0.0.1:" + port)).isEqualTo(FollowCommand.CANNOT_FOLLOW);
        assertThat(err()).contains("no upgrade 'U9'", "(404)", "/api/upgrades lists them");
    }
}
