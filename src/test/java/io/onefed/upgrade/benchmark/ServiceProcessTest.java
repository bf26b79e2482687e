package io.onefed.upgrade.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The service's CPU time from /proc/<pid>/stat. */
class ServiceProcessTest {

    @Test
    void utimePlusStimeAreFields14And15CountedAfterTheCommandNameWhateverItHolds() {
        // proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime ...
        String line = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 5000 0 12 0 1234 567 8 9 20 0 40 0 100 1 2";
        assertThat(ServiceProcess.cpuTicks(line)).isEqualTo(1234 + 567);
        assertThatThrownBy(() -> ServiceProcess.cpuTicks("garbage")).hasMessageContaining("not a /proc/<pid>/stat line");
    }

    @Test
    void thisJvmsOwnStatLineParsesAndGrowsWithWork() throws Exception {
        Path stat = Path.of("/proc/self/stat");
        long before = ServiceProcess.cpuTicks(Files.readString(stat));
        long until = System.nanoTime() + 300_000_000L;
        long x = 0;
        while (System.nanoTime() < until) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime());
        }
        assertThat(x).isNotNegative();
        assertThat(ServiceProcess.cpuTicks(Files.readString(stat))).isGreaterThan(before);
        assertThat(ServiceProcess.clockTicks()).isPositive();
    }

    @Test
    void threadsAreGroupedByTheNameJavaGaveThemAsLinuxKeepsIt() {
        String line = "4250 (camundaTaskExe) S 1 4242 4242 0 -1 4194560 50 0 0 0 300 20 0 0 20 0 40 0 100 1 2";
        assertThat(ThreadCpu.comm(line)).isEqualTo("camundaTaskExe");
        assertThat(ThreadCpu.group(ThreadCpu.comm(line))).isEqualTo("engine");
        assertThat(ThreadCpu.group("http-nio-36939-")).isEqualTo("web");
        assertThat(ThreadCpu.group("federation-stat")).isEqualTo("web");
        assertThat(ThreadCpu.group("C2 CompilerThre")).isEqualTo("jit");
        assertThat(ThreadCpu.group("GC Thread#0")).isEqualTo("gc");
        assertThat(ThreadCpu.group("main")).isEqualTo("other");
    }

    @Test
    void thisJvmsBusyThreadIsSampledUnderItsGroup() throws Exception {
        ThreadCpu cpu = new ThreadCpu(ProcessHandle.current().pid());
        // the thread samples while it lives: a thread's own CPU is readable only then
        Thread live = new Thread(() -> {
            long until = System.nanoTime() + 300_000_000L;
            long x = 0;
            while (System.nanoTime() < until) {
                x += Long.numberOfTrailingZeros(x + System.nanoTime());
            }
            cpu.sample();
        }, "http-nio-1-exec-2");
        live.start();
        live.join(10_000);
        assertThat(cpu.secondsByGroup().get("web")).as("CPU of the live http-nio thread").isGreaterThan(0.1);
    }
}
