package io.onefed.upgrade.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.steps.BackupCopies;
import io.onefed.upgrade.steps.BackupTransfer;
import io.onefed.upgrade.steps.DbVersionReader;
import io.onefed.upgrade.steps.StepContext;
import io.onefed.upgrade.steps.ZoneCommands;
import org.junit.jupiter.api.Test;

/**
 * {@link BackupCopies}, the service behind ChecksumBackup, CopyFederatedBackup, CopyLeaderDump and CopyLeaderConfig
 * (which used to be two delegates switching on the element id), over the process tests' {@link FakeFederation}.
 */
class BackupCopiesTest {

    static final String ID = "U20261123-120000-ab12";

    final FakeFederation fed = new FakeFederation("6.10.0", true, "S-EU-GE");
    final BackupCopies copies = new BackupCopies(new BackupTransfer(fed, fed), new DbVersionReader(fed));
    final ZoneProperties master = fed.properties.zones().get(0);
    final ZoneProperties slave = fed.properties.zones().get(1);

    @Test
    void theLeaderNamedInZoneLeadersRunsTheStepElseTheFirstServer() {
        assertThat(StepContext.onLeader(ID, master, "6.10.0", "7.0.1", "0=m-eu-fr-fe2").leaderServer())
                .isEqualTo("m-eu-fr-fe2");
        assertThat(StepContext.onLeader(ID, master, "6.10.0", "7.0.1", null).leaderServer()).isEqualTo("m-eu-fr-fe0");
    }

    /** The leader's file reaches every follower, never the leader itself (which would copy a file onto itself). */
    @Test
    void aLeaderFileGoesToEachFollowerOnly() {
        String path = ZoneCommands.leaderDumpPath(StepContext.onLeader(ID, master, "6.10.0", "7.0.1", "0=m-eu-fr-fe1"));
        assertThat(copies.leaderFileToFollowers(master, "0=m-eu-fr-fe1", path)).isEqualTo("ab12cd34");
        assertThat(fed.started.stream().filter(s -> s.contains(": copy ")).toList()).containsExactly(
                "M-EU-FR/m-eu-fr-fe0: copy " + path + " -> " + path, "M-EU-FR/m-eu-fr-fe2: copy " + path + " -> " + path);
    }

    @Test
    void theFederatedBackupIsChecksummedOnTheMastersLeaderWithItsSharedVersion() {
        StepContext ctx = StepContext.onLeader(ID, master, "6.10.0", "7.0.1", "0=m-eu-fr-fe1");
        BackupCopies.FederatedBackup backup = copies.checksumFederated(ctx, "0=m-eu-fr-fe1");
        assertThat(backup.path()).isEqualTo(ZoneCommands.federatedBackupPath(ctx)).contains("/" + ID + "/");
        assertThat(backup.sha256()).isEqualTo("ab12cd34");
        assertThat(backup.masterSharedDbVersion()).isEqualTo("6.10.0");
    }

    /** The slave's copy lands in the slave's own upgrade directory, under the master's file name. */
    @Test
    void theSlavesCopyLandsInItsOwnUpgradeDirectory() {
        String masterPath = ZoneCommands.federatedBackupPath(StepContext.onLeader(ID, master, "6.10.0", "7.0.1", null));
        StepContext slaveCtx = StepContext.onLeader(ID, slave, "6.10.0", "7.0.1", null);
        String slavePath = copies.federatedToSlave(master, slaveCtx, null, masterPath, "ab12cd34");
        assertThat(slavePath).isEqualTo(ZoneCommands.upgradeDir(slaveCtx) + masterPath.substring(masterPath.lastIndexOf('/')));
        assertThat(fed.started).contains("S-EU-GE/s-eu-ge-fe0: copy " + masterPath + " -> " + slavePath);
    }

    /** Attack: the master's backup changed after its checksum (or the copy is corrupt): the copy is refused. */
    @Test
    void aCopyWhoseDigestDiffersFromTheMastersIsRefused() {
        assertThatThrownBy(() -> copies.federatedToSlave(master, StepContext.onLeader(ID, slave, "6.10.0", "7.0.1", null),
                null, "/var/lib/one/backup/x.sql", "ffff0000")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ffff0000").hasMessageContaining("the source changed since it was checksummed");
    }

    /**
     * Issue 15: a leader's file goes in pieces, one call (one job) each, follower after follower; each call starts
     * from the progress the previous one returned, so a job retried after a crash repeats only its own piece.
     */
    @Test
    void aLeaderFileGoesInPiecesFollowerAfterFollower() {
        java.util.List<String> pieces = new java.util.ArrayList<>();
        io.onefed.upgrade.ssh.FileTransfer piecewise = new io.onefed.upgrade.ssh.FileTransfer() {
            @Override
            public TransferResult copy(io.onefed.upgrade.ssh.SshTarget from, String fromPath,
                    io.onefed.upgrade.ssh.SshTarget to, String toPath) {
                throw new AssertionError("copied in one piece");
            }

            @Override
            public Piece copyPiece(io.onefed.upgrade.ssh.SshTarget from, String fromPath,
                    io.onefed.upgrade.ssh.SshTarget to, String toPath, Resume resume, java.time.Duration maxTime,
                    long maxBytes) {
                long at = resume == null ? 0 : resume.offset();
                pieces.add(to.serverName() + "@" + at);
                return at < 2 * maxBytes ? new Piece(null, new Resume(toPath + ".part-1", at + maxBytes))
                        : Piece.finished(new TransferResult(toPath, at + 1, "ab12cd34"));
            }
        };
        java.util.concurrent.atomic.AtomicInteger digests = new java.util.concurrent.atomic.AtomicInteger();
        io.onefed.upgrade.ssh.RemoteShell counting = new io.onefed.upgrade.ssh.RemoteShell() {
            @Override
            public io.onefed.upgrade.ssh.CommandResult run(io.onefed.upgrade.ssh.SshTarget target,
                    io.onefed.upgrade.ssh.RemoteCommand command) {
                if (command.rendered().startsWith("sha256sum ")) {
                    digests.incrementAndGet();
                }
                return fed.run(target, command);
            }

            @Override
            public ProbeResult probe(io.onefed.upgrade.ssh.SshTarget target) {
                return fed.probe(target);
            }
        };
        BackupCopies inPieces = new BackupCopies(new BackupTransfer(counting, piecewise), new DbVersionReader(fed),
                java.time.Duration.ofMinutes(1), 100);
        String path = ZoneCommands.leaderDumpPath(StepContext.onLeader(ID, master, "6.10.0", "7.0.1", "0=m-eu-fr-fe1"));

        BackupCopies.Advance first = inPieces.leaderFileToFollowers(master, "0=m-eu-fr-fe1", path, null);
        // the job of the second piece dies before it commits: its retry gets the same progress again
        inPieces.leaderFileToFollowers(master, "0=m-eu-fr-fe1", path, first.progress());
        BackupCopies.Advance a = first;
        int calls = 1;
        while (!a.done()) {
            a = inPieces.leaderFileToFollowers(master, "0=m-eu-fr-fe1", path, a.progress());
            calls++;
        }
        assertThat(a.result()).isEqualTo("ab12cd34");
        assertThat(calls).isEqualTo(5);
        assertThat(pieces).containsExactly("m-eu-fr-fe0@0", "m-eu-fr-fe0@100", "m-eu-fr-fe0@100", "m-eu-fr-fe0@200",
                "m-eu-fr-fe2@0", "m-eu-fr-fe2@100", "m-eu-fr-fe2@200");
        assertThat(first.progress()).isEqualTo("0|ab12cd34|100|" + path + ".part-1");
        assertThat(digests).as("the leader's digest is taken once, not per piece").hasValue(1);
    }
}
