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
 * Here a fill uses the calling thread's own generator, so the monitor is held for the microseconds of one hash.
 * <p>
 * Each generator is a {@code DRBG} (NIST SP 800-90A, Hash_DRBG with SHA-256, the JDK's default DRBG), seeded by the
 * JDK from the system's entropy when the thread first needs it: the padding stays cryptographically random, as
 * RFC 4253 section 6 asks.
 */
public final class PerThreadSshRandom implements com.jcraft.jsch.Random {

    private static final ThreadLocal<SecureRandom> GENERATOR = ThreadLocal.withInitial(PerThreadSshRandom::drbg);

    /** JSch creates its instance by reflection, from the class name set as its {@code random} configuration. */
    public PerThreadSshRandom() {
    }

    @Override
    public void fill(byte[] into, int start, int len) {
        if (len <= 0) {
            return;
        }
        // the padding goes into the middle of a packet's buffer
        byte[] bytes = new byte[len];
        GENERATOR.get().nextBytes(bytes);
        System.arraycopy(bytes, 0, into, start, len);
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
