package io.onefed.upgrade.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link PerThreadSshRandom}: the sessions the service opens pad their packets from it (JSch's JVM-wide default
 * serialised every packet of every session behind one lock), it fills exactly the range asked for, and threads
 * filling at once each get their own bytes.
 */
class PerThreadSshRandomTest {

    @Test
    void theServicesSessionsPadTheirPacketsWithIt() throws Exception {
        try (SshFixture fx = SshFixture.start("per-thread-random");
                JschSessions sessions = new JschSessions(fx.props(), SshFixture.secrets(Map.of()))) {
            JschRemoteShell shell = new JschRemoteShell(sessions, SshFixture.secrets(Map.of()));
            assertThat(shell.run(fx.target(), RemoteCommand.of("echo padded")).stdout()).isEqualTo("padded\n");
            // JSch keeps the instance of its first connect in a static field for every later session
            java.lang.reflect.Field f = com.jcraft.jsch.Session.class.getDeclaredField("random");
            f.setAccessible(true);
            assertThat(f.get(null)).isInstanceOf(PerThreadSshRandom.class);
            assertThat(com.jcraft.jsch.JSch.getConfig("random")).isEqualTo(PerThreadSshRandom.class.getName());
        }
    }

    @Test
    void aFillWritesTheRangeAskedForAndNothingAroundIt() {
        PerThreadSshRandom random = new PerThreadSshRandom();
        byte[] packet = new byte[300];
        Arrays.fill(packet, (byte) 7);
        random.fill(packet, 10, 255);
        for (int i = 0; i < 10; i++) {
            assertThat(packet[i]).as("byte %d before the range", i).isEqualTo((byte) 7);
        }
        for (int i = 265; i < 300; i++) {
            assertThat(packet[i]).as("byte %d after the range", i).isEqualTo((byte) 7);
        }
        // 255 random bytes all equal to the old ones: one chance in 256^255
        assertThat(Arrays.copyOfRange(packet, 10, 265)).isNotEqualTo(filled(255, (byte) 7));
        byte[] whole = new byte[16];
        random.fill(whole, 0, 16);
        assertThat(whole).isNotEqualTo(new byte[16]);
        random.fill(whole, 3, 0);
    }

    @Test
    void fillsAcrossAndBeyondOneDrawAreWholeAndNeverRepeatABlock() {
        PerThreadSshRandom random = new PerThreadSshRandom();
        // a fill larger than a draw, then fills that straddle the next draws' boundaries
        byte[] big = new byte[PerThreadSshRandom.DRAW * 2 + 17];
        random.fill(big, 0, big.length);
        Set<String> blocks = new HashSet<>();
        for (int i = 0; i + 16 <= big.length; i += 16) {
            assertThat(blocks.add(java.util.HexFormat.of().formatHex(big, i, i + 16))).as("16-byte block at %d", i).isTrue();
        }
        for (int k = 0; k < 200; k++) {
            byte[] pad = new byte[255];
            random.fill(pad, 0, 255);
            for (int i = 0; i + 16 <= 255; i += 16) {
                assertThat(blocks.add(java.util.HexFormat.of().formatHex(pad, i, i + 16)))
                        .as("fill %d, block at %d: bytes handed out twice", k, i).isTrue();
            }
        }
    }

    @Test
    void threadsFillingAtOnceGetBytesOfTheirOwn() throws Exception {
        PerThreadSshRandom random = new PerThreadSshRandom();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<List<String>>> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                tasks.add(() -> {
                    List<String> out = new ArrayList<>();
                    for (int i = 0; i < 500; i++) {
                        byte[] b = new byte[32];
                        random.fill(b, 0, 32);
                        out.add(java.util.HexFormat.of().formatHex(b));
                    }
                    return out;
                });
            }
            Set<String> seen = new HashSet<>();
            int total = 0;
            for (Future<List<String>> f : pool.invokeAll(tasks, 60, TimeUnit.SECONDS)) {
                List<String> got = f.get();
                total += got.size();
                seen.addAll(got);
            }
            assertThat(total).isEqualTo(4000);
            assertThat(seen).as("no two fills of 32 bytes alike, across threads").hasSize(4000);
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] filled(int n, byte b) {
        byte[] a = new byte[n];
        Arrays.fill(a, b);
        return a;
    }
}
