package io.onefed.upgrade.ssh;

/**
 * Copies a file from one host to another over SFTP (through the orchestrator), then verifies on the receiving
 * host that its SHA-256 equals the sender's. A mismatch deletes the partial copy and fails.
 */
public interface FileTransfer {

    TransferResult copy(SshTarget from, String fromPath, SshTarget to, String toPath);

    record TransferResult(String toPath, long bytes, String sha256) {
    }
}
