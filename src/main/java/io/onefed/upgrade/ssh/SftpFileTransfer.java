package io.onefed.upgrade.ssh;

import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.SftpException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.UnaryOperator;

/**
 * {@link FileTransfer} over SFTP, streamed through the orchestrator (nothing is written locally). The copy goes to
 * {@code <toPath>.part-<random>} (created 0600 first: backups hold the whole database), both hosts compute
 * {@code sha256sum}, and only equal digests let {@code mv} put the file in place; otherwise the partial copy is
 * deleted and the transfer fails.
 */
public class SftpFileTransfer implements FileTransfer {

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
        requireAbsolute(fromPath, "fromPath");
        requireAbsolute(toPath, "toPath");
        // a part file of this copy's own: a job taken over while its copy runs (past its lock) copies beside it
        // instead of truncating the file the first copy still writes; both put identical bytes in place
        String part = toPath + ".part-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String dir = toPath.substring(0, Math.max(1, toPath.lastIndexOf('/')));
        String base = toPath.substring(toPath.lastIndexOf('/') + 1);
        // parts a crash left behind are removed once no copy can still be writing them (a day old)
        check(to, RemoteCommand.of("umask 077 && mkdir -p {} && : > {} && { find {} -maxdepth 1 -name {} -mmin +1440"
                + " -delete 2>/dev/null || :; }", dir, part, dir, base + ".part-*"), "prepare " + part);
        long bytes;
        try (JschSessions.ChannelLease src = sessions.open(from, "sftp", c -> { });
                JschSessions.ChannelLease dst = sessions.open(to, "sftp", c -> { })) {
            ChannelSftp in = (ChannelSftp) src.channel();
            ChannelSftp out = (ChannelSftp) dst.channel();
            try (CountingStream counted = new CountingStream(in.get(fromPath));
                    InputStream stream = inTransit.apply(counted)) {
                out.put(stream, part, ChannelSftp.OVERWRITE);
                bytes = counted.count;
            }
        } catch (SftpException | IOException e) {
            removePart(to, part);
            throw new SshException("copying " + from.address() + ":" + fromPath + " to " + to.address() + ":" + part
                    + " failed: " + e.getMessage() + "; check that the source exists and the target directory is"
                    + " writable with free space", e);
        } catch (RuntimeException e) {
            removePart(to, part);
            throw e;
        }
        String expected = sha256(from, fromPath);
        String actual = sha256(to, part);
        if (!expected.equals(actual)) {
            removePart(to, part);
            throw new SshException("checksum mismatch copying " + from.address() + ":" + fromPath + " to "
                    + to.address() + ":" + toPath + ": sender has sha256 " + expected + ", receiver got " + actual
                    + " (" + bytes + " bytes); the partial copy was deleted. Retry; if it persists check the"
                    + " network and the disks, and that the source is not being written to");
        }
        check(to, RemoteCommand.of("mv -f {} {}", part, toPath), "move " + part + " into place");
        return new TransferResult(toPath, bytes, expected);
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

    private static final class CountingStream extends FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
