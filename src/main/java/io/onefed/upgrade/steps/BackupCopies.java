package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.ssh.FileTransfer;
import io.onefed.upgrade.ssh.SshTarget;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The backup steps of an upgrade, each one call for its delegate: checksum the master's federated backup, carry
 * it to a slave's leader, spread an HA leader's dump or packed configuration to its followers. Copies are
 * checksum verified ({@link BackupTransfer}), so running a step again is harmless. A copy goes in bounded pieces
 * (at most {@code pieceTime} or {@code pieceBytes} each), one job each: a step returns an {@link Advance} whose
 * {@code progress} the caller keeps in a process variable and passes back until it is done.
 */
public class BackupCopies {

    /** The master's federated backup: where it lies on the master's leader, its digest, the shared tables version. */
    public record FederatedBackup(String path, String sha256, String masterSharedDbVersion) {
    }

    /** A copy's piece at most this long: a job's hold stays far under the engine's lock (20 s). */
    public static final Duration DEFAULT_PIECE_TIME = Duration.ofSeconds(4);
    /** And at most this many bytes, so that a fast network does not make one piece's part file re-cut large. */
    public static final long DEFAULT_PIECE_BYTES = 256L * 1024 * 1024;

    /**
     * Where a copy step stands between its jobs: {@code result} once done (the path or digest the step gives),
     * else {@code progress}, to pass to the step's next call. Progress holds paths, a digest and offsets only.
     */
    public record Advance(String result, String progress) {

        public boolean done() {
            return progress == null;
        }
    }

    private final BackupTransfer transfer;
    private final DbVersionReader dbVersions;
    private final Duration pieceTime;
    private final long pieceBytes;
    private final JobLock jobLock;
    private final Clock clock;

    public BackupCopies(BackupTransfer transfer, DbVersionReader dbVersions) {
        this(transfer, dbVersions, DEFAULT_PIECE_TIME, DEFAULT_PIECE_BYTES);
    }

    public BackupCopies(BackupTransfer transfer, DbVersionReader dbVersions, Duration pieceTime, long pieceBytes) {
        this(transfer, dbVersions, pieceTime, pieceBytes, JobLock.NONE, Clock.systemUTC());
    }

    /** @param jobLock when the job copying a piece took its lock: the piece's time counts from then */
    public BackupCopies(BackupTransfer transfer, DbVersionReader dbVersions, Duration pieceTime, long pieceBytes,
            JobLock jobLock) {
        this(transfer, dbVersions, pieceTime, pieceBytes, jobLock, Clock.systemUTC());
    }

    BackupCopies(BackupTransfer transfer, DbVersionReader dbVersions, Duration pieceTime, long pieceBytes,
            JobLock jobLock, Clock clock) {
        if (pieceTime.isNegative() || pieceTime.isZero() || pieceBytes < 1) {
            throw new IllegalArgumentException("a copy piece needs a positive time and size: " + pieceTime + ", "
                    + pieceBytes + " bytes");
        }
        this.transfer = transfer;
        this.dbVersions = dbVersions;
        this.pieceTime = pieceTime;
        this.pieceBytes = pieceBytes;
        this.jobLock = jobLock;
        this.clock = clock;
    }

    /** {@code master} is {@code ctx}'s zone; the shared version is what every slave's federated restore must end with. */
    public FederatedBackup checksumFederated(StepContext master, String zoneLeaders) {
        String path = ZoneCommands.federatedBackupPath(master);
        SshTarget leader = BackupTransfer.leaderTarget(master.zone(), zoneLeaders);
        return new FederatedBackup(path, transfer.sha256(leader, path), dbVersions.sharedVersion(master.zone(), leader));
    }

    /** Copies the master's backup into the slave's own upgrade directory; returns the path there. */
    public String federatedToSlave(ZoneProperties master, StepContext slave, String zoneLeaders, String masterPath,
            String sha256) {
        return untilDone(progress -> federatedToSlave(master, slave, zoneLeaders, masterPath, sha256, progress));
    }

    /** One piece of {@link #federatedToSlave(ZoneProperties, StepContext, String, String, String)}. */
    public Advance federatedToSlave(ZoneProperties master, StepContext slave, String zoneLeaders, String masterPath,
            String sha256, String progress) {
        String slavePath = ZoneCommands.upgradeDir(slave) + "/" + masterPath.substring(masterPath.lastIndexOf('/') + 1);
        Progress at = Progress.decode(progress, sha256);
        FileTransfer.Piece piece = transfer.copyPiece(BackupTransfer.leaderTarget(master, zoneLeaders), masterPath,
                BackupTransfer.leaderTarget(slave.zone(), zoneLeaders), slavePath, sha256, at.resume(), pieceTime(),
                pieceBytes);
        return piece.isDone() ? new Advance(piece.done().toPath(), null)
                : new Advance(null, new Progress(0, sha256, piece.resume()).encode());
    }

    /** An HA zone's leader dump ({@link ZoneCommands#leaderDumpPath}) to its followers; returns its digest. */
    public Advance leaderDumpToFollowers(String upgradeId, ZoneProperties zone, String from, String target,
            String zoneLeaders, String progress) {
        StepContext ctx = StepContext.onLeader(upgradeId, zone, from, target, zoneLeaders);
        return leaderFileToFollowers(zone, zoneLeaders, ZoneCommands.leaderDumpPath(ctx), progress);
    }

    /** An HA zone's packed leader configuration ({@link ZoneCommands#leaderConfigPath}) to its followers. */
    public Advance leaderConfigToFollowers(String upgradeId, ZoneProperties zone, String from, String target,
            String zoneLeaders, String progress) {
        StepContext ctx = StepContext.onLeader(upgradeId, zone, from, target, zoneLeaders);
        return leaderFileToFollowers(zone, zoneLeaders, ZoneCommands.leaderConfigPath(ctx), progress);
    }

    /** A zone's pre-upgrade database backup ({@link ZoneCommands#beforeUpgradeBackupPath}) to its followers (rollback). */
    public Advance rollbackBackupToFollowers(String upgradeId, ZoneProperties zone, String from, String target,
            String zoneLeaders, String progress) {
        StepContext ctx = StepContext.onLeader(upgradeId, zone, from, target, zoneLeaders);
        return leaderFileToFollowers(zone, zoneLeaders, ZoneCommands.beforeUpgradeBackupPath(ctx), progress);
    }

    /** Copies {@code path} from the zone's leader to the same path on each other server; returns its digest. */
    public String leaderFileToFollowers(ZoneProperties zone, String zoneLeaders, String path) {
        return untilDone(progress -> leaderFileToFollowers(zone, zoneLeaders, path, progress));
    }

    /**
     * Followers one after another, pieces of one follower's copy per call; a call that finishes a follower goes on
     * with the next while its time lasts. The leader's digest is taken once, by the first call.
     */
    public Advance leaderFileToFollowers(ZoneProperties zone, String zoneLeaders, String path, String progress) {
        Duration first = pieceTime();
        Instant deadline = clock.instant().plus(first);
        SshTarget leader = BackupTransfer.leaderTarget(zone, zoneLeaders);
        Progress at = progress == null ? new Progress(0, transfer.sha256(leader, path), null)
                : Progress.decode(progress, null);
        List<ServerProperties> followers = zone.servers().stream()
                .filter(server -> !server.name().equals(leader.serverName())).toList();
        for (int i = at.follower(); i < followers.size(); i++) {
            FileTransfer.Resume resume = i == at.follower() ? at.resume() : null;
            Duration left = Duration.between(clock.instant(), deadline);
            if (i > at.follower() && (left.isNegative() || left.isZero())) {
                return new Advance(null, new Progress(i, at.sha256(), null).encode());
            }
            FileTransfer.Piece piece = transfer.copyPiece(leader, path, SshTarget.of(zone, followers.get(i)), path,
                    at.sha256(), resume, i == at.follower() ? first : left, pieceBytes);
            if (!piece.isDone()) {
                return new Advance(null, new Progress(i, at.sha256(), piece.resume()).encode());
            }
        }
        return new Advance(at.sha256(), null);
    }

    /**
     * The time this call's piece has: {@code pieceTime} from its job's lock, so a job that waited for a thread (the
     * 100 slaves' copies become due together) ends as early as one that ran at once; a second at least, so a late
     * job still makes progress. Outside a job, {@code pieceTime} from now.
     */
    Duration pieceTime() {
        Instant now = clock.instant();
        Instant from = jobLock.lockedAt().filter(lockedAt -> lockedAt.isBefore(now)).orElse(now);
        Duration left = Duration.between(now, from.plus(pieceTime));
        return left.compareTo(MIN_PIECE_TIME) < 0 ? MIN_PIECE_TIME : left;
    }

    /** The least a piece is given, however late its job ran. */
    static final Duration MIN_PIECE_TIME = Duration.ofSeconds(1);

    private static String untilDone(java.util.function.Function<String, Advance> step) {
        String progress = null;
        while (true) {
            Advance a = step.apply(progress);
            if (a.done()) {
                return a.result();
            }
            progress = a.progress();
        }
    }

    /**
     * {@code <follower>|<sha256>|<offset>|<part>}: the follower's index among the zone's followers; the offset reads
     * {@code <bytes>:copied} once every byte is in the part and only its check and move are left.
     */
    record Progress(int follower, String sha256, FileTransfer.Resume resume) {

        private static final String COPIED = ":copied";

        String encode() {
            return follower + "|" + (sha256 == null ? "" : sha256) + "|"
                    + (resume == null ? "|" : resume.offset() + (resume.copied() ? COPIED : "") + "|" + resume.part());
        }

        static Progress decode(String text, String sha256) {
            if (text == null) {
                return new Progress(0, sha256, null);
            }
            String[] f = text.split("\\|", 4);
            if (f.length != 4) {
                throw new IllegalArgumentException("copy progress '" + text + "' is not <follower>|<sha256>|<offset>|<part>");
            }
            boolean copied = f[2].endsWith(COPIED);
            String offset = copied ? f[2].substring(0, f[2].length() - COPIED.length()) : f[2];
            FileTransfer.Resume resume = f[2].isEmpty() ? null : new FileTransfer.Resume(f[3], Long.parseLong(offset), copied);
            return new Progress(Integer.parseInt(f[0]), f[1].isEmpty() ? sha256 : f[1], resume);
        }
    }
}
