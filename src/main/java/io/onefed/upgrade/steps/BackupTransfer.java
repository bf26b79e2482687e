package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.Leaders;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.ssh.CommandResult;
import io.onefed.upgrade.ssh.FileTransfer;
import io.onefed.upgrade.ssh.RemoteCommand;
import io.onefed.upgrade.ssh.RemoteShell;
import io.onefed.upgrade.ssh.SshTarget;
import java.time.Duration;

/**
 * Carries a backup between front-ends (the master's federated backup to each slave, an HA leader's dump to
 * its followers) with its SHA-256 checked on the receiving side. Copying again is harmless: the copy lands
 * in a part file and is moved into place only when its digest matches; a copy already in place with the
 * right digest is kept.
 */
public class BackupTransfer {

    private final RemoteShell shell;
    private final FileTransfer transfer;

    public BackupTransfer(RemoteShell shell, FileTransfer transfer) {
        this.shell = shell;
        this.transfer = transfer;
    }

    public String sha256(SshTarget host, String path) {
        // read-only, so a plain synchronous command
        CommandResult r = shell.run(host, RemoteCommand.of("sha256sum {}", path));
        if (!r.succeeded()) {
            throw new IllegalStateException("cannot read " + path + " on " + host.address() + " (exit " + r.exitStatus()
                    + "): " + r.stderr().strip());
        }
        return r.stdout().trim().split("\\s+")[0];
    }

    /**
     * One bounded piece of a copy verified against {@code expectedSha256} ({@link FileTransfer#copyPiece}); the first
     * piece ({@code resume} null) keeps a copy already in place with the right digest.
     */
    public FileTransfer.Piece copyPiece(SshTarget from, String fromPath, SshTarget to, String toPath,
            String expectedSha256, FileTransfer.Resume resume, Duration maxTime, long maxBytes) {
        String path = toPath;
        // the source's digest is known (taken once before the copies): only the receiver is checksummed, and a
        // first piece finds a copy already in place with that digest (FileTransfer#copyPiece)
        FileTransfer.Piece piece = transfer.copyPiece(from, fromPath, to, toPath, resume, maxTime, maxBytes,
                expectedSha256);
        FileTransfer.TransferResult result = piece.done();
        if (result != null && expectedSha256 != null && !expectedSha256.equals(result.sha256())) {
            throw new IllegalStateException("backup " + path + " on " + to.address() + " has SHA-256 " + result.sha256()
                    + " but the master's copy has " + expectedSha256 + ": the source changed since it was checksummed");
        }
        return piece;
    }

    public static SshTarget leaderTarget(ZoneProperties zone, String zoneLeaders) {
        return SshTarget.of(zone, Leaders.parse(zoneLeaders).leaderOf(zone));
    }
}
