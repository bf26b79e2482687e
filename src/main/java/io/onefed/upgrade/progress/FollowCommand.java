package io.onefed.upgrade.progress;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * {@code java -jar app.jar follow <id>}: the live progress of an upgrade in a terminal, read every second from a
 * running service's {@code GET /api/upgrades/{id}/progress}. Starts no Spring context, engine or database: it is
 * an HTTP client. Exits when the upgrade ends or an incident opens (see the exit codes).
 */
public final class FollowCommand {

    public static final int COMPLETED = 0;
    public static final int ABORTED = 1;
    public static final int INCIDENT = 2;
    /** The progress could not be read at all: a bad option, the service unreachable, the login or id refused. */
    public static final int CANNOT_FOLLOW = 3;

    static final String USAGE = """
            usage: follow <upgrade-id> [--url=http://localhost:8080] [--user=NAME] [--password-file=PATH]
              Shows each zone's progress (steps done of the approved plan's steps, state, current step), the pending
              approvals and open incidents with their Tasklist and Cockpit links, refreshed every second: redrawn
              in place on a terminal, as appended lines when the output is a pipe or a file.
              --url            the service (default http://localhost:8080)
              --user           an operator or auditor (default: the environment variable ONEFED_USER)
              --password-file  a file holding the password (otherwise the environment variable ONEFED_PASSWORD).
                               There is no --password option on purpose: a command line is visible to every user
                               of the host (ps, /proc) and stays in the shell history.
              Exit codes: 0 completed, 1 aborted or rejected, 2 an incident is open (see its Cockpit link),
                          3 could not follow (bad option, service unreachable, login refused, unknown id).
            """;

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /** Consecutive failed reads tolerated once following (a service restart); then it gives up. */
    static final int MAX_MISSES = 30;

    private FollowCommand() {
    }

    public static int run(String[] args) {
        return run(args, System.getenv(), System.out, System.err, System.console() != null, Duration.ofSeconds(1));
    }

    /** With the environment, the streams, the kind of output and the poll interval given (tests). */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err, boolean tty,
            Duration interval) {
        String id = null;
        String url = "http://localhost:8080";
        String user = env.get("ONEFED_USER");
        String passwordFile = null;
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                out.print(USAGE);
                return COMPLETED; // asked for, nothing went wrong
            } else if (a.startsWith("--url=")) {
                url = a.substring("--url=".length()).replaceAll("/+$", "");
            } else if (a.startsWith("--user=")) {
                user = a.substring("--user=".length());
            } else if (a.startsWith("--password-file=")) {
                passwordFile = a.substring("--password-file=".length());
            } else if (a.startsWith("--password")) {
                err.println("follow: --password is not accepted: a command line is visible to every user of the host"
                        + " (ps) and stays in the shell history; set ONEFED_PASSWORD or give --password-file=PATH");
                return CANNOT_FOLLOW;
            } else if (a.startsWith("--")) {
                err.println("follow: unknown option " + a.split("=", 2)[0] + "\n" + USAGE);
                return CANNOT_FOLLOW;
            } else if (id == null) {
                id = a;
            } else {
                err.println("follow: one upgrade id only (got '" + id + "' and '" + a + "')\n" + USAGE);
                return CANNOT_FOLLOW;
            }
        }
        if (id == null || id.isBlank()) {
            err.println("follow: the upgrade id is missing, e.g. follow U20261201-120000-ab12 (GET /api/upgrades lists"
                    + " them)\n" + USAGE);
            return CANNOT_FOLLOW;
        }
        URI uri;
        try {
            uri = URI.create(url + "/api/upgrades/" + java.net.URLEncoder.encode(id, StandardCharsets.UTF_8)
                    .replace("+", "%20") + "/progress");
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("not http or https");
            }
        } catch (IllegalArgumentException e) {
            err.println("follow: --url=" + url + " is not an address like http://localhost:8080");
            return CANNOT_FOLLOW;
        }
        if (user == null || user.isBlank()) {
            err.println("follow: no user: give --user=NAME or set ONEFED_USER (an operator or auditor)");
            return CANNOT_FOLLOW;
        }
        String password;
        if (passwordFile != null) {
            try {
                password = Files.readString(Path.of(passwordFile)).strip();
            } catch (IOException | RuntimeException e) {
                err.println("follow: --password-file=" + passwordFile + " cannot be read (" + e.getClass().getSimpleName()
                        + "): give a readable file holding only the password");
                return CANNOT_FOLLOW;
            }
        } else {
            password = env.get("ONEFED_PASSWORD");
        }
        if (password == null || password.isEmpty()) {
            err.println("follow: no password: set ONEFED_PASSWORD or give --password-file=PATH (never on the command"
                    + " line: ps and the shell history would show it)");
            return CANNOT_FOLLOW;
        }
        String auth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ProgressText.Screen screen = new ProgressText.Screen(tty);
        int misses = 0;
        while (true) {
            HttpResponse<String> r;
            try {
                // no-cache: a read begun after the request (web/SharedReads), since follow's exit code is decided
                // on what it reads: an incident already retried must not end it with 2
                r = http.send(HttpRequest.newBuilder(uri).header("Authorization", auth).header("Accept", "application/json")
                        .header("Cache-Control", "no-cache").timeout(Duration.ofSeconds(30)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (ConnectException | HttpTimeoutException e) {
                // once following, a restart of the service is waited out for a while
                if (!screen.hasShown() || ++misses >= MAX_MISSES) {
                    err.println("follow: cannot reach the service at " + url + " (" + e.getClass().getSimpleName()
                            + "): is it running? give its address with --url=http://host:port");
                    return CANNOT_FOLLOW;
                }
                sleep(interval);
                continue;
            } catch (IOException e) {
                err.println("follow: reading " + uri + " failed: " + e.getMessage() + "; check --url=" + url);
                return CANNOT_FOLLOW;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CANNOT_FOLLOW;
            }
            misses = 0;
            switch (r.statusCode()) {
                case 200 -> {
                }
                case 401 -> {
                    err.println("follow: the service refused the login of '" + user + "' (401): check --user or ONEFED_USER"
                            + " and the password in ONEFED_PASSWORD or --password-file");
                    return CANNOT_FOLLOW;
                }
                case 403 -> {
                    err.println("follow: '" + user + "' may not read upgrades (403): use a user of the operators or"
                            + " auditors group (--user)");
                    return CANNOT_FOLLOW;
                }
                case 404 -> {
                    err.println("follow: no upgrade '" + id + "' on " + url + " (404): check the id; GET " + url
                            + "/api/upgrades lists them");
                    return CANNOT_FOLLOW;
                }
                case 429 -> {
                    err.println("follow: too many failed logins from here (429): wait, then check the password");
                    return CANNOT_FOLLOW;
                }
                default -> {
                    err.println("follow: " + uri + " answered " + r.statusCode() + ": " + message(r.body())
                            + "; is --url=" + url + " this service?");
                    return CANNOT_FOLLOW;
                }
            }
            UpgradeProgress p;
            try {
                p = JSON.readValue(r.body(), UpgradeProgress.class);
            } catch (IOException e) {
                err.println("follow: " + uri + " did not answer the progress JSON (" + e.getClass().getSimpleName()
                        + "): is --url=" + url + " this service?");
                return CANNOT_FOLLOW;
            }
            out.print(screen.frame(ProgressText.lines(p, url, tty)));
            out.flush();
            int code = exitCode(p);
            if (code >= 0) {
                out.println("follow: upgrade " + p.upgradeId() + " " + p.state() + (code == INCIDENT
                        ? ": an incident is open (its Cockpit link is above); follow again after the retry" : ""));
                out.flush();
                return code;
            }
            sleep(interval);
        }
    }

    /** @return the exit code when following ends here, -1 to go on */
    static int exitCode(UpgradeProgress p) {
        return switch (p.state()) {
            case "completed" -> COMPLETED;
            case "aborted", "rejected" -> ABORTED;
            case "incident" -> INCIDENT;
            default -> -1;
        };
    }

    private static String message(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            return n.hasNonNull("message") ? n.get("message").asText() : "(no message)";
        } catch (IOException | RuntimeException e) {
            return "(not JSON)";
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
