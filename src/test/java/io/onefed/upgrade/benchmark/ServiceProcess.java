package io.onefed.upgrade.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service as operators run it: a JVM of its own (so its start-up time, heap and resident memory are its own,
 * not the benchmark's), configured by a properties file and, for PostgreSQL, by the environment (the password
 * never on a command line). Samples RSS from /proc and heap from the Prometheus endpoint while it runs.
 */
final class ServiceProcess implements AutoCloseable {

    /**
     * JVM options of the measured service ({@code bench.jvm-options}): by default a bounded heap like the container's
     * and the README's recommended {@code -XX:TieredStopAtLevel=1} (the container's image sets it too).
     */
    static final List<String> JVM_OPTIONS = List.of(System.getProperty("bench.jvm-options",
            "-Xms64m -Xmx512m -XX:TieredStopAtLevel=1").trim()
            .split("\\s+"));

    private static final Pattern HEAP = Pattern.compile("^jvm_memory_used_bytes\\{area=\"heap\"[^}]*} ([0-9.eE+]+)$",
            Pattern.MULTILINE);

    private static final Pattern LONGEST_JOB = Pattern.compile("^onefed_job_hold_longest_seconds(?:\\{[^}]*})? ([0-9.eE+]+)$",
            Pattern.MULTILINE);

    final int port;
    final Path log;
    final double startupSeconds;
    private final Process process;
    private final Thread sampler;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile long peakHeap;
    private volatile long peakRss;
    private volatile long lastHeap;
    /** The service's longest job hold (lock to commit) at the last scrape, seconds. */
    private volatile double longestJob;
    private volatile boolean stopping;
    /** HTTP Basic header for /actuator/prometheus (it needs a login), or null. */
    private volatile String scrapeAuthorization;
    /** The service's CPU per thread group, sampled with the heap. */
    private final ThreadCpu threadCpu;

    private ServiceProcess(Process process, int port, Path log, double startupSeconds) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.startupSeconds = startupSeconds;
        this.threadCpu = new ThreadCpu(process.pid());
        this.sampler = new Thread(this::sample, "bench-sampler");
        this.sampler.setDaemon(true);
        this.sampler.start();
        // a benchmark stopped half-way (Ctrl-C, Maven timeout) must not leave the service running
        this.hook = new Thread(process::destroyForcibly, "bench-service-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private final Thread hook;

    /**
     * Starts the service with {@code properties} in {@code dir} and waits until its health endpoint is UP.
     *
     * @param env extra environment (PostgreSQL URL, user and password)
     * @param jfr a JFR recording file to write, or null
     */
    static ServiceProcess start(Path dir, Map<String, Object> properties, Map<String, String> env, Path jfr) {
        try {
            Files.createDirectories(dir);
            int port = freePort();
            Properties p = new Properties();
            properties.forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
            p.setProperty("server.port", Integer.toString(port));
            Path file = dir.resolve("service.properties");
            try (Writer w = Files.newBufferedWriter(file)) {
                p.store(w, "one-fed-upgrade benchmark run");
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(JVM_OPTIONS);
            if (jfr != null) {
                // deep stacks: the engine's call chains pass 64 frames (JFR's default), which cut off the delegate
                cmd.add("-XX:FlightRecorderOptions:stackdepth=512");
                cmd.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,dumponexit=true");
            }
            cmd.add("-cp");
            cmd.add(classPath());
            cmd.add("io.onefed.upgrade.OneFedUpgradeApplication");
            cmd.add("--spring.config.additional-location=file:" + file);
            Path log = dir.resolve("service.log");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("FEDERATION_CONFIG", dir.resolve("no-federation.yaml").toString());
            pb.environment().putAll(env);
            long t0 = System.nanoTime();
            Process proc = pb.start();
            HttpClient http = HttpClient.newHttpClient();
            long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
            while (true) {
                if (!proc.isAlive()) {
                    throw new IllegalStateException("the service exited with " + proc.exitValue() + " while starting; see "
                            + log);
                }
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/actuator/health")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200 && r.body().contains("\"UP\"")) {
                        break;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    proc.destroyForcibly();
                    throw new IllegalStateException("the service did not report UP within 120 s; see " + log);
                }
                Thread.sleep(50);
            }
            double startup = (System.nanoTime() - t0) / 1e9;
            return new ServiceProcess(proc, port, log, startup);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The test class path as surefire gives it (the service's own classes and dependencies, nothing added). */
    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    /** The login the heap sampler scrapes /actuator/prometheus with (any role, or one in the metrics group). */
    void scrapeAs(String user, String password) {
        scrapeAuthorization = "Basic " + java.util.Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private void sample() {
        while (!stopping && process.isAlive()) {
            peakRss = Math.max(peakRss, rssBytes());
            threadCpu.sample();
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/actuator/prometheus")).timeout(Duration.ofSeconds(5));
                String auth = scrapeAuthorization;
                if (auth != null) {
                    request.header("Authorization", auth);
                }
                HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                Matcher m = HEAP.matcher(r.body());
                long heap = 0;
                while (m.find()) {
                    heap += (long) Double.parseDouble(m.group(1));
                }
                peakHeap = Math.max(peakHeap, heap);
                Matcher longest = LONGEST_JOB.matcher(r.body());
                if (longest.find()) {
                    longestJob = Math.max(longestJob, Double.parseDouble(longest.group(1)));
                }
                lastHeap = heap;
                Thread.sleep(500);
            } catch (IOException e) {
                // the service is busy or stopping: next sample
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Current resident set from /proc (Linux). */
    private long rssBytes() {
        return procStatus("VmRSS:");
    }

    private long procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // process gone
        }
        return 0;
    }

    /**
     * CPU the service process has used so far (user + system, all its threads), from {@code /proc/<pid>/stat}:
     * what the service costs whatever the simulator next to it does.
     */
    double cpuSeconds() {
        try {
            return cpuTicks(Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"))) / (double) clockTicks();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the service's CPU time from /proc (Linux only)", e);
        }
    }

    /** CPU seconds per thread group so far ({@link ThreadCpu}), sampled now. */
    Map<String, Double> cpuSecondsByGroup() {
        threadCpu.sample();
        return threadCpu.secondsByGroup();
    }

    /**
     * CPU this JVM and the children it has waited for have used so far: the simulated federation (its SSH servers
     * run here, the shells they start are its children), and the benchmark's own HTTP polls. From
     * {@code /proc/self/stat}, utime + stime + cutime + cstime (fields 14 to 17).
     */
    static double simulatorCpuSeconds() {
        try {
            String line = Files.readString(Path.of("/proc/self/stat"));
            String[] f = line.substring(line.lastIndexOf(')') + 1).trim().split("\\s+");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]))
                    / (double) clockTicks();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read this JVM's CPU time from /proc (Linux only)", e);
        }
    }

    /**
     * utime + stime (fields 14 and 15 of proc(5)'s stat line) in clock ticks. The command name (field 2) is in
     * parentheses and may hold spaces and parentheses, so fields are counted after its last ')'.
     */
    static long cpuTicks(String statLine) {
        int close = statLine.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + statLine);
        }
        String[] f = statLine.substring(close + 1).trim().split("\\s+");
        // f[0] is field 3 (state): utime is field 14, stime field 15
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long clockTicks;

    /** The kernel's USER_HZ ({@code getconf CLK_TCK}, 100 on every Linux we know). */
    static synchronized long clockTicks() {
        if (clockTicks == 0) {
            try {
                Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                p.waitFor(10, TimeUnit.SECONDS);
                clockTicks = Long.parseLong(out);
            } catch (IOException | NumberFormatException e) {
                throw new IllegalStateException("getconf CLK_TCK failed: the CPU time of the service cannot be read", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return clockTicks;
    }

    /** Heap in use now (the Prometheus scrape's last sample is the sampler's; this one asks). */
    long heapNowBytes() {
        return lastHeap;
    }

    /** Resident set now. */
    long rssNowBytes() {
        return rssBytes();
    }

    /** Peak resident set: the kernel's high-water mark (VmHWM), which also catches spikes between samples. */
    long peakRssBytes() {
        return Math.max(peakRss, procStatus("VmHWM:"));
    }

    /** The longest job hold the service reported (onefed_job_hold_longest_seconds), as of the last scrape. */
    double longestJobSeconds() {
        return longestJob;
    }

    long peakHeapBytes() {
        return peakHeap;
    }

    /** Lines of the service log that contain {@code text}. */
    long logCount(String text) {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(text)).count();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        stopping = true;
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook stops it
        }
        long hwm = procStatus("VmHWM:");
        peakRss = Math.max(peakRss, hwm);
        sampler.interrupt();
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
