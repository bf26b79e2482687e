package io.onefed.upgrade.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.testsupport.OpenSshServer;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SFTP copy between two real sshd servers ("master" and "slave"), with the checksum check. */
class SftpFileTransferTest {

    static SshFixture master;
    static OpenSshServer slave;
    static JschSessions sessions;
    static JschRemoteShell shell;
    static Path source;
    static String sourceSha;

    @BeforeAll
    static void start() throws Exception {
        master = SshFixture.start("sftp");
        slave = OpenSshServer.start(master.dir.resolve("sshd-slave"), Path.of(master.clientKey + ".pub"));
        Files.writeString(master.knownHosts, slave.knownHostsLine() + "\n", java.nio.file.StandardOpenOption.APPEND);
        sessions = new JschSessions(master.props(), SshFixture.secrets(Map.of()));
        shell = new JschRemoteShell(sessions, SshFixture.secrets(Map.of()));
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(data);
        source = master.dir.resolve("backup.sql.gz");
        Files.write(source, data);
        sourceSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @AfterAll
    static void stop() {
        if (sessions != null) {
            sessions.close();
        }
        if (slave != null) {
            slave.close();
        }
        if (master != null) {
            master.close();
        }
    }

    static SshTarget slaveTarget() {
        return new SshTarget(100, "slave", "fe2", slave.host(), slave.port(), slave.user());
    }

    @Test
    void copiesVerifiesAndPutsTheFileInPlace() throws Exception {
        Path dest = master.dir.resolve("slave-side/backups/backup.sql.gz");
        FileTransfer.TransferResult r = new SftpFileTransfer(sessions, shell)
                .copy(master.target(), source.toString(), slaveTarget(), dest.toString());
        assertThat(r.toPath()).isEqualTo(dest.toString());
        assertThat(r.bytes()).isEqualTo(Files.size(source));
        assertThat(r.sha256()).isEqualTo(sourceSha);
        assertThat(Files.mismatch(source, dest)).isEqualTo(-1L);
        assertThat(parts(dest)).isEmpty();
        assertThat(Files.getPosixFilePermissions(dest)).containsOnly(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void aCorruptedCopyIsDetectedAndRemoved() throws IOException {
        Path dest = master.dir.resolve("slave-side/corrupt/backup.sql.gz");
        SftpFileTransfer corrupting = new SftpFileTransfer(sessions, shell, FlipOneByte::new);
        assertThatThrownBy(() -> corrupting.copy(master.target(), source.toString(), slaveTarget(), dest.toString()))
                .isInstanceOf(SshException.class)
                .hasMessageContaining("checksum mismatch")
                .hasMessageContaining("sender has sha256 " + sourceSha)
                .hasMessageContaining("partial copy was deleted");
        assertThat(Files.exists(dest)).isFalse();
        assertThat(parts(dest)).isEmpty();
    }

    @Test
    void aMissingSourceFailsWithoutLeavingAPartialCopy() throws IOException {
        Path dest = master.dir.resolve("slave-side/missing/x");
        assertThatThrownBy(() -> new SftpFileTransfer(sessions, shell)
                .copy(master.target(), master.dir.resolve("no-such-file").toString(), slaveTarget(), dest.toString()))
                .isInstanceOf(SshException.class)
                .hasMessageContaining("no-such-file")
                .hasMessageContaining("check that the source exists");
        assertThat(parts(dest)).isEmpty();
    }

    /** Flips one bit in the middle of the stream, as a bad link or disk would. */
    static final class FlipOneByte extends FilterInputStream {
        private long pos;

        FlipOneByte(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && pos++ == 1_000_000) {
                b ^= 0x01;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0 && pos <= 1_000_000 && pos + n > 1_000_000) {
                buf[off + (int) (1_000_000 - pos)] ^= 0x01;
            }
            pos += Math.max(n, 0);
            return n;
        }
    }

    /**
     * Issue 15: a copy whose job outlives its lock is run a second time beside the first (the job is taken over).
     * Here the first copy is held mid-stream while a second copy of the same file to the same place runs to its
     * end; then the first goes on. Both succeed and the file in place is the source (one shared part file: the
     * second truncated the first's, which then failed its checksum).
     */
    @Test
    void aSecondCopyWhileTheFirstStillRunsLeavesBothIntact() throws Exception {
        Path dest = master.dir.resolve("slave-side/twice/backup.sql.gz");
        java.util.concurrent.CountDownLatch paused = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch resume = new java.util.concurrent.CountDownLatch(1);
        SftpFileTransfer held = new SftpFileTransfer(sessions, shell, in -> new FilterInputStream(in) {
            private long pos;

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                if (pos >= 1_000_000 && paused.getCount() > 0) {
                    paused.countDown();
                    await(resume);
                }
                int n = super.read(buf, off, len);
                pos += Math.max(n, 0);
                return n;
            }
        });
        java.util.concurrent.CompletableFuture<FileTransfer.TransferResult> first = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> held.copy(master.target(), source.toString(), slaveTarget(), dest.toString()));
        assertThat(paused.await(60, java.util.concurrent.TimeUnit.SECONDS)).as("first copy reached 1 MB").isTrue();

        FileTransfer.TransferResult second = new SftpFileTransfer(sessions, shell)
                .copy(master.target(), source.toString(), slaveTarget(), dest.toString());
        resume.countDown();
        FileTransfer.TransferResult firstResult = first.get(60, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(second.sha256()).isEqualTo(sourceSha);
        assertThat(firstResult.sha256()).isEqualTo(sourceSha);
        assertThat(Files.mismatch(source, dest)).isEqualTo(-1L);
        assertThat(parts(dest)).isEmpty();
    }

    private static void await(java.util.concurrent.CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IOException("not resumed within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Part files of the destination left in its directory. */
    static java.util.List<Path> parts(Path dest) throws IOException {
        if (!Files.isDirectory(dest.getParent())) {
            return java.util.List.of();
        }
        try (java.util.stream.Stream<Path> files = Files.list(dest.getParent())) {
            return files.filter(f -> f.getFileName().toString().startsWith(dest.getFileName() + ".part")).toList();
        }
    }
}
