package io.onefed.upgrade.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MachineCpu}: busy and kernel seconds from /proc/stat's counters, and the share of saturated samples. */
class MachineCpuTest {

    @Test
    void countsEveryProcessesTimeAndTheSamplesWithNoCoreIdle(@TempDir Path dir) throws Exception {
        long hz = ServiceProcess.clockTicks();
        Path stat = dir.resolve("stat");
        // user nice system idle iowait irq softirq steal
        Files.writeString(stat, "cpu  100 0 50 1000 10 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8\n");
        try (MachineCpu cpu = new MachineCpu(stat)) {
            cpu.close();
            // 2 cores over one second each time: first fully busy (1.5 of them in the kernel), then half idle
            cpu.step(MachineCpu.parse("cpu  " + (100 + hz / 2) + " 0 " + (50 + 3 * hz / 2) + " 1000 10 0 0 0"));
            cpu.step(MachineCpu.parse("cpu  " + (100 + hz) + " 0 " + (50 + 3 * hz / 2) + " " + (1000 + hz) + " 10 0 0 0"));
            Files.writeString(stat, "cpu  " + (100 + hz) + " 0 " + (50 + 3 * hz / 2) + " " + (1000 + hz) + " 10 0 0 0\n");
            MachineCpu.Use use = cpu.use();
            assertThat(use.busySeconds()).isEqualTo(2.5, org.assertj.core.data.Offset.offset(0.05));
            assertThat(use.systemSeconds()).isEqualTo(1.5, org.assertj.core.data.Offset.offset(0.05));
            assertThat(use.saturatedShare()).isEqualTo(0.5);
        }
    }

    @Test
    void refusesALineThatIsNotTheMachinesTotal() {
        assertThatThrownBy(() -> MachineCpu.parse("cpu0 1 2 3 4 5 6 7 8")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not the first line of /proc/stat");
    }
}
