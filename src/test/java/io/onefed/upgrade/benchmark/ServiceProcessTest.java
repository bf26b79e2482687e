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
}
