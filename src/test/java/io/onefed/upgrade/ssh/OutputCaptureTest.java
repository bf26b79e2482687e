package io.onefed.upgrade.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OutputCaptureTest {

    @Test
    void keepsExactlyTheLastBytesWhateverTheChunkSizes() throws Exception {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            int cap = 1 + random.nextInt(64);
            MessageDigest d = OutputCapture.sha256();
            OutputCapture out = OutputCapture.digesting(cap, d);
            OutputCapture err = OutputCapture.keepingAll(cap);
            ByteArrayOutputStream allOut = new ByteArrayOutputStream();
            ByteArrayOutputStream allErr = new ByteArrayOutputStream();
            int chunks = random.nextInt(20);
            for (int i = 0; i < chunks; i++) {
                byte[] chunk = new byte[random.nextInt(3 * cap + 1)];
                random.nextBytes(chunk);
                boolean toErr = random.nextBoolean();
                (toErr ? err : out).write(chunk, 0, chunk.length);
                (toErr ? allErr : allOut).write(chunk);
            }
            assertThat(out.tailBytes()).isEqualTo(tail(allOut.toByteArray(), cap));
            assertThat(err.tailBytes()).isEqualTo(tail(allErr.toByteArray(), cap));
            assertThat(out.truncated()).isEqualTo(allOut.size() > cap);
            err.replayInto(d);
            MessageDigest expected = MessageDigest.getInstance("SHA-256");
            expected.update(allOut.toByteArray());
            expected.update(allErr.toByteArray());
            assertThat(OutputCapture.hex(d)).isEqualTo(HexFormat.of().formatHex(expected.digest()));
            err.release();
        }
    }

    private static byte[] tail(byte[] all, int cap) {
        return java.util.Arrays.copyOfRange(all, Math.max(0, all.length - cap), all.length);
    }
}
