package io.onefed.upgrade.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The whole machine's CPU during a run, from {@code /proc/stat}'s first line (proc(5): user, nice, system, idle,
 * iowait, irq, softirq, steal, in clock ticks over all cores), sampled every 250 ms on a thread of its own.
 * The service's and the benchmark JVM's own counters miss the simulated hosts' detached processes (the wrappers
 * and the commands they run are nobody's waited-for children), and an average hides the bursts where every zone
 * starts commands at once: this counts all of it, and the share of samples in which no core was left idle.
 */
final class MachineCpu implements AutoCloseable {

    /** What a run used: CPU seconds of every process, the kernel's share of them, the time with the cores full. */
    record Use(double busySeconds, double systemSeconds, double saturatedShare) {
    }

    /** A sample with less than this share of the cores idle counts as saturated. */
    static final double SATURATED_BELOW_IDLE = 0.05;

    private final Path stat;
    private final Thread thread;
    private final long[] first;
    private long[] last;
    private int samples;
    private int saturated;
    private volatile boolean stop;

    MachineCpu() {
        this(Path.of("/proc/stat"));
    }

    MachineCpu(Path stat) {
        this.stat = stat;
        this.first = read();
        this.last = first;
        this.thread = new Thread(this::sample, "bench-machine-cpu");
        thread.setDaemon(true);
        thread.start();
    }

    private void sample() {
        while (!stop) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
            step(read());
        }
    }

    synchronized void step(long[] now) {
        long total = total(now) - total(last);
        long idle = idle(now) - idle(last);
        if (total > 0) {
            samples++;
            if (idle < SATURATED_BELOW_IDLE * total) {
                saturated++;
            }
        }
        last = now;
    }

    /** The use since the start (the samples so far; close stops sampling). */
    synchronized Use use() {
        long[] now = read();
        double ticks = ServiceProcess.clockTicks();
        long busy = (total(now) - idle(now)) - (total(first) - idle(first));
        long system = (now[2] + now[5] + now[6]) - (first[2] + first[5] + first[6]);
        return new Use(busy / ticks, system / ticks, samples == 0 ? 0 : saturated / (double) samples);
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** user, nice, system, idle, iowait, irq, softirq, steal of the "cpu" line. */
    private long[] read() {
        try {
            return parse(Files.readAllLines(stat).get(0));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the machine's CPU time from " + stat + " (Linux only)", e);
        }
    }

    static long[] parse(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        if (!f[0].equals("cpu") || f.length < 9) {
            throw new IllegalArgumentException("not the first line of /proc/stat: " + cpuLine);
        }
        long[] v = new long[8];
        for (int i = 0; i < 8; i++) {
            v[i] = Long.parseLong(f[i + 1]);
        }
        return v;
    }

    private static long total(long[] v) {
        long t = 0;
        for (long x : v) {
            t += x;
        }
        return t;
    }

    /** Idle and waiting for I/O: a core doing neither runs something. */
    private static long idle(long[] v) {
        return v[3] + v[4];
    }
}
