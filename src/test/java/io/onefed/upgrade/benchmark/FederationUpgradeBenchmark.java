package io.onefed.upgrade.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.e2e.EndToEndSupport;
import io.onefed.upgrade.plan.Plan;
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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 7's and 15's benchmark: the real service (a JVM of its own) upgrades simulated federations of 1 master and N
 * single front-end slaves where every simulated command takes L; approvals are given as soon as they appear. Then,
 * for the sizes that have it, Ansible runs the same plan against a fresh federation of the same size (the peer).
 * Run only by the Maven profile {@code benchmark} ({@code ./mvnw -B -Pbenchmark verify}, or {@code .ci/run benchmark},
 * which also installs Debian's ansible-core); writes {@code target/benchmark/results.md} and prints it.
 *
 * <p>Knobs (system properties, defaults sized for about 25 minutes on 2 idle cores):
 * <ul>
 * <li>{@code bench.latency-ms}: L, default 500 (the targets are for 500 ms)</li>
 * <li>{@code bench.sizes}: slave counts, default 1,10,50,100</li>
 * <li>{@code bench.sequential-sizes}: sizes also run with maxParallelZones=1, default 10 (one slave is the same
 * either way); empty to skip</li>
 * <li>{@code bench.postgres-size}: sizes also run on PostgreSQL, default 10; empty to skip</li>
 * <li>{@code bench.ansible-sizes}: sizes also run by Ansible, default every size of {@code bench.sizes}; empty to
 * skip (then no ratio is reported and ansible-playbook is not needed)</li>
 * <li>{@code bench.jfr-size}: size whose run records a JFR profile, default none</li>
 * <li>{@code bench.jvm-options}: the service JVM's options, space-separated, default {@code -Xms64m -Xmx512m -XX:TieredStopAtLevel=1}</li>
 * <li>{@code bench.service.<property>}: a service property set for an experiment (results.md names it), none by default</li>
 * <li>{@code bench.resume}: also measure the resume after a kill -9 and the two-node take-over
 * ({@link ResumeMeasurement}, about 5 minutes), default true</li>
 * </ul>
 * Environment: {@code ONEFED_ANSIBLE_PLAYBOOK} (default {@code /usr/bin/ansible-playbook}; missing fails the
 * benchmark before the first run), {@code ONEFED_PG_BIN} (see PostgresServer).
 *
 * <p>Measured per run: the wall time and the floor, both the old one (L x commands on the critical path) and the
 * hosts' own (the same path from the commands' start and exit stamps, {@link RunAnalysis#hostFloor}), the
 * overhead against the hosts' floor, the step-to-step delays, the service's CPU seconds from /proc per zone step,
 * heap and RSS per zone, and the latency of the live progress page's call ({@code GET /api/upgrades/{id}/progress},
 * once a second), of {@code GET /api/upgrades/{id}} and of {@code GET /api/federation/status} (polled on a thread
 * of their own). The last table names each of issue 15's targets as met or not, the resume after a crash included
 * ({@link #addResumeRows}).
 */
@Tag("benchmark")
class FederationUpgradeBenchmark {

    static final String OPERATOR1 = "benchop1";
    static final String OPERATOR2 = "benchop2";
    static final String PASSWORD = "bench-" + UUID.randomUUID().toString().substring(0, 12);
    static final Set<String> APPROVALS = Set.of("Approve the start of the upgrade", "Approve re-enabling API access");

    final Path out = Path.of("target", "benchmark").toAbsolutePath();
    final Duration latency = Duration.ofMillis(Long.getLong("bench.latency-ms", 500));
    List<Integer> ansibleSizes = List.of();
    Path ansible;

    record Result(int slaves, String db, int maxParallel, double wallSeconds, double floorSeconds, List<Long> delays,
            double startupSeconds, long peakHeap, long peakRss, int incidents, long lockingFailuresLogged,
            String state, int commands, String phases,
            /** Latencies of GET /api/upgrades/{id}/progress, one a second during the run (the live page's poll). */
            List<Long> progressMillis, long progressBytes,
            /** The floor from the hosts' own start and exit stamps (RunAnalysis.hostFloor). */
            double hostFloorSeconds,
            /** CPU seconds of the service process during the run, and the zone steps (detached runs) it ran. */
            double cpuSeconds, int zoneSteps,
            /** The same CPU split by thread group (ThreadCpu): engine, web, gc, jit, other, unsampled. */
            Map<String, Double> cpuByGroup,
            /** The longest job hold, lock to commit, the service reported during the run (seconds). */
            double longestJobSeconds,
            /** CPU of the simulated federation (and the benchmark's polls) during the run, seconds. */
            double simulatorCpuSeconds,
            /** GET /api/upgrades/{id} and GET /api/federation/status polled during the run. */
            ReadLatency.Reads upgradeReads, ReadLatency.Reads statusReads,
            /** The whole machine's CPU during the run (MachineCpu): every process, the detached ones included. */
            MachineCpu.Use machine,
            /** Ansible on a fresh federation of the same size, or null when not run for this configuration. */
            AnsibleRun.Result ansible, int ansibleCommands,
            /** Ansible's run's floor from its hosts' stamps: the same path, so its own overhead can be read too. */
            double ansibleHostFloorSeconds) {

        int zones() {
            return slaves + 1;
        }

        double cpuMsPerZoneStep() {
            return zoneSteps == 0 ? -1 : cpuSeconds * 1000 / zoneSteps;
        }

        /** CPU of the upgrade's own threads (job executor, SSH) per zone step: the reads served are not in it. */
        double engineCpuMsPerZoneStep() {
            return zoneSteps == 0 ? -1 : cpuByGroup.getOrDefault("engine", 0.0) * 1000 / zoneSteps;
        }
    }

    /** Sections printed and written to results.md after the tables, as given (the resume after a crash). */
    final List<String> extraSections = new ArrayList<>();

    /** More rows of the targets table ({@code target}, {@code measured}, {@code met}): {@link #addResumeRows}. */
    final List<String[]> extraTargetRows = new ArrayList<>();

    /** Adds a markdown section after the tables (see {@link #extraSections}). */
    void appendSection(String markdown) {
        extraSections.add(markdown);
    }

    @Test
    void benchmark() throws Exception {
        Files.createDirectories(out);
        List<Integer> sizes = ints(System.getProperty("bench.sizes", "1,10,50,100"));
        List<Integer> sequential = ints(System.getProperty("bench.sequential-sizes", "10"));
        ansibleSizes = ints(System.getProperty("bench.ansible-sizes", String.join(",", sizes.stream().map(String::valueOf).toList())));
        if (!ansibleSizes.isEmpty()) {
            ansible = AnsibleRun.playbookBinary(); // fails loudly here, before any run, when Ansible is missing
        }
        List<Integer> pg = ints(System.getProperty("bench.postgres-size", "10"));
        List<Integer> jfr = ints(System.getProperty("bench.jfr-size", ""));
        Instant began = Instant.now();
        loadAtStart = loadAverage();
        List<Result> results = new ArrayList<>();
        for (int n : sizes) {
            results.add(run(n, "H2", n, jfr.contains(n), ansibleSizes.contains(n)));
            if (sequential.contains(n)) {
                results.add(run(n, "H2", 1, false, false));
            }
            if (pg.contains(n)) {
                results.add(run(n, "PostgreSQL", n, false, false));
            }
            Files.writeString(out.resolve("results.md"), report(results, sizes, sequential, began));
        }
        if (Boolean.parseBoolean(System.getProperty("bench.resume", "true"))) {
            addResumeRows(new ResumeMeasurement().measure(out.resolve("resume")));
        }
        String report = report(results, sizes, sequential, began);
        Files.writeString(out.resolve("results.md"), report);
        System.out.println(report);
        for (Result r : results) {
            assertThat(r.state()).as("upgrade of %d slaves (%s, max %d at once)", r.slaves(), r.db(), r.maxParallel())
                    .isEqualTo("completed");
            assertThat(r.incidents()).isZero();
            if (r.ansible() != null) {
                assertThat(r.ansible().exitCode()).as("ansible-playbook of %d slaves, see %s", r.slaves(), r.ansible().log())
                        .isZero();
            }
        }
    }

    /**
     * The resume-after-a-crash rows (issue 15): the restarts must reach a host again within 30 s, the take-over
     * within 60 s, and no job may hold its lock (20 s, the README's production setting) past half of it.
     */
    void addResumeRows(List<ResumeMeasurement.Row> rows) {
        StringBuilder section = new StringBuilder("### Resume after a crash (kill -9, production settings)\n\n"
                + "| kill point | to the next command on a host s | longest job s | detail |\n|---|---:|---:|---|\n");
        double restart = 0;
        double takeover = 0;
        double longestJob = 0;
        for (ResumeMeasurement.Row r : rows) {
            section.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %s |%n", r.point(), r.seconds(),
                    r.longestJobSeconds(), r.detail()));
            if (r.point().startsWith("two nodes")) {
                takeover = Math.max(takeover, r.seconds());
            } else {
                restart = Math.max(restart, r.seconds());
            }
            longestJob = Math.max(longestJob, r.longestJobSeconds());
        }
        extraTargetRows.add(new String[] {"resume within 30 s of a restart (slowest of 3 kill points)",
                String.format(Locale.ROOT, "%.1f s", restart), restart < 30 ? "met" : "not met"});
        extraTargetRows.add(new String[] {"take-over within 60 s in a two-node cluster",
                String.format(Locale.ROOT, "%.1f s", takeover), takeover > 0 && takeover < 60 ? "met" : "not met"});
        extraTargetRows.add(new String[] {"longest job under half the lock time (10 s of 20 s)",
                String.format(Locale.ROOT, "%.1f s", longestJob), longestJob < 10 ? "met" : "not met"});
        appendSection(section.toString());
    }

    Result run(int slaves, String db, int maxParallel, boolean jfr, boolean withAnsible) throws Exception {
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
        Result measured;
        Plan plan;
        Path serviceRoot;
        try (SimulatedFederation sim = SimulatedFederation.start(spec, dir.resolve("federation"))) {
            serviceRoot = sim.root();
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
            // experiments only (never in a reported run's defaults): -Dbench.service.<property>=<value> sets a service
            // property, e.g. -Dbench.service.logging.level.org.camunda.bpm.engine.jobexecutor=DEBUG
            props.putAll(overrides());
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
                double cpu0 = service.cpuSeconds();
                Map<String, Double> groups0 = service.cpuSecondsByGroup();
                double sim0 = ServiceProcess.simulatorCpuSeconds();
                MachineCpu machineCpu = new MachineCpu();
                String id = api.call(OPERATOR1, "POST", "/api/upgrades",
                        Map.of("targetVersion", "7.0.0", "maxParallelZones", maxParallel), 201).get("id").asText();
                String upgradePath = "/api/upgrades/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
                JsonNode end;
                ReadLatency.Reads upgradeReads;
                ReadLatency.Reads statusReads;
                try (ReadLatency reads = new ReadLatency(service.port, OPERATOR1, PASSWORD,
                        List.of(upgradePath, "/api/federation/status"))) {
                    end = api.drive(id, Duration.ofMinutes(40));
                    reads.close();
                    upgradeReads = reads.of(upgradePath);
                    statusReads = reads.of("/api/federation/status");
                }
                double cpu = service.cpuSeconds() - cpu0;
                double simCpu = ServiceProcess.simulatorCpuSeconds() - sim0;
                MachineCpu.Use machine = machineCpu.use();
                machineCpu.close();
                Map<String, Double> groups = new LinkedHashMap<>(service.cpuSecondsByGroup());
                groups.replaceAll((g, v) -> v - groups0.getOrDefault(g, 0.0));
                groups.put("unsampled", Math.max(0, cpu - groups.values().stream().mapToDouble(Double::doubleValue).sum()));
                double wall = api.wallSeconds(id, t0);
                String phases = api.phases(id);
                RunAnalysis a = RunAnalysis.of(sim, 0);
                Result r = new Result(slaves, db, maxParallel, wall, a.floor(latency).toMillis() / 1000.0,
                        a.stepDelaysMillis, service.startupSeconds, service.peakHeapBytes(), service.peakRssBytes(),
                        end.get("incidents").size(), service.logCount("OptimisticLockingException"),
                        end.get("state").asText(), a.totalCommands, phases, api.progressMillis, api.progressBytes,
                        a.hostFloor.toMillis() / 1000.0, cpu, a.zoneSteps, groups, service.longestJobSeconds(), simCpu, upgradeReads, statusReads, machine, null, 0, 0);
                plan = withAnsible ? api.plan(id) : null;
                System.out.printf("%s: %s in %.1f s (floor %.1f s), delays median %d ms p95 %d ms,"
                        + " progress GET median %d ms p95 %d ms (%d calls)%n", name, r.state(),
                        r.wallSeconds(), r.floorSeconds(), RunAnalysis.percentile(r.delays(), 0.5),
                        RunAnalysis.percentile(r.delays(), 0.95), RunAnalysis.percentile(r.progressMillis(), 0.5),
                        RunAnalysis.percentile(r.progressMillis(), 0.95), r.progressMillis().size());
                measured = r;
            }
        }
        if (plan == null) {
            return measured;
        }
        AnsibleOutcome a = ansible(spec, plan, serviceRoot, dir.resolve("ansible"));
        return new Result(measured.slaves(), measured.db(), measured.maxParallel(), measured.wallSeconds(),
                measured.floorSeconds(), measured.delays(), measured.startupSeconds(), measured.peakHeap(), measured.peakRss(),
                measured.incidents(), measured.lockingFailuresLogged(), measured.state(), measured.commands(), measured.phases(),
                measured.progressMillis(), measured.progressBytes(), measured.hostFloorSeconds(), measured.cpuSeconds(),
                measured.zoneSteps(), measured.cpuByGroup(), measured.longestJobSeconds(), measured.simulatorCpuSeconds(), measured.upgradeReads(), measured.statusReads(), measured.machine(), a.result(), a.commands(),
                a.hostFloorSeconds());
    }

    static String cpuGroups(Result r) {
        Map<String, Double> g = r.cpuByGroup();
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f / %.1f / %.1f / %.1f", g.getOrDefault("engine", 0.0),
                g.getOrDefault("web", 0.0), g.getOrDefault("gc", 0.0), g.getOrDefault("jit", 0.0), g.getOrDefault("other", 0.0),
                g.getOrDefault("unsampled", 0.0));
    }

    record AnsibleOutcome(AnsibleRun.Result result, int commands, double hostFloorSeconds) {
    }

    /**
     * The peer: a fresh simulated federation like the service's (same spec, new state, same latency), the
     * service's plan as a playbook, ansible-playbook with forks = zones. Checks afterwards that every zone runs
     * the target version with its API open, so a playbook that did less cannot look fast.
     */
    AnsibleOutcome ansible(SimulationSpec spec, Plan plan, Path serviceRoot, Path dir) throws IOException {
        deleteTree(dir);
        Files.createDirectories(dir);
        Path sockets = Files.createTempDirectory("ofu-ans");
        try (SimulatedFederation sim = SimulatedFederation.start(spec, dir.resolve("federation"))) {
            sim.faults().latency(latency);
            AnsiblePlaybook.Target target = new AnsiblePlaybook.Target(sim.toFederationProperties(),
                    sim.clientPrivateKey(), sim.credentialsFile(), Map.of(serviceRoot.toString(), sim.root().toString()),
                    sim.dbPasswordFile());
            AnsiblePlaybook.generate(plan, target, spec.zones().size(), sockets).writeTo(dir);
            AnsibleRun.Result r = AnsibleRun.run(ansible, dir, 40);
            if (r.exitCode() == 0) {
                for (int zone : sim.zoneIds()) {
                    if (!plan.targetVersion().equals(sim.installedVersion(zone)) || !sim.apiOpen(zone) || sim.zoneDisabled(zone)) {
                        throw new AssertionError("after ansible-playbook, zone " + zone + " runs " + sim.installedVersion(zone)
                                + " (API open " + sim.apiOpen(zone) + ", disabled " + sim.zoneDisabled(zone) + "); see " + r.log());
                    }
                }
            }
            int commands = sim.zoneIds().stream().mapToInt(z -> RunAnalysis.commands(sim.serverDir(z)).size()).sum();
            System.out.printf("ansible n%d: exit %d in %.1f s, %d simulated commands (%s)%n", spec.zones().size() - 1,
                    r.exitCode(), r.wallSeconds(), commands, r.log());
            return new AnsibleOutcome(r, commands, RunAnalysis.of(sim, 0).hostFloor.toMillis() / 1000.0);
        } finally {
            deleteTree(sockets);
        }
    }

    /** /proc/loadavg's first three fields: how busy the machine was (the README shows it with the table). */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    String loadAtStart = loadAverage();

    String report(List<Result> results, List<Integer> sizes, List<Integer> sequential, Instant began) {
        StringBuilder s = new StringBuilder("# one-fed-upgrade benchmark\n\n");
        s.append("Taken ").append(DateTimeFormatter.ISO_INSTANT.format(began)).append(" on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch"))
                .append(", Java ").append(System.getProperty("java.version")).append(". Every simulated command takes L = ")
                .append(latency.toMillis()).append(" ms; service JVM options ").append(ServiceProcess.JVM_OPTIONS)
                .append("; the simulated federation runs on the same machine (its SSH servers and shells share the cores).")
                .append(overrides().isEmpty() ? "" : " Service properties changed for an experiment (not the shipped"
                        + " defaults): " + overrides() + ".")
                .append(" Load average (1, 5, 15 min) at the start: ").append(loadAtStart).append(", now: ").append(loadAverage())
                .append(".\n\n");
        s.append("| slaves | DB | max parallel | wall s | floor s | floor (hosts) s | overhead | sequential wall s | speed-up |"
                + " step delay median ms | p95 ms | steps measured | start-up s | peak heap MB | peak RSS MB |"
                + " incidents | locking failures logged | state |\n");
        s.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Result r : results) {
            // one slave runs the same way either way: no baseline of its own
            Result seq = r.slaves() == 1 ? null : results.stream().filter(x -> x != r && x.slaves() == r.slaves()
                    && x.maxParallel() == 1 && x.db().equals("H2")).findFirst().orElse(null);
            boolean parallel = isParallel(r);
            String overhead = parallel ? String.format("%.1f %%", overhead(r) * 100) : "n/a";
            String seqWall = seq == null ? (r.maxParallel() == 1 ? "-" : "not run") : String.format("%.1f", seq.wallSeconds());
            String speedUp = seq == null || r.maxParallel() == 1 ? "-" : String.format("%.2f x", seq.wallSeconds() / r.wallSeconds());
            s.append(String.format("| %d | %s | %d | %.1f | %s | %s | %s | %s | %s | %d | %d | %d | %.1f | %d | %d | %d | %d | %s |%n",
                    r.slaves(), r.db(), r.maxParallel(), r.wallSeconds(), parallel ? String.format("%.1f", r.floorSeconds()) : "-",
                    parallel ? String.format("%.1f", r.hostFloorSeconds()) : "-",
                    overhead, seqWall, speedUp, RunAnalysis.percentile(r.delays(), 0.5),
                    RunAnalysis.percentile(r.delays(), 0.95), r.delays().size(), r.startupSeconds(),
                    r.peakHeap() >> 20, r.peakRss() >> 20, r.incidents(), r.lockingFailuresLogged(), r.state()));
        }
        s.append("\nWhat the service costs, whatever the simulator beside it does (CPU of the service process from"
                + " /proc/<pid>/stat, utime + stime, from the start request to the end; zone steps: the detached runs the"
                + " hosts saw, one per remote step and server; the CPU includes the preflight and what the benchmark's own"
                + " polls cost: the progress page, the two reads below, the approvals and the heap sampler's scrape"
                + " twice a second; the split by thread, from /proc/<pid>/task (ThreadCpu): engine = the job executor, SSH"
                + " sessions and connects, background reads; web = HTTP requests and the status probes they start;"
                + " GC = the collector's threads and the VM thread; JIT = the compilers; unsampled = threads that ended"
                + " between two samples; simulator CPU = the benchmark's JVM and the shells it waited for (the simulated"
                + " hosts' SSH servers and commands, the polls); machine CPU = every process on the machine (/proc/stat,"
                + " MachineCpu): besides the two above, the simulated hosts' detached wrappers and the commands they run,"
                + " which are nobody's waited-for children; kernel = its system and interrupt share (forks and execs of"
                + " the simulated hosts' shells, context switches); cores busy = machine CPU / wall; saturated = the share"
                + " of 250 ms samples with under 5 % of the cores idle: there, every thread of the service and of the"
                + " simulated hosts waits for a core, and a step boundary waits with them; heap and RSS: the run's peaks"
                + " divided by the zones), and"
                + " what an operator's reads cost during the run (each polled once a second on a thread of its own):\n\n"
                + "| slaves | DB | max parallel | CPU s | engine / web / GC / JIT / other / unsampled s | simulator CPU s"
                + " | machine CPU s (kernel s) | cores busy | saturated | zone steps"
                + " | CPU ms / zone step | engine CPU ms / zone step | longest job s | heap MB / zone | RSS MB / zone |"
                + " GET /api/upgrades/{id} median / p95 / max ms (calls, not 200) |"
                + " GET /api/federation/status median / p95 / max ms (calls, not 200) |\n"
                + "|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (Result r : results) {
            s.append(String.format("| %d | %s | %d | %.1f | %s | %.1f | %.1f (%.1f) | %.2f of %d | %.0f %% | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %s | %s |%n",
                    r.slaves(), r.db(), r.maxParallel(), r.cpuSeconds(), cpuGroups(r), r.simulatorCpuSeconds(),
                    r.machine().busySeconds(), r.machine().systemSeconds(), r.machine().busySeconds() / r.wallSeconds(),
                    Runtime.getRuntime().availableProcessors(), 100 * r.machine().saturatedShare(), r.zoneSteps(), r.cpuMsPerZoneStep(),
                    r.engineCpuMsPerZoneStep(), r.longestJobSeconds(),
                    r.peakHeap() / 1048576.0 / r.zones(), r.peakRss() / 1048576.0 / r.zones(),
                    reads(r.upgradeReads()), reads(r.statusReads())));
        }
        s.append("\nThe peer, Ansible (Debian's ansible-core), on a fresh simulated federation of the same size and L:"
                + " a playbook generated from the plan the service ran (AnsiblePlaybook), forks = zones, SSH pipelining"
                + " on; wall = the ansible-playbook process, start-up included. Ratio = service wall / Ansible wall"
                + " (below 1: the service is faster). Simulated commands: what the hosts' commands.log counted in each"
                + " run (the service adds its read-only probes)."
                + " Ansible's floor (hosts): the same path from its own run's command stamps; overhead as the service's.\n\n"
                + "| slaves | service wall s | Ansible wall s | ratio service / Ansible | Ansible floor (hosts) s |"
                + " Ansible overhead | simulated commands, service | simulated commands, Ansible | ansible-playbook exit |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            if (r.ansible() != null) {
                s.append(String.format("| %d | %.1f | %.1f | %.2f | %.1f | %.1f %% | %d | %d | %d |%n", r.slaves(),
                        r.wallSeconds(), r.ansible().wallSeconds(), r.wallSeconds() / r.ansible().wallSeconds(),
                        r.ansibleHostFloorSeconds(), (r.ansible().wallSeconds() / r.ansibleHostFloorSeconds() - 1) * 100,
                        r.commands(),
                        r.ansibleCommands(), r.ansible().exitCode()));
            }
        }
        s.append("\n").append(targets(results));
        s.append("\nFloor = L x (the master's simulated commands + the most commands any slave runs after the master's last"
                + " one, on the front-ends: the hypervisor hosts' commands take no L); the simulated oned answers at once"
                + " after a start, so no API wait is added. Floor (hosts): the same path, each command of a zone's hosts"
                + " (front-end and hypervisor hosts) counted from its start to its exit stamp as the host logged them"
                + " (command-times.log), commands side by side once, so the simulator's own forks around L count as"
                + " command time. Overhead = wall / floor (hosts) - 1 (wall: the federation process's start to end in the"
                + " engine's history). Step delay: from the end of one step's detached runs to the start of the zone's"
                + " next step (on any of its hosts: the node upgrade runs on the hypervisor hosts), less the time the"
                + " zone's hosts spent in commands in between; the gaps that wait for other zones by design (the join"
                + " after the stop, a slave's restore waiting for the master's federated backup) are left out.");
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
            s.append("\nSequential baselines not run for ").append(notRun).append(" slaves: they take about N x the"
                    + " measured per-slave time (N x 20 commands x L, 100 slaves: over 15 minutes at L = 500 ms), which"
                    + " would push the whole benchmark far past 25 minutes; the parallel runs alone show the scaling.");
        }
        for (String section : extraSections) {
            s.append('\n').append(section).append('\n');
        }
        s.append('\n');
        return s.toString();
    }

    static boolean isParallel(Result r) {
        return r.maxParallel() > 1 || r.slaves() == 1;
    }

    static double overhead(Result r) {
        return r.wallSeconds() / r.hostFloorSeconds() - 1;
    }

    static String reads(ReadLatency.Reads r) {
        if (r == null || r.millis().isEmpty()) {
            return "-";
        }
        return String.format("%d / %d / %d (%d, %d)", RunAnalysis.percentile(r.millis(), 0.5),
                RunAnalysis.percentile(r.millis(), 0.95), max(r.millis()), r.millis().size(), r.failures());
    }

    static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    /**
     * One row per reach item of issue 15: the target, what this invocation measured and whether it is met
     * ("not run" when the invocation had no run for it). The resume rows come from {@link #extraTargetRows}.
     */
    String targets(List<Result> results) {
        List<String[]> rows = new ArrayList<>();
        String l = latency.toMillis() == 500 ? "" : " (this run: L = " + latency.toMillis() + " ms, the target is for 500 ms)";
        for (int[] t : new int[][] {{10, 10}, {100, 25}}) {
            Result r = parallelH2(results, t[0]);
            rows.add(r == null ? notRun("overhead over the floor (hosts) <= " + t[1] + " % at " + t[0] + " slaves, L = 500 ms")
                    : row("overhead over the floor (hosts) <= " + t[1] + " % at " + t[0] + " slaves, L = 500 ms",
                            String.format("%.1f %%%s", overhead(r) * 100, l), overhead(r) * 100 <= t[1]));
        }
        List<Result> upTo10 = results.stream().filter(r -> r.slaves() <= 10 && !r.delays().isEmpty()).toList();
        if (upTo10.isEmpty()) {
            rows.add(notRun("step-to-step delay median < 50 ms up to 10 slaves"));
            rows.add(notRun("step-to-step delay p95 < 150 ms up to 10 slaves"));
        } else {
            long med = upTo10.stream().mapToLong(r -> RunAnalysis.percentile(r.delays(), 0.5)).max().orElse(-1);
            long p95 = upTo10.stream().mapToLong(r -> RunAnalysis.percentile(r.delays(), 0.95)).max().orElse(-1);
            rows.add(row("step-to-step delay median < 50 ms up to 10 slaves", "worst run: " + med + " ms", med < 50));
            rows.add(row("step-to-step delay p95 < 150 ms up to 10 slaves", "worst run: " + p95 + " ms", p95 < 150));
        }
        double cpu = results.stream().mapToDouble(Result::cpuMsPerZoneStep).max().orElse(-1);
        rows.add(results.isEmpty() ? notRun("service CPU per zone step < 20 ms")
                : row("service CPU per zone step < 20 ms", String.format("worst run: %.1f ms", cpu), cpu < 20));
        double longest = results.stream().mapToDouble(Result::longestJobSeconds).max().orElse(-1);
        rows.add(results.isEmpty() ? notRun("longest job under half the lock time (10 s of 20 s), the upgrade runs")
                : row("longest job under half the lock time (10 s of 20 s), the upgrade runs (lock to commit)",
                        String.format("worst run: %.1f s", longest), longest < 10));
        double engine = results.stream().mapToDouble(Result::engineCpuMsPerZoneStep).max().orElse(-1);
        rows.add(results.isEmpty() ? notRun("service CPU per zone step < 20 ms, the upgrade's own threads only")
                : row("service CPU per zone step < 20 ms, the upgrade's own threads only (no reads served)",
                        String.format("worst run: %.1f ms", engine), engine < 20));
        Result hundred = parallelH2(results, 100);
        rows.add(hundred == null ? notRun("100 slaves complete, no incident, heap <= 512 MB, RSS <= 700 MB")
                : row("100 slaves complete, no incident, heap <= 512 MB, RSS <= 700 MB",
                        String.format("%s, %d incidents, heap %d MB, RSS %d MB", hundred.state(), hundred.incidents(),
                                hundred.peakHeap() >> 20, hundred.peakRss() >> 20),
                        hundred.state().equals("completed") && hundred.incidents() == 0
                                && hundred.peakHeap() <= 512L << 20 && hundred.peakRss() <= 700L << 20));
        List<Result> peers = results.stream().filter(r -> r.ansible() != null).toList();
        if (peers.isEmpty()) {
            rows.add(notRun("faster than Ansible at every size (ratio < 1)"));
        } else {
            StringBuilder m = new StringBuilder();
            boolean all = true;
            for (Result r : peers) {
                double ratio = r.wallSeconds() / r.ansible().wallSeconds();
                all &= ratio < 1 && r.ansible().exitCode() == 0;
                m.append(m.isEmpty() ? "" : ", ").append(r.slaves()).append(String.format(" slaves %.2f", ratio));
            }
            rows.add(row("faster than Ansible at every size (ratio < 1)", m.toString(), all));
        }
        if (hundred == null) {
            rows.add(notRun("GET /api/upgrades/{id} and /api/federation/status < 500 ms at 100 zones (max)"));
        } else {
            long worst = Math.max(max(hundred.upgradeReads().millis()), max(hundred.statusReads().millis()));
            boolean ok = worst >= 0 && worst < 500 && hundred.upgradeReads().failures() == 0
                    && hundred.statusReads().failures() == 0;
            rows.add(row("GET /api/upgrades/{id} and /api/federation/status < 500 ms at 100 zones (max)",
                    "upgrade " + reads(hundred.upgradeReads()) + "; status " + reads(hundred.statusReads()), ok));
        }
        if (extraTargetRows.isEmpty()) {
            rows.add(new String[] {"resume within 30 s of a restart; take-over within 60 s in a cluster",
                    "not measured (-Dbench.resume=false)", "not run"});
        } else {
            rows.addAll(extraTargetRows);
        }
        StringBuilder s = new StringBuilder("Issue 15's targets:\n\n| target | measured | met |\n|---|---|---|\n");
        for (String[] r : rows) {
            s.append("| ").append(r[0]).append(" | ").append(r[1]).append(" | ").append(r[2]).append(" |\n");
        }
        return s.toString();
    }

    static Result parallelH2(List<Result> results, int slaves) {
        return results.stream().filter(r -> r.slaves() == slaves && r.db().equals("H2") && isParallel(r)).findFirst()
                .orElse(null);
    }

    static String[] row(String target, String measured, boolean met) {
        return new String[] {target, measured, met ? "met" : "not met"};
    }

    static String[] notRun(String target) {
        return new String[] {target, "-", "not run"};
    }

    /** -Dbench.service.<property>=<value>: service properties set for an experiment, named in results.md. */
    private static Map<String, String> overrides() {
        Map<String, String> m = new java.util.TreeMap<>();
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith("bench.service.")) {
                m.put(k.substring("bench.service.".length()), System.getProperty(k));
            }
        }
        return m;
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

        /** The plan the upgrade ran: its {@code plan} file variable, as approved (package versions pinned). */
        Plan plan(String id) {
            JsonNode list = call(OPERATOR1, "GET", "/engine-rest/history/process-instance?processDefinitionKey=federation-upgrade"
                    + "&processInstanceBusinessKey=" + URLEncoder.encode(id, StandardCharsets.UTF_8), null, 200);
            String pid = list.get(0).get("id").asText();
            JsonNode vars = call(OPERATOR1, "GET", "/engine-rest/history/variable-instance?variableName=plan"
                    + "&deserializeValues=false&processInstanceId=" + pid, null, 200);
            for (JsonNode v : vars) {
                if (v.get("taskId").isNull()) {
                    JsonNode data = call(OPERATOR1, "GET", "/engine-rest/history/variable-instance/" + v.get("id").asText()
                            + "/data", null, 200);
                    try {
                        return PLAN_JSON.treeToValue(data, Plan.class);
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new IllegalStateException("the plan of upgrade " + id + " is not a Plan: " + e.getMessage(), e);
                    }
                }
            }
            throw new AssertionError("upgrade " + id + " has no plan variable in its history");
        }

        static final com.fasterxml.jackson.databind.ObjectMapper PLAN_JSON = new com.fasterxml.jackson.databind.ObjectMapper()
                .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

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
