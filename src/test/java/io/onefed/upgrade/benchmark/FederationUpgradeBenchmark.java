package io.onefed.upgrade.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.e2e.EndToEndSupport;
import io.onefed.upgrade.simulator.SimulatedFederation;
import io.onefed.upgrade.simulator.SimulationSpec;
import io.onefed.upgrade.testsupport.PostgresServer;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 7's benchmark: the real service (a JVM of its own) upgrades simulated federations of 1 master and N
 * single front-end slaves where every simulated command takes L; approvals are given as soon as they appear.
 * Run only by the Maven profile {@code benchmark} ({@code ./mvnw -B -Pbenchmark verify}); writes
 * {@code target/benchmark/results.md}. Knobs (system properties): {@code bench.latency-ms} (L, default 1000),
 * {@code bench.sizes} (default 1,3,10,50,100), {@code bench.sequential-sizes} (sizes also run with
 * maxParallelZones=1, default 3,10; one slave is the same either way), {@code bench.postgres-size} (size also run on PostgreSQL, default 10;
 * empty to skip), {@code bench.jfr-size} (size whose run records a JFR profile, default none).
 * During each run the live progress page's call ({@code GET /api/upgrades/{id}/progress}) is made once a second,
 * as one open page does, and its latency reported: what following an upgrade costs the server.
 */
@Tag("benchmark")
class FederationUpgradeBenchmark {

    static final String OPERATOR1 = "benchop1";
    static final String OPERATOR2 = "benchop2";
    static final String PASSWORD = "bench-" + UUID.randomUUID().toString().substring(0, 12);
    static final Set<String> APPROVALS = Set.of("Approve the start of the upgrade", "Approve re-enabling API access");

    final Path out = Path.of("target", "benchmark").toAbsolutePath();
    final Duration latency = Duration.ofMillis(Long.getLong("bench.latency-ms", 1000));

    record Result(int slaves, String db, int maxParallel, double wallSeconds, double floorSeconds, List<Long> delays,
            double startupSeconds, long peakHeap, long peakRss, int incidents, long lockingFailuresLogged,
            String state, int commands, String phases,
            /** Latencies of GET /api/upgrades/{id}/progress, one a second during the run (the live page's poll). */
            List<Long> progressMillis, long progressBytes) {
    }

    @Test
    void benchmark() throws Exception {
        Files.createDirectories(out);
        List<Integer> sizes = ints(System.getProperty("bench.sizes", "1,3,10,50,100"));
        List<Integer> sequential = ints(System.getProperty("bench.sequential-sizes", "3,10"));
        List<Integer> pg = ints(System.getProperty("bench.postgres-size", "10"));
        List<Integer> jfr = ints(System.getProperty("bench.jfr-size", ""));
        Instant began = Instant.now();
        List<Result> results = new ArrayList<>();
        for (int n : sizes) {
            results.add(run(n, "H2", n, jfr.contains(n)));
            if (sequential.contains(n)) {
                results.add(run(n, "H2", 1, false));
            }
            if (pg.contains(n)) {
                results.add(run(n, "PostgreSQL", n, false));
            }
            Files.writeString(out.resolve("results.md"), report(results, sizes, sequential, began));
        }
        String report = report(results, sizes, sequential, began);
        Files.writeString(out.resolve("results.md"), report);
        System.out.println(report);
        for (Result r : results) {
            assertThat(r.state()).as("upgrade of %d slaves (%s, max %d at once)", r.slaves(), r.db(), r.maxParallel())
                    .isEqualTo("completed");
            assertThat(r.incidents()).isZero();
        }
    }

    Result run(int slaves, String db, int maxParallel, boolean jfr) throws Exception {
        String name = "n" + slaves + "-" + db.toLowerCase() + "-p" + maxParallel;
        Path dir = out.resolve(name);
        deleteTree(dir);
        Files.createDirectories(dir);
        List<SimulationSpec.ZoneSpec> zones = new ArrayList<>();
        zones.add(SimulationSpec.ZoneSpec.single(0, "M-0", true, "6.10.0", "7.0.0"));
        for (int i = 1; i <= slaves; i++) {
            zones.add(SimulationSpec.ZoneSpec.single(100 + i, "S-" + i, false, "6.10.0", "7.0.0"));
        }
        SimulationSpec spec = new SimulationSpec("bench-" + slaves, token(), token(), 715438L, zones);
        try (SimulatedFederation sim = SimulatedFederation.start(spec, dir.resolve("federation"))) {
            sim.faults().latency(latency);
            Map<String, Object> props = new LinkedHashMap<>(sim.properties());
            Path pw = dir.resolve("operators.password");
            Files.writeString(pw, PASSWORD + "\n");
            int i = 0;
            for (String user : List.of(OPERATOR1, OPERATOR2)) {
                props.put("onefed.users[" + i + "].id", user);
                props.put("onefed.users[" + i + "].password.file", pw.toString());
                props.put("onefed.users[" + i + "].groups[0]", "operators");
                i++;
            }
            // the simulated front-ends have little disk; nothing else of the shipped configuration is changed
            props.put("onefed.process.min-backup-space-mb", "1");
            Map<String, String> env = new HashMap<>();
            if (db.equals("H2")) {
                props.put("spring.datasource.url", "jdbc:h2:file:" + dir.resolve("db/engine") + ";DB_CLOSE_ON_EXIT=FALSE");
            } else {
                PostgresServer server = PostgresServer.shared();
                props.put("spring.profiles.active", "postgres");
                env.put("ONEFED_DB_URL", server.createDatabase("bench_" + name.replace('-', '_')));
                env.put("ONEFED_DB_USER", server.username());
                env.put("ONEFED_DB_PASSWORD", server.password());
            }
            try (ServiceProcess service = ServiceProcess.start(dir, props, env, jfr ? dir.resolve("service.jfr") : null)) {
                service.scrapeAs(OPERATOR1, PASSWORD);
                Operator api = new Operator(service.port);
                api.warmUp();
                Instant t0 = Instant.now();
                String id = api.call(OPERATOR1, "POST", "/api/upgrades",
                        Map.of("targetVersion", "7.0.0", "maxParallelZones", maxParallel), 201).get("id").asText();
                JsonNode end = api.drive(id, Duration.ofMinutes(40));
                double wall = api.wallSeconds(id, t0);
                String phases = api.phases(id);
                RunAnalysis a = RunAnalysis.of(sim, 0, latency);
                Result r = new Result(slaves, db, maxParallel, wall, a.floor(latency).toMillis() / 1000.0,
                        a.stepDelaysMillis, service.startupSeconds, service.peakHeapBytes(), service.peakRssBytes(),
                        end.get("incidents").size(), service.logCount("OptimisticLockingException"),
                        end.get("state").asText(), a.totalCommands, phases, api.progressMillis, api.progressBytes);
                System.out.printf("%s: %s in %.1f s (floor %.1f s), delays median %d ms p95 %d ms,"
                        + " progress GET median %d ms p95 %d ms (%d calls)%n", name, r.state(),
                        r.wallSeconds(), r.floorSeconds(), RunAnalysis.percentile(r.delays(), 0.5),
                        RunAnalysis.percentile(r.delays(), 0.95), RunAnalysis.percentile(r.progressMillis(), 0.5),
                        RunAnalysis.percentile(r.progressMillis(), 0.95), r.progressMillis().size());
                return r;
            }
        }
    }

    String report(List<Result> results, List<Integer> sizes, List<Integer> sequential, Instant began) {
        StringBuilder s = new StringBuilder("# one-fed-upgrade benchmark\n\n");
        s.append("Taken ").append(DateTimeFormatter.ISO_INSTANT.format(began)).append(" on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch"))
                .append(", Java ").append(System.getProperty("java.version")).append(". Every simulated command takes L = ")
                .append(latency.toMillis()).append(" ms; service JVM options ").append(ServiceProcess.JVM_OPTIONS)
                .append("; the simulated federation runs on the same machine (its SSH servers and shells share the 2 cores).\n\n");
        s.append("| slaves | DB | max parallel | wall s | floor s | overhead | sequential wall s | speed-up |"
                + " step delay median ms | p95 ms | steps measured | start-up s | peak heap MB | peak RSS MB |"
                + " incidents | locking failures logged | state |\n");
        s.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Result r : results) {
            // one slave runs the same way either way: no baseline of its own
            Result seq = r.slaves() == 1 ? null : results.stream().filter(x -> x != r && x.slaves() == r.slaves()
                    && x.maxParallel() == 1 && x.db().equals("H2")).findFirst().orElse(null);
            boolean parallel = r.maxParallel() > 1 || r.slaves() == 1;
            String overhead = parallel ? String.format("%.1f %%", (r.wallSeconds() / r.floorSeconds() - 1) * 100) : "n/a";
            String seqWall = seq == null ? (r.maxParallel() == 1 ? "-" : "not run") : String.format("%.1f", seq.wallSeconds());
            String speedUp = seq == null || r.maxParallel() == 1 ? "-" : String.format("%.2f x", seq.wallSeconds() / r.wallSeconds());
            s.append(String.format("| %d | %s | %d | %.1f | %s | %s | %s | %s | %d | %d | %d | %.1f | %d | %d | %d | %d | %s |%n",
                    r.slaves(), r.db(), r.maxParallel(), r.wallSeconds(), parallel ? String.format("%.1f", r.floorSeconds()) : "-",
                    overhead, seqWall, speedUp, RunAnalysis.percentile(r.delays(), 0.5),
                    RunAnalysis.percentile(r.delays(), 0.95), r.delays().size(), r.startupSeconds(),
                    r.peakHeap() >> 20, r.peakRss() >> 20, r.incidents(), r.lockingFailuresLogged(), r.state()));
        }
        s.append("\nFloor = L x (the master's simulated commands + the most commands any slave runs after the master's last"
                + " one); the simulated oned answers at once after a start, so no API wait is added. Overhead = wall / floor - 1"
                + " (wall: the federation process's start to end in the engine's history). Step delay: from the end of one"
                + " detached run to the start of the zone's next one, less the simulated commands in between; the gaps that"
                + " wait for other zones by design (the join after the stop, a slave's restore waiting for the master's"
                + " federated backup) are left out.");
        s.append("\n\nWhat the live progress page costs the server: GET /api/upgrades/{id}/progress, called once a second"
                + " during the run as one open page polls it (a fixed number of engine queries per call, whatever the"
                + " number of zones):\n\n| slaves | DB | max parallel | calls | median ms | p95 ms | max ms | last answer KB |\n"
                + "|---:|---|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            s.append(String.format("| %d | %s | %d | %d | %d | %d | %d | %d |%n", r.slaves(), r.db(), r.maxParallel(),
                    r.progressMillis().size(), RunAnalysis.percentile(r.progressMillis(), 0.5),
                    RunAnalysis.percentile(r.progressMillis(), 0.95),
                    r.progressMillis().stream().mapToLong(Long::longValue).max().orElse(0), r.progressBytes() >> 10));
        }
        s.append("\nWhere the time goes (the federation process's activities taking 0.3 s or more, in order):\n\n");
        for (Result r : results) {
            s.append(String.format("- %d slaves, %s, max %d at once: %s%n", r.slaves(), r.db(), r.maxParallel(), r.phases()));
        }
        List<Integer> notRun = sizes.stream().filter(n -> n > 1 && !sequential.contains(n)).toList();
        if (!notRun.isEmpty()) {
            s.append(" Sequential baselines not run for ").append(notRun).append(" slaves: they take about N x the"
                    + " measured per-slave time (N x 20 commands x L, 100 slaves: over half an hour at L = 1 s), which"
                    + " would push the whole benchmark far past 15 minutes; the parallel runs alone show the scaling.");
        }
        s.append('\n');
        return s.toString();
    }

    static List<Integer> ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(x -> !x.isEmpty()).map(Integer::parseInt).toList();
    }

    static String token() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * The operator's side: REST start, the engine's task REST API for approvals, status for the end; the calls go
     * through the end-to-end tests' REST client.
     */
    static final class Operator {
        private final EndToEndSupport.Api rest;
        /** The live page's call, timed once a second during {@link #drive}. */
        final List<Long> progressMillis = new ArrayList<>();
        long progressBytes;

        Operator(int port) {
            this.rest = new EndToEndSupport.Api(port, OPERATOR1, OPERATOR2, PASSWORD);
        }

        JsonNode call(String user, String method, String path, Object body, int expected) {
            return rest.call(user, method, path, body, expected, Duration.ofSeconds(60));
        }

        /**
         * Approves every approval as soon as it appears (polled every 100 ms) until the upgrade ends or an incident
         * appears. The end and the incidents come from cheap engine queries: the upgrade's status endpoint reads
         * every zone's instance and takes over a minute at 100 zones on 2 cores, so it is read only at the end.
         */
        JsonNode drive(String id, Duration deadline) throws InterruptedException {
            long until = System.nanoTime() + deadline.toNanos();
            String key = URLEncoder.encode(id, StandardCharsets.UTF_8);
            String q = "/engine-rest/task?processInstanceBusinessKey=" + key;
            long lastCheck = 0;
            while (System.nanoTime() < until) {
                for (JsonNode t : call(OPERATOR2, "GET", q, null, 200)) {
                    String name = t.get("name").asText();
                    if (!APPROVALS.contains(name)) {
                        throw new AssertionError("unexpected task '" + name + "' in upgrade " + id);
                    }
                    call(OPERATOR2, "POST", "/engine-rest/task/" + t.get("id").asText() + "/complete",
                            Map.of("variables", Map.of("decision", Map.of("value", "approve"),
                                    "comment", Map.of("value", "benchmark: approved at once"))), 204);
                }
                if (System.nanoTime() - lastCheck > 1_000_000_000L) {
                    lastCheck = System.nanoTime();
                    long t = System.nanoTime();
                    JsonNode progress = call(OPERATOR1, "GET", "/api/upgrades/" + key + "/progress", null, 200);
                    progressMillis.add((System.nanoTime() - t) / 1_000_000);
                    progressBytes = progress.toString().length();
                    JsonNode root = call(OPERATOR1, "GET", "/engine-rest/history/process-instance?processDefinitionKey="
                            + "federation-upgrade&processInstanceBusinessKey=" + key, null, 200);
                    boolean ended = root.size() == 1 && root.get(0).hasNonNull("endTime");
                    long incidents = call(OPERATOR1, "GET", "/engine-rest/incident/count", null, 200).get("count").asLong();
                    if (ended || incidents > 0) {
                        return finalStatus(id);
                    }
                }
                Thread.sleep(100);
            }
            throw new AssertionError("upgrade " + id + " did not end within " + deadline);
        }

        /** The status endpoint once, with time for a large federation. */
        JsonNode finalStatus(String id) {
            for (int attempt = 0; ; attempt++) {
                try {
                    return callSlow(OPERATOR1, "/api/upgrades/" + id);
                } catch (AssertionError e) {
                    // a zone instance ending while the status is read answers 500 (UpgradeRuns.status race)
                    if (attempt >= 5 || !e.getMessage().contains(" answered 500")) {
                        throw e;
                    }
                }
            }
        }

        JsonNode callSlow(String user, String path) {
            return rest.call(user, "GET", path, null, 200, Duration.ofMinutes(5));
        }

        /** The first calls to the engine's REST API initialise it; an operator's browser would have done that. */
        void warmUp() {
            call(OPERATOR2, "GET", "/engine-rest/task?processInstanceBusinessKey=warm-up", null, 200);
            call(OPERATOR1, "GET", "/engine-rest/history/process-instance?processDefinitionKey=federation-upgrade", null, 200);
        }

        /** The federation process's own activities of 0.3 s or more with their durations, in order. */
        String phases(String id) {
            JsonNode list = call(OPERATOR1, "GET", "/engine-rest/history/process-instance?processDefinitionKey=federation-upgrade"
                    + "&processInstanceBusinessKey=" + URLEncoder.encode(id, StandardCharsets.UTF_8), null, 200);
            if (list.size() != 1) {
                return "(history not readable)";
            }
            JsonNode acts = call(OPERATOR1, "GET", "/engine-rest/history/activity-instance?sortBy=startTime&sortOrder=asc"
                    + "&processInstanceId=" + list.get(0).get("id").asText(), null, 200);
            Map<String, Long> byActivity = new LinkedHashMap<>();
            for (JsonNode a : acts) {
                if (a.hasNonNull("durationInMillis") && !a.get("activityId").asText().endsWith("#multiInstanceBody")) {
                    byActivity.merge(a.get("activityId").asText(), a.get("durationInMillis").asLong(), Math::max);
                }
            }
            StringBuilder b = new StringBuilder();
            byActivity.forEach((k, v) -> {
                if (v >= 300) {
                    b.append(b.isEmpty() ? "" : ", ").append(k).append(String.format(" %.1f s", v / 1000.0));
                }
            });
            return b.toString();
        }

        /** Start to end of the federation process from the engine's history; the client's clock if unavailable. */
        double wallSeconds(String id, Instant clientStart) {
            JsonNode list = call(OPERATOR1, "GET", "/engine-rest/history/process-instance?processDefinitionKey=federation-upgrade"
                    + "&processInstanceBusinessKey=" + URLEncoder.encode(id, StandardCharsets.UTF_8), null, 200);
            if (list.size() == 1 && list.get(0).hasNonNull("endTime")) {
                OffsetDateTime s = OffsetDateTime.parse(list.get(0).get("startTime").asText(), ENGINE_TIME);
                OffsetDateTime e = OffsetDateTime.parse(list.get(0).get("endTime").asText(), ENGINE_TIME);
                return Duration.between(s, e).toMillis() / 1000.0;
            }
            return Duration.between(clientStart, Instant.now()).toMillis() / 1000.0;
        }

        static final DateTimeFormatter ENGINE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    }
}
