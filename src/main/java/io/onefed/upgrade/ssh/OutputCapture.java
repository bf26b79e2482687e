package io.onefed.upgrade.ssh;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Captures one output stream of a remote command: keeps the last {@code cap} bytes, counts all of them and lets
 * the SHA-256 of the full output be computed. stdout feeds the digest as it arrives; stderr must follow stdout
 * in the digest, so it is kept whole (in memory up to {@code cap}, then in a temp file deleted by {@link #close}).
 */
final class OutputCapture extends OutputStream {

    private final int cap;
    /** Grows on demand up to {@code cap}: most commands print little, and a hundred zones poll at once. */
    private byte[] ring;
    private final MessageDigest digest;
    private long total;
    private ByteArrayOutputStream memory;
    private Path spillFile;
    private OutputStream spill;

    private OutputCapture(int cap, MessageDigest digest, boolean keepAll) {
        this.cap = cap;
        this.ring = new byte[Math.min(cap, 4096)];
        this.digest = digest;
        this.memory = keepAll ? new ByteArrayOutputStream() : null;
    }

    /** Feeds {@code digest} as bytes arrive. */
    static OutputCapture digesting(int cap, MessageDigest digest) {
        return new OutputCapture(cap, digest, false);
    }

    /** Keeps everything, to be appended to a digest later with {@link #replayInto}. */
    static OutputCapture keepingAll(int cap) {
        return new OutputCapture(cap, null, true);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        if (digest != null) {
            digest.update(b, off, len);
        }
        if (memory != null || spill != null) {
            keep(b, off, len);
        }
        ensureCapacity(total + len);
        // only the last cap bytes can survive; each lands at its position modulo cap
        int skip = Math.max(0, len - cap);
        long at = total + skip;
        int from = off + skip;
        int left = len - skip;
        while (left > 0) {
            int pos = (int) (at % cap);
            int n = Math.min(left, cap - pos);
            System.arraycopy(b, from, ring, pos, n);
            at += n;
            from += n;
            left -= n;
        }
        total += len;
    }

    /** Until the output reaches cap it lies at [0, total), so growing keeps every byte at its position. */
    private void ensureCapacity(long needed) {
        if (ring.length >= cap || needed <= ring.length) {
            return;
        }
        long grown = Math.max(needed, 2L * ring.length);
        ring = java.util.Arrays.copyOf(ring, (int) Math.min(cap, grown));
    }

    private void keep(byte[] b, int off, int len) {
        try {
            if (memory != null && memory.size() + len > cap) {
                spillFile = Files.createTempFile("one-fed-upgrade-stderr", ".tmp");
                spill = Files.newOutputStream(spillFile);
                memory.writeTo(spill);
                memory = null;
            }
            if (memory != null) {
                memory.write(b, off, len);
            } else {
                spill.write(b, off, len);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep command output for its digest", e);
        }
    }

    synchronized long total() {
        return total;
    }

    synchronized boolean truncated() {
        return total > cap;
    }

    /** The last {@code cap} bytes, as text. */
    String tail() {
        return new String(tailBytes(), StandardCharsets.UTF_8);
    }

    /** The last {@code cap} bytes. */
    synchronized byte[] tailBytes() {
        int n = (int) Math.min(total, cap);
        byte[] out = new byte[n];
        if (total <= cap) {
            System.arraycopy(ring, 0, out, 0, n);
        } else {
            int pos = (int) (total % cap);
            System.arraycopy(ring, pos, out, 0, cap - pos);
            System.arraycopy(ring, 0, out, cap - pos, pos);
        }
        return out;
    }

    synchronized void replayInto(MessageDigest target) {
        try {
            if (memory != null) {
                target.update(memory.toByteArray());
            } else if (spill != null) {
                spill.flush();
                try (InputStream in = Files.newInputStream(spillFile)) {
                    byte[] buf = new byte[65536];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        target.update(buf, 0, n);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kept command output for its digest", e);
        }
    }

    static String hex(MessageDigest d) {
        return HexFormat.of().formatHex(d.digest());
    }

    /** Deletes the spill file; JSch's own close at end of stream must not do it, so this is separate. */
    synchronized void release() {
        try {
            if (spill != null) {
                spill.close();
                Files.deleteIfExists(spillFile);
                spill = null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + spillFile, e);
        }
    }
}
