package io.onefed.upgrade.ssh;

import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.SftpException;
import com.jcraft.jsch.SftpProgressMonitor;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link FileTransfer} over SFTP, streamed through the orchestrator (nothing is written locally). The copy goes to
 * {@code <toPath>.part-<random>} (created 0600 first: backups hold the whole database), both hosts compute
 * {@code sha256sum}, and only equal digests let {@code mv} put the file in place; otherwise the partial copy is
 * deleted and the transfer fails. A big file goes in bounded pieces ({@link #copyPiece}), each appended to the part file.
 */
public class SftpFileTransfer implements FileTransfer {

    private static final Logger log = LoggerFactory.getLogger(SftpFileTransfer.class);
    private static final String PART = ".part-";
    private static final Duration MIN_CONNECT = Duration.ofSeconds(5);

    private final JschSessions sessions;
    private final RemoteShell shell;
    /** Tests only: alters the bytes between the hosts, to prove that a corrupted copy is caught. */
    private final UnaryOperator<InputStream> inTransit;

    public SftpFileTransfer(JschSessions sessions, RemoteShell shell) {
        this(sessions, shell, UnaryOperator.identity());
    }

    SftpFileTransfer(JschSessions sessions, RemoteShell shell, UnaryOperator<InputStream> inTransit) {
        this.sessions = sessions;
        this.shell = shell;
        this.inTransit = inTransit;
    }

    @Override
    public TransferResult copy(SshTarget from, String fromPath, SshTarget to, String toPath) {
        // one piece without a time limit: busy channels fail it (StillWaiting) instead of ending it without progress
        return piece(from, fromPath, to, toPath, null, null, Long.MAX_VALUE, null).done();
    }

    /**
     * Appends at most {@code maxBytes} (or what {@code maxTime} allows) to the part file, from the source's byte at
     * {@code resume.offset()}. A crash may have left more bytes in the part than the last committed piece recorded
     * (or a second taker of the same job wrote some): the part is cut back to the recorded offset first, so it is
     * always a prefix of the source. The whole file's digest is checked once, after the last piece; when the piece
     * has used its time by then, the next piece checks it ({@link Resume#copied}), so a job's work stays bounded.
     * Channels that stay busy (or a session still connecting) end the piece where it stood, nothing copied: the next
     * piece tries again, and no retry of the job is spent on a loaded host. With {@code sourceSha256}, a new copy
     * whose destination already holds a file of that digest is done at once (bytes -1).
     */
    @Override
    public Piece copyPiece(SshTarget from, String fromPath, SshTarget to, String toPath, Resume resume,
            Duration maxTime, long maxBytes) {
        return copyPiece(from, fromPath, to, toPath, resume, maxTime, maxBytes, null);
    }

    @Override
    public Piece copyPiece(SshTarget from, String fromPath, SshTarget to, String toPath, Resume resume,
            Duration maxTime, long maxBytes, String sourceSha256) {
        return piece(from, fromPath, to, toPath, resume, java.util.Objects.requireNonNull(maxTime, "maxTime"),
                maxBytes, sourceSha256);
    }

    /** @param maxTime null: no limit, and busy channels fail the copy */
    private Piece piece(SshTarget from, String fromPath, SshTarget to, String toPath, Resume resume,
            Duration maxTime, long maxBytes, String sourceSha256) {
        requireAbsolute(fromPath, "fromPath");
        requireAbsolute(toPath, "toPath");
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        long began = System.nanoTime();
        long deadline = began + (maxTime == null ? Duration.ofDays(1) : maxTime).toNanos();
        if (resume != null && resume.copied()) {
            requirePartOf(toPath, resume);
            Piece placed = verifyAndPlace(from, fromPath, to, toPath, resume.part(), resume.offset(), sourceSha256, true);
            if (placed != null) {
                timings(toPath, began, began, began, began, System.nanoTime(), 0);
                return placed;
            }
            resume = null; // the part is gone (a clean-up, a lost disk write): copy afresh
        }
        String part = resume == null ? null : resumable(to, toPath, resume);
        long offset = part == null ? 0 : resume.offset();
        boolean fresh = part == null;
        if (fresh) {
            // a part file of this copy's own: a job taken over while its piece runs copies beside it instead of
            // truncating the file the first taker still writes; both put identical bytes in place
            part = toPath + PART + java.util.UUID.randomUUID().toString().substring(0, 8);
            String dir = toPath.substring(0, Math.max(1, toPath.lastIndexOf('/')));
            String base = toPath.substring(toPath.lastIndexOf('/') + 1);
            // parts a crash left behind are removed once no copy can still be writing them (a day old); with the
            // source's digest known, a file already in place with it is kept (a retry of a copy whose move into
            // place ran but whose job did not commit): one command either way
            String cleanUp = ": > {} && { find {} -maxdepth 1 -name {} -mmin +1440 -delete 2>/dev/null || :; }";
            CommandResult prepared = sourceSha256 == null
                    ? check(to, RemoteCommand.of("umask 077 && mkdir -p {} && " + cleanUp, dir, part, dir,
                            base + PART + "*"), "prepare " + part)
                    : check(to, RemoteCommand.of("umask 077 && mkdir -p {} && if [ -f {} ] && d=$(sha256sum < {})"
                            + " && [ \"${d%% *}\" = {} ]; then echo present; else " + cleanUp + "; fi", dir, toPath,
                            toPath, sourceSha256, part, dir, base + PART + "*"), "prepare " + part);
            if (prepared.stdout().strip().equals("present")) {
                return Piece.finished(new TransferResult(toPath, -1, sourceSha256));
            }
        }
        long prepared = System.nanoTime();
        long opened;
        long bytes;
        boolean end;
        // connecting to a slow host counts against the piece (5 s at least, for a handshake)
        Duration connect = maxTime == null ? Duration.ofDays(1) : maxTime.compareTo(MIN_CONNECT) < 0 ? MIN_CONNECT : maxTime;
        try (JschSessions.ChannelLease src = sessions.open(from, "sftp", c -> { }, connect);
                JschSessions.ChannelLease dst = sessions.open(to, "sftp", c -> { }, connect)) {
            ChannelSftp in = (ChannelSftp) src.channel();
            ChannelSftp out = (ChannelSftp) dst.channel();
            opened = System.nanoTime();
            SourceSize size = new SourceSize();
            try (BoundedStream counted = new BoundedStream(in.get(fromPath, size, offset), maxBytes, deadline);
                    InputStream stream = inTransit.apply(counted)) {
                out.put(stream, part, ChannelSftp.APPEND);
                bytes = counted.count;
                // a piece cut by its time or byte limit right after the source's last byte has copied all of it:
                // without the size it would take another job (two channels, a resume) only to read the end
                end = counted.end || (size.bytes >= 0 && offset + bytes == size.bytes);
            }
        } catch (SshException.StillWaiting busy) {
            if (maxTime == null) {
                removeNewPart(to, part, fresh);
                throw busy;
            }
            // nothing ran there (busy channels, a session still connecting): the part stays as it is, for the next piece
            log.debug("copy piece to {} found no channel: {}", toPath, busy.getMessage());
            return new Piece(null, new Resume(part, offset));
        } catch (SftpException | IOException e) {
            removeNewPart(to, part, fresh);
            throw new SshException("copying " + from.address() + ":" + fromPath + " to " + to.address() + ":" + part
                    + " failed: " + e.getMessage() + "; check that the source exists and the target directory is"
                    + " writable with free space", e);
        } catch (RuntimeException e) {
            removeNewPart(to, part, fresh);
            throw e;
        }
        long total = offset + bytes;
        long copied = System.nanoTime();
        if (!end) {
            timings(toPath, began, prepared, opened, copied, copied, bytes);
            return new Piece(null, new Resume(part, total));
        }
        if (maxTime != null && System.nanoTime() - deadline > 0) {
            // every byte is in the part but the piece's time is used: the next piece checks and places it
            timings(toPath, began, prepared, opened, copied, copied, bytes);
            return new Piece(null, new Resume(part, total, true));
        }
        Piece placed = verifyAndPlace(from, fromPath, to, toPath, part, total, sourceSha256, false);
        timings(toPath, began, prepared, opened, copied, System.nanoTime(), bytes);
        return placed;
    }

    /**
     * The receiver's digest of the whole part and, only if it is the sender's, the move into place: one command.
     * Returns null if {@code mayBeGone} and the part is not there.
     */
    private Piece verifyAndPlace(SshTarget from, String fromPath, SshTarget to, String toPath, String part, long total,
            String sourceSha256, boolean mayBeGone) {
        String expected = sourceSha256 != null ? sourceSha256 : sha256(from, fromPath);
        CommandResult placed = check(to, RemoteCommand.of("if [ -f {} ]; then d=$(sha256sum < {}) && d=${d%% *} && if"
                + " [ \"$d\" = {} ]; then mv -f {} {} && echo \"placed $d\"; else rm -f {}; echo \"mismatch $d\"; fi;"
                + " else echo missing; fi", part, part, expected, part, toPath, part),
                "verify " + part + " and move it into place");
        String[] outcome = placed.stdout().strip().split(" ", 2);
        if (outcome[0].equals("missing")) {
            if (mayBeGone) {
                return null;
            }
            throw new SshException("the copy's part file " + part + " vanished from " + to.address()
                    + " before its digest was checked; retry (the copy starts afresh)");
        }
        String actual = outcome.length == 2 ? outcome[1] : "";
        if (!actual.matches("[0-9a-f]{64}")) {
            removePart(to, part);
            throw new SshException("sha256sum of " + part + " on " + to.address() + " printed no digest: "
                    + placed.stdout().strip());
        }
        if (!outcome[0].equals("placed")) {
            throw new SshException("checksum mismatch copying " + from.address() + ":" + fromPath + " to "
                    + to.address() + ":" + toPath + ": " + (sourceSha256 != null
                            ? "the source had sha256 " + expected + " when it was checksummed before the copy"
                            : "sender has sha256 " + expected) + ", receiver got " + actual
                    + " (" + total + " bytes); the partial copy was deleted. Retry; if it persists check the"
                    + " network and the disks, and that the source is not being written to");
        }
        return Piece.finished(new TransferResult(toPath, total, expected));
    }

    /** Where a piece's time went: what bounds a copy job's hold under load. */
    private static void timings(String toPath, long began, long prepared, long opened, long copied, long ended,
            long bytes) {
        if (log.isDebugEnabled()) {
            log.debug("copy piece to {}: {} bytes; prepare {} ms, channels {} ms, transfer {} ms, verify and move {} ms",
                    toPath, bytes, (prepared - began) / 1_000_000, (opened - prepared) / 1_000_000,
                    (copied - opened) / 1_000_000, (ended - copied) / 1_000_000);
        }
    }

    /** The recorded part, cut back to the recorded offset; null (start afresh) if it is gone or shorter. */
    private String resumable(SshTarget to, String toPath, Resume resume) {
        requirePartOf(toPath, resume);
        String part = resume.part();
        CommandResult r = check(to, RemoteCommand.of("if [ -f {} ] && [ \"$(wc -c < {})\" -ge {} ]; then truncate -s {}"
                + " {} && echo resumed; fi", part, part, Long.toString(resume.offset()), Long.toString(resume.offset()),
                part), "resume " + part);
        // shorter than recorded: the receiver lost written data (a host crash before it reached the disk)
        return r.stdout().strip().equals("resumed") ? part : null;
    }

    /** A resume point names a part file of this copy's destination only (it comes from a process variable). */
    private static void requirePartOf(String toPath, Resume resume) {
        String part = resume.part();
        if (part == null || !part.startsWith(toPath + PART) || part.indexOf('/', toPath.length()) >= 0
                || resume.offset() < 0) {
            throw new IllegalArgumentException("resume point " + resume + " is not a part file of " + toPath);
        }
    }

    private void removeNewPart(SshTarget to, String part, boolean fresh) {
        // a recorded part stays for the retry, which resumes it; a new one is recorded nowhere yet
        if (fresh) {
            removePart(to, part);
        }
    }

    private String sha256(SshTarget target, String path) {
        CommandResult r = check(target, RemoteCommand.of("sha256sum < {}", path), "sha256sum " + path);
        String sum = r.stdout().strip();
        int space = sum.indexOf(' ');
        sum = space > 0 ? sum.substring(0, space) : sum;
        if (!sum.matches("[0-9a-f]{64}")) {
            throw new SshException("sha256sum of " + path + " on " + target.address() + " printed no digest: "
                    + r.stdout().strip());
        }
        return sum;
    }

    private CommandResult check(SshTarget target, RemoteCommand command, String what) {
        CommandResult r = shell.run(target, command);
        if (!r.succeeded()) {
            throw new SshException("cannot " + what + " on " + target.address() + " (exit " + r.exitStatus() + "): "
                    + r.stderr().strip());
        }
        return r;
    }

    private void removePart(SshTarget to, String part) {
        try {
            shell.run(to, RemoteCommand.of("rm -f {}", part));
        } catch (RuntimeException ignored) {
            // the original failure matters more; a stale part is removed by a later copy once a day old
        }
    }

    private static void requireAbsolute(String path, String name) {
        if (path == null || !path.startsWith("/") || path.endsWith("/")) {
            throw new IllegalArgumentException(name + " must be an absolute file path: " + path);
        }
    }

    /** The source's size, which JSch stats before it opens the file anyway (-1: not told). */
    private static final class SourceSize implements SftpProgressMonitor {
        long bytes = -1;

        @Override
        public void init(int op, String src, String dest, long max) {
            bytes = max;
        }

        @Override
        public boolean count(long count) {
            return true;
        }

        @Override
        public void end() {
        }
    }

    /** Counts what it passes and ends early at the piece's byte or time limit ({@code end}: the source's own end). */
    private static final class BoundedStream extends FilterInputStream {
        private final long maxBytes;
        private final long deadline;
        long count;
        boolean end;

        BoundedStream(InputStream in, long maxBytes, long deadline) {
            super(in);
            this.maxBytes = maxBytes;
            this.deadline = deadline;
        }

        private boolean cut() {
            // the first read always goes through: a piece whose time went to connecting still makes progress
            return count >= maxBytes || (count > 0 && System.nanoTime() - deadline > 0);
        }

        @Override
        public int read() throws IOException {
            if (cut()) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                count++;
            } else {
                end = true;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (cut()) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, maxBytes - count));
            if (n > 0) {
                count += n;
            } else if (n < 0) {
                end = true;
            }
            return n;
        }
    }
}
