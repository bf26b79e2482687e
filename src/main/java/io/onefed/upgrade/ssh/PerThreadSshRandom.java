package io.onefed.upgrade.ssh;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * JSch's source of random bytes (its {@code random} setting): a generator per thread. JSch keeps one instance for
 * the whole JVM and fills every packet's padding, on every session, while holding that instance's monitor
 * ({@code Packet.padding}, {@code synchronized (random)}). Its default, {@code com.jcraft.jsch.jce.Random}, is a
 * {@code new SecureRandom()}: NativePRNG, behind a second JVM-wide lock, reading /dev/urandom and mixing with SHA1.
 * At 100 zones on 2 cores that monitor was the service's most contended lock: a JFR recording of the benchmark
 * counted about 3,900 s of threads blocked on it in a 296 s run (over a second per wait), and every channel open,
 * command and close queued behind it, since the channel's and the session's write locks are held around the write.
 * Here a fill copies from the calling thread's own bytes, drawn from its own generator a few kilobytes at a time,
 * so the monitor is held for an array copy, and only one fill in a hundred or more pays for a draw. (With a draw per
 * fill, the 100-zone run still showed threads queued on that monitor for seconds: a holder descheduled while it
 * hashed, on 2 cores, stalls every session's writes.)
 * <p>
 * Each generator is a {@code DRBG} (NIST SP 800-90A, Hash_DRBG with SHA-256, the JDK's default DRBG), seeded by the
 * JDK from the system's entropy when the thread first needs it: the padding stays cryptographically random, as
 * RFC 4253 section 6 asks.
 */
public final class PerThreadSshRandom implements com.jcraft.jsch.Random {

    /** Bytes drawn per refill: a packet's padding is 4 to 255 bytes, so one draw pads a hundred packets or more. */
    static final int DRAW = 8192;

    private static final ThreadLocal<Pad> PAD = ThreadLocal.withInitial(() -> new Pad(drbg()));

    /** JSch creates its instance by reflection, from the class name set as its {@code random} configuration. */
    public PerThreadSshRandom() {
    }

    @Override
    public void fill(byte[] into, int start, int len) {
        if (len <= 0) {
            return;
        }
        // the padding goes into the middle of a packet's buffer
        PAD.get().take(into, start, len);
    }

    /** One thread's drawn bytes; each byte is handed out once. */
    private static final class Pad {
        private final SecureRandom generator;
        private final byte[] bytes = new byte[DRAW];
        private int next = DRAW;

        Pad(SecureRandom generator) {
            this.generator = generator;
        }

        void take(byte[] into, int start, int len) {
            while (len > 0) {
                if (next == DRAW) {
                    generator.nextBytes(bytes);
                    next = 0;
                }
                int n = Math.min(len, DRAW - next);
                System.arraycopy(bytes, next, into, start, n);
                next += n;
                start += n;
                len -= n;
            }
        }
    }

    private static SecureRandom drbg() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            // every JDK since 9 has it; without it SSH must not run with weaker padding
            throw new IllegalStateException("the JDK offers no DRBG SecureRandom, needed for SSH packet padding", e);
        }
    }
}
