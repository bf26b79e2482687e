package io.onefed.upgrade.ssh;

import java.time.Duration;

/**
 * Copies a file from one host to another over SFTP (through the orchestrator), then verifies on the receiving
 * host that its SHA-256 equals the sender's. A mismatch deletes the partial copy and fails.
 */
public interface FileTransfer {

    TransferResult copy(SshTarget from, String fromPath, SshTarget to, String toPath);

    /**
     * One bounded piece of a copy, so that no engine job holds its lock for a whole multi-GB file: copies from
     * {@code resume}'s offset (a new copy when null) for at most {@code maxTime} or {@code maxBytes}, and returns
     * either the finished, verified copy or where to resume. The caller keeps the {@link Resume} durably (it holds
     * a path and an offset, never content) and passes it to the next piece, on this node or another after a crash.
     * This default copies the whole file in one piece.
     */
    default Piece copyPiece(SshTarget from, String fromPath, SshTarget to, String toPath, Resume resume,
            Duration maxTime, long maxBytes) {
        return Piece.finished(copy(from, fromPath, to, toPath));
    }

    /**
     * {@link #copyPiece(SshTarget, String, SshTarget, String, Resume, Duration, long)} checked against the source's
     * digest known already ({@code sourceSha256}, taken before the copy), so the sender is not read a second time:
     * a federated backup copied to 100 slaves is checksummed once on the master, not once per slave.
     */
    default Piece copyPiece(SshTarget from, String fromPath, SshTarget to, String toPath, Resume resume,
            Duration maxTime, long maxBytes, String sourceSha256) {
        return copyPiece(from, fromPath, to, toPath, resume, maxTime, maxBytes);
    }

    record TransferResult(String toPath, long bytes, String sha256) {
    }

    /**
     * A copy under way: its part file on the receiver and the bytes of it that a committed piece wrote;
     * {@code copied}: those are all of the source's, only the digest check and the move into place are left.
     */
    record Resume(String part, long offset, boolean copied) {

        public Resume(String part, long offset) {
            this(part, offset, false);
        }
    }

    /** The outcome of one piece: {@code done} once verified and in place, else {@code resume}. */
    record Piece(TransferResult done, Resume resume) {

        public static Piece finished(TransferResult done) {
            return new Piece(done, null);
        }

        public boolean isDone() {
            return done != null;
        }
    }
}
