package io.onefed.upgrade.benchmark;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The service's CPU split by what its threads do, from {@code /proc/<pid>/task/<tid>/stat}: the upgrade's own work
 * (job executor, SSH sessions and connects, background reads), serving HTTP requests (the benchmark's polls, the
 * operators' reads), and the JVM itself (GC with the VM thread, JIT compilers). A thread's CPU is known only while it lives, so the service
 * process is sampled twice a second and each thread keeps its last figure; what threads that ended between two
 * samples used is in the process total only, reported as "unsampled".
 */
final class ThreadCpu {

    /** What a thread does, by the name Java gave it (Linux keeps its first 15 characters as the task's comm). */
    static String group(String comm) {
        if (comm.startsWith("camundaTaskExe") || comm.startsWith("JobExecutor[") || comm.startsWith("ssh-connect")
                || comm.startsWith("Connect thread") || comm.startsWith("preflight-read") || comm.startsWith("webhook-")) {
            return "engine";
        }
        if (comm.startsWith("http-nio-") || comm.startsWith("federation-stat")) {
            return "web";
        }
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("VM Thread")) {
            return "gc";
        }
        if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
            return "jit";
        }
        return "other";
    }

    private final long pid;
    /** Last ticks seen per thread id, with its group. */
    private final Map<String, Long> ticks = new ConcurrentHashMap<>();
    private final Map<String, String> groups = new ConcurrentHashMap<>();

    ThreadCpu(long pid) {
        this.pid = pid;
    }

    /** Reads every live thread's ticks. */
    void sample() {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String line = Files.readString(task.resolve("stat"));
                    String tid = task.getFileName().toString();
                    groups.computeIfAbsent(tid, t -> group(comm(line)));
                    ticks.merge(tid, ServiceProcess.cpuTicks(line), Math::max);
                } catch (IOException e) {
                    // the thread ended while read: its last sample stands
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** Seconds per group so far (engine, web, gc, jit, other). */
    Map<String, Double> secondsByGroup() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String g : new String[] {"engine", "web", "gc", "jit", "other"}) {
            out.put(g, 0.0);
        }
        double hz = ServiceProcess.clockTicks();
        ticks.forEach((tid, t) -> out.merge(groups.getOrDefault(tid, "other"), t / hz, Double::sum));
        return out;
    }

    /** The command name of a stat line: between the first '(' and the last ')'. */
    static String comm(String statLine) {
        int open = statLine.indexOf('(');
        int close = statLine.lastIndexOf(')');
        if (open < 0 || close < open) {
            throw new IllegalArgumentException("not a /proc/<pid>/task/<tid>/stat line: " + statLine);
        }
        return statLine.substring(open + 1, close);
    }
}
