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

    /**
     * Issue 15: a copy larger than one piece goes over several pieces (one engine job each), each appending to the
     * same part file from the recorded offset; only the last verifies the digest and puts the file in place.
     */
    @Test
    void aBigCopyGoesInPiecesFromTheRecordedOffset() throws Exception {
        Path dest = master.dir.resolve("slave-side/pieces/backup.sql.gz");
        SftpFileTransfer transfer = new SftpFileTransfer(sessions, shell);
        long mib = 1024 * 1024;
        FileTransfer.Resume resume = null;
        java.util.List<Long> offsets = new java.util.ArrayList<>();
        FileTransfer.Piece piece;
        do {
            piece = transfer.copyPiece(master.target(), source.toString(), slaveTarget(), dest.toString(), resume,
                    java.time.Duration.ofMinutes(1), mib);
            if (!piece.isDone()) {
                resume = piece.resume();
                offsets.add(resume.offset());
                assertThat(Files.size(Path.of(resume.part()))).isEqualTo(resume.offset());
                assertThat(Files.exists(dest)).as("nothing in place before the last piece").isFalse();
            }
        } while (!piece.isDone());
        assertThat(offsets).containsExactly(mib, 2 * mib, 3 * mib);
        assertThat(piece.done().bytes()).isEqualTo(Files.size(source));
        assertThat(piece.done().sha256()).isEqualTo(sourceSha);
        assertThat(Files.mismatch(source, dest)).isEqualTo(-1L);
        assertThat(parts(dest)).isEmpty();
    }

    /**
     * A crash mid-piece: the piece wrote bytes past the last committed offset (here: garbage) but its job never
     * committed. The retry resumes from the recorded offset, cutting the part back first, and the copy is intact.
     * A part that vanished meanwhile (a clean-up) starts the copy afresh.
     */
    @Test
    void aPieceCutOffByACrashIsResumedFromTheCommittedOffset() throws Exception {
        Path dest = master.dir.resolve("slave-side/crash/backup.sql.gz");
        SftpFileTransfer transfer = new SftpFileTransfer(sessions, shell);
        FileTransfer.Resume committed = transfer.copyPiece(master.target(), source.toString(), slaveTarget(),
                dest.toString(), null, java.time.Duration.ofMinutes(1), 1024 * 1024).resume();
        byte[] garbage = new byte[500_000];
        java.util.Arrays.fill(garbage, (byte) 0x5a);
        Files.write(Path.of(committed.part()), garbage, java.nio.file.StandardOpenOption.APPEND);

        FileTransfer.Piece rest = transfer.copyPiece(master.target(), source.toString(), slaveTarget(), dest.toString(),
                committed, java.time.Duration.ofMinutes(1), Long.MAX_VALUE);
        assertThat(rest.isDone()).isTrue();
        assertThat(rest.done().sha256()).isEqualTo(sourceSha);
        assertThat(Files.mismatch(source, dest)).isEqualTo(-1L);

        Files.delete(dest);
        FileTransfer.Resume gone = new FileTransfer.Resume(dest + ".part-deadbeef", 1024 * 1024);
        FileTransfer.Piece afresh = transfer.copyPiece(master.target(), source.toString(), slaveTarget(),
                dest.toString(), gone, java.time.Duration.ofMinutes(1), Long.MAX_VALUE);
        assertThat(afresh.done().sha256()).isEqualTo(sourceSha);
        assertThat(Files.mismatch(source, dest)).isEqualTo(-1L);
        assertThat(parts(dest)).isEmpty();
    }

    /**
     * Issue 15: the federated backup went to 100 slaves and each copy read the master's whole file again for its
     * digest (100 sha256sum on the master, competing for its SSH channels). With the digest known from before the
     * copy only the receiver is checksummed: the right digest puts the copy in place, another one (the source
     * changed since) refuses it and deletes the part.
     */
    @Test
    void aKnownSourceDigestIsCheckedOnTheReceiverOnly() throws Exception {
        Path dest = master.dir.resolve("slave-side/known/backup.sql.gz");
        SftpFileTransfer transfer = new SftpFileTransfer(sessions, shell);
        String stale = "0".repeat(64);
        assertThatThrownBy(() -> transfer.copyPiece(master.target(), source.toString(), slaveTarget(), dest.toString(),
                null, java.time.Duration.ofMinutes(1), Long.MAX_VALUE, stale))
                .isInstanceOf(SshException.class)
                .hasMessageContaining("the source had sha256 " + stale + " when it was checksummed before the copy")
                .hasMessageContaining("receiver got " + sourceSha);
        assertThat(dest).doesNotExist();
        assertThat(parts(dest)).isEmpty();

        FileTransfer.Piece piece = transfer.copyPiece(master.target(), source.toString(), slaveTarget(),
                dest.toString(), null, java.time.Duration.ofMinutes(1), Long.MAX_VALUE, sourceSha);
        assertThat(piece.done().sha256()).isEqualTo(sourceSha);
        assertThat(Files.mismatch(source, dest)).isEqualTo(-1L);
    }

    /**
     * Issue 15: at 100 slaves a third of the copy jobs found nothing left to copy. A piece cut at its limit right
     * after the source's last byte ended "not done", and the next job opened two channels only to read the end. The
     * piece now knows the source's size (JSch stats it before opening), so it verifies and places the copy itself.
     * The receiver runs two commands per copy: the part's preparation, and its digest with the move into place.
     */
    @Test
    void aPieceThatReachesTheSourcesLastByteFinishesTheCopy() throws Exception {
        Path dest = master.dir.resolve("slave-side/exact/backup.sql.gz");
        java.util.List<String> onReceiver = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        RemoteShell counting = recordingOnReceiver(onReceiver);
        FileTransfer.Piece piece = new SftpFileTransfer(sessions, counting).copyPiece(master.target(),
                source.toString(), slaveTarget(), dest.toString(), null, java.time.Duration.ofMinutes(1),
                Files.size(source), sourceSha);
        assertThat(piece.isDone()).as("the piece that copied the last byte").isTrue();
        assertThat(piece.done().bytes()).isEqualTo(Files.size(source));
        assertThat(Files.mismatch(source, dest)).isEqualTo(-1L);
        assertThat(parts(dest)).isEmpty();
        assertThat(onReceiver).hasSize(2);
        assertThat(onReceiver.get(1)).contains("d=$(sha256sum < ").contains("mv -f ");
    }

    /**
     * Issue 15: at 100 slaves the master's 32 SSH channels were all busy with other copies, and a copy's job failed
     * ("stayed busy ... nothing ran there"), spending one of its retries. A piece that finds no channel now ends
     * where it stood. Its part file stays, and the next piece goes on from it.
     */
    @Test
    void aPieceThatFindsEveryChannelBusyEndsWithoutProgressAndTheNextGoesOn() throws Exception {
        Path dest = master.dir.resolve("slave-side/busy/backup.sql.gz");
        SftpFileTransfer transfer = new SftpFileTransfer(sessions, shell);
        java.util.List<JschSessions.ChannelLease> held = new java.util.ArrayList<>();
        FileTransfer.Piece waited;
        try {
            for (int i = 0; i < JschSessions.SESSIONS_PER_TARGET * JschSessions.CHANNELS_PER_SESSION; i++) {
                held.add(sessions.open(master.target(), "sftp", c -> { }));
            }
            waited = transfer.copyPiece(master.target(), source.toString(), slaveTarget(), dest.toString(), null,
                    java.time.Duration.ofMillis(500), Long.MAX_VALUE, sourceSha);
        } finally {
            held.forEach(JschSessions.ChannelLease::close);
        }
        assertThat(waited.isDone()).isFalse();
        assertThat(waited.resume().offset()).isZero();
        assertThat(Path.of(waited.resume().part())).exists().isEmptyFile();

        FileTransfer.Piece next = transfer.copyPiece(master.target(), source.toString(), slaveTarget(),
                dest.toString(), waited.resume(), java.time.Duration.ofMinutes(1), Long.MAX_VALUE, sourceSha);
        assertThat(next.isDone()).isTrue();
        assertThat(Files.mismatch(source, dest)).isEqualTo(-1L);
        assertThat(parts(dest)).isEmpty();
    }

    /**
     * A piece whose time is used by the time its last byte arrives leaves the digest check and the move to the next
     * piece ({@code copied}), so a job's work stays bounded. That piece runs one command on the receiver and opens no
     * channel. If the part has vanished by then, it copies afresh.
     */
    @Test
    void aPieceOutOfTimeAfterTheLastByteLeavesTheCheckToTheNext() throws Exception {
        byte[] small = new byte[1000];
        new Random(7).nextBytes(small);
        Path smallSource = master.dir.resolve("small.sql.gz");
        Files.write(smallSource, small);
        String smallSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(small));
        Path dest = master.dir.resolve("slave-side/deferred/small.sql.gz");
        java.util.List<String> onReceiver = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        RemoteShell counting = recordingOnReceiver(onReceiver);
        SftpFileTransfer transfer = new SftpFileTransfer(sessions, counting);
        // no time at all: the first read still goes through and brings the whole (small) file
        FileTransfer.Piece first = transfer.copyPiece(master.target(), smallSource.toString(), slaveTarget(),
                dest.toString(), null, java.time.Duration.ofNanos(1), Long.MAX_VALUE, smallSha);
        assertThat(first.isDone()).isFalse();
        assertThat(first.resume().copied()).isTrue();
        assertThat(first.resume().offset()).isEqualTo(small.length);
        assertThat(dest).doesNotExist();

        onReceiver.clear();
        FileTransfer.Piece checked = transfer.copyPiece(master.target(), smallSource.toString(), slaveTarget(),
                dest.toString(), first.resume(), java.time.Duration.ofNanos(1), Long.MAX_VALUE, smallSha);
        assertThat(checked.isDone()).isTrue();
        assertThat(checked.done().sha256()).isEqualTo(smallSha);
        assertThat(onReceiver).hasSize(1);
        assertThat(Files.mismatch(smallSource, dest)).isEqualTo(-1L);
        assertThat(parts(dest)).isEmpty();

        Files.delete(dest);
        FileTransfer.Piece again = transfer.copyPiece(master.target(), smallSource.toString(), slaveTarget(),
                dest.toString(), null, java.time.Duration.ofNanos(1), Long.MAX_VALUE, smallSha);
        Files.delete(Path.of(again.resume().part()));
        FileTransfer.Piece afresh = transfer.copyPiece(master.target(), smallSource.toString(), slaveTarget(),
                dest.toString(), again.resume(), java.time.Duration.ofMinutes(1), Long.MAX_VALUE, smallSha);
        assertThat(afresh.isDone()).as("a vanished part is copied afresh").isTrue();
        assertThat(Files.mismatch(smallSource, dest)).isEqualTo(-1L);
    }

    /**
     * A copy whose move into place ran but whose job did not commit is run again: its destination already holds
     * the source's digest, and the first piece keeps it. The check and the part's preparation are one command on the
     * receiver. A destination with other content is copied over.
     */
    @Test
    void aCopyAlreadyInPlaceIsKeptAndAStaleOneReplaced() throws Exception {
        Path dest = master.dir.resolve("slave-side/in-place/backup.sql.gz");
        Files.createDirectories(dest.getParent());
        Files.copy(source, dest);
        java.util.List<String> onReceiver = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        RemoteShell counting = recordingOnReceiver(onReceiver);
        SftpFileTransfer transfer = new SftpFileTransfer(sessions, counting);
        FileTransfer.Piece kept = transfer.copyPiece(master.target(), source.toString(), slaveTarget(), dest.toString(),
                null, java.time.Duration.ofMinutes(1), Long.MAX_VALUE, sourceSha);
        assertThat(kept.isDone()).isTrue();
        assertThat(kept.done().bytes()).as("nothing copied").isEqualTo(-1L);
        assertThat(onReceiver).hasSize(1);
        assertThat(parts(dest)).isEmpty();

        Files.writeString(dest, "an older backup");
        FileTransfer.Piece replaced = transfer.copyPiece(master.target(), source.toString(), slaveTarget(),
                dest.toString(), null, java.time.Duration.ofMinutes(1), Long.MAX_VALUE, sourceSha);
        assertThat(replaced.done().bytes()).isEqualTo(Files.size(source));
        assertThat(Files.mismatch(source, dest)).isEqualTo(-1L);
    }

    /** A piece ends at its time limit on a slow link (and makes progress even if connecting took its time), with the bytes it got recorded; a foreign resume point is refused. */
    @Test
    void aPieceEndsAtItsTimeLimitAndRefusesAForeignPart() throws Exception {
        Path dest = master.dir.resolve("slave-side/slow/backup.sql.gz");
        // about 1.3 MB/s: the whole file would take well over two seconds
        SftpFileTransfer slow = new SftpFileTransfer(sessions, shell, in -> new FilterInputStream(in) {
            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                try {
                    Thread.sleep(25);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
                return super.read(buf, off, Math.min(len, 32 * 1024));
            }
        });
        long t0 = System.nanoTime();
        FileTransfer.Piece piece = slow.copyPiece(master.target(), source.toString(), slaveTarget(), dest.toString(),
                null, java.time.Duration.ofMillis(1000), Long.MAX_VALUE);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(piece.isDone()).isFalse();
        assertThat(piece.resume().offset()).isPositive().isLessThan(Files.size(source));
        assertThat(Files.size(Path.of(piece.resume().part()))).isEqualTo(piece.resume().offset());
        assertThat(ms).as("piece of 1 s returned after " + ms + " ms").isLessThan(3000);

        assertThatThrownBy(() -> slow.copyPiece(master.target(), source.toString(), slaveTarget(), dest.toString(),
                new FileTransfer.Resume(master.dir.resolve("other.part-1").toString(), 0),
                java.time.Duration.ofSeconds(1), 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a part file of " + dest);
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

    /** The test's shell, which records each command it runs on the receiver ("slave") in {@code commands}. */
    static RemoteShell recordingOnReceiver(java.util.List<String> commands) {
        return new RemoteShell() {
            @Override
            public CommandResult run(SshTarget target, RemoteCommand command) {
                if (target.equals(slaveTarget())) {
                    commands.add(command.rendered());
                }
                return shell.run(target, command);
            }

            @Override
            public ProbeResult probe(SshTarget target) {
                return shell.probe(target);
            }
        };
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
