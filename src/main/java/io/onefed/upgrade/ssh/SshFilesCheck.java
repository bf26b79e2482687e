package io.onefed.upgrade.ssh;

import io.onefed.upgrade.federation.ConfigProblem;
import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.federation.SshProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * The start-up check of the SSH files, before any connection: the private keys exist, are private keys and are
 * encrypted only where a passphrase is configured; known_hosts holds entries, or can take new ones. Only headers
 * are looked at and nothing is kept; JSch ({@link JschSessions}, {@link KnownHostsVerifier}) reads the material
 * itself when it connects. Problems name the field as written in YAML and the fix.
 */
public final class SshFilesCheck {

    enum KeyKind { PLAIN, ENCRYPTED, NOT_A_KEY }

    private SshFilesCheck() {
    }

    /** The federation's key ({@code federation.ssh.private-key}) and known_hosts file. */
    public static List<ConfigProblem> federationFiles(SshProperties ssh) {
        List<ConfigProblem> out = new ArrayList<>();
        String keyField = "federation.ssh.private-key";
        if (isBlank(ssh.privateKey())) {
            out.add(new ConfigProblem(keyField, "no SSH private key is configured",
                    "set " + keyField + " to the path of the key oneadmin's front-ends accept (e.g. /etc/one-fed-upgrade/id_ed25519)"));
        } else {
            Path key = Path.of(ssh.privateKey());
            String unreadable = SecretResolver.unreadableFile(key);
            if (unreadable != null) {
                out.add(new ConfigProblem(keyField, "the key file " + key + " " + unreadable,
                        "point " + keyField + " to an existing private key file readable by the service's user"));
            } else {
                KeyKind kind = keyKind(key);
                if (kind == KeyKind.NOT_A_KEY) {
                    out.add(new ConfigProblem(keyField, "the file " + key + " is not a private key (expected an OpenSSH,"
                            + " PEM or PuTTY private key, e.g. '-----BEGIN OPENSSH PRIVATE KEY-----')",
                            "point " + keyField + " to the private key, not the .pub file or another file"));
                } else if (kind == KeyKind.ENCRYPTED && (ssh.passphrase() == null || ssh.passphrase().isEmpty())) {
                    out.add(new ConfigProblem("federation.ssh.passphrase", "the key " + key + " is protected by a"
                            + " passphrase, but none is configured",
                            "set federation.ssh.passphrase.env or federation.ssh.passphrase.file"));
                }
            }
        }
        knownHosts(out, ssh);
        return out;
    }

    private static void knownHosts(List<ConfigProblem> out, SshProperties ssh) {
        String khField = "federation.ssh.known-hosts";
        if (isBlank(ssh.knownHosts())) {
            out.add(new ConfigProblem(khField, "no known_hosts file is configured: host keys must be verified",
                    "set " + khField + " to a known_hosts file holding the front-ends' keys"
                            + (ssh.acceptNewHostKeys() ? " (it is created if missing)" : "")));
        } else if (!ssh.acceptNewHostKeys()) {
            Path kh = Path.of(ssh.knownHosts());
            String unreadable = SecretResolver.unreadableFile(kh);
            if (unreadable != null) {
                out.add(new ConfigProblem(khField, "the known_hosts file " + kh + " " + unreadable,
                        "create it with the front-ends' keys (ssh-keyscan -H <host> >> " + kh + ") or set"
                                + " federation.ssh.accept-new-host-keys: true to record them on first contact"));
            } else if (!knownHostsHasEntries(kh)) {
                out.add(new ConfigProblem(khField, "the known_hosts file " + kh + " holds no host key, so every"
                        + " connection would be refused", "add the front-ends' keys (ssh-keyscan -H <host> >> " + kh
                        + ") or set federation.ssh.accept-new-host-keys: true"));
            }
        } else {
            Path kh = Path.of(ssh.knownHosts()).toAbsolutePath();
            if (Files.exists(kh)) {
                if (!Files.isRegularFile(kh) || !Files.isWritable(kh)) {
                    out.add(new ConfigProblem(khField, "new host keys are accepted, but " + kh + " is not a writable file",
                            "make " + kh + " a regular file writable by the service's user"));
                }
            } else if (kh.getParent() == null || !Files.isDirectory(kh.getParent()) || !Files.isWritable(kh.getParent())) {
                out.add(new ConfigProblem(khField, "new host keys are accepted, but the directory of " + kh
                        + " does not exist or is not writable, so they cannot be recorded",
                        "create the directory " + kh.getParent() + " writable by the service's user, or choose another path"));
            }
        }
    }

    /** What works but deserves the operator's attention: keys read by others, host keys accepted on first contact. */
    public static List<ConfigProblem> warnings(SshProperties ssh) {
        List<ConfigProblem> out = new ArrayList<>();
        if (ssh.acceptNewHostKeys()) {
            out.add(new ConfigProblem("federation.ssh.accept-new-host-keys", "unknown host keys will be accepted and"
                    + " recorded in " + ssh.knownHosts() + " on first contact (a changed key is still refused)",
                    "pre-fill known_hosts (ssh-keyscan -H <host> >> file) and set accept-new-host-keys: false"));
        }
        if (!isBlank(ssh.privateKey())) {
            try {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(Path.of(ssh.privateKey()));
                if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                    out.add(new ConfigProblem("federation.ssh.private-key", "the key file " + ssh.privateKey()
                            + " is readable by other users", "chmod 600 " + ssh.privateKey()));
                }
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                // unreadable keys are reported by federationFiles(); non-POSIX file systems have nothing to say
            }
        }
        return out;
    }

    /** A zone's hypervisor-host key ({@code field} is its YAML path): readable, a private key, no passphrase. */
    public static List<ConfigProblem> nodeKey(String field, Path key) {
        String unreadable = SecretResolver.unreadableFile(key);
        if (unreadable != null) {
            return List.of(new ConfigProblem(field, "the key file " + key + " " + unreadable,
                    "point " + field + " to the hosts' private key readable by the service's user,"
                            + " or leave it out to use federation.ssh.private-key"));
        }
        KeyKind kind = keyKind(key);
        if (kind == KeyKind.NOT_A_KEY) {
            return List.of(new ConfigProblem(field, "the file " + key + " is not a private key",
                    "point " + field + " to the private key, not the .pub file"));
        }
        if (kind == KeyKind.ENCRYPTED) {
            return List.of(new ConfigProblem(field, "the key " + key + " is protected by a passphrase; node keys have none",
                    "use an unencrypted key for the hosts (ssh-keygen -p -N '' -f " + key + ")"));
        }
        return List.of();
    }

    /** Looks at the key's header (and for OpenSSH keys, its cipher name). */
    static KeyKind keyKind(Path key) {
        String text;
        try {
            if (Files.size(key) > 64 * 1024) {
                return KeyKind.NOT_A_KEY;
            }
            text = Files.readString(key, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return KeyKind.NOT_A_KEY;
        }
        String trimmed = text.strip();
        if (trimmed.startsWith("PuTTY-User-Key-File-")) {
            return trimmed.lines().anyMatch(l -> l.startsWith("Encryption:") && !l.contains("none"))
                    ? KeyKind.ENCRYPTED : KeyKind.PLAIN;
        }
        if (!trimmed.startsWith("-----BEGIN ") || !trimmed.lines().findFirst().orElse("").endsWith("PRIVATE KEY-----")) {
            return KeyKind.NOT_A_KEY;
        }
        if (trimmed.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----") || trimmed.contains("Proc-Type: 4,ENCRYPTED")) {
            return KeyKind.ENCRYPTED;
        }
        if (trimmed.startsWith("-----BEGIN OPENSSH PRIVATE KEY-----")) {
            return openSshCipherIsNone(trimmed) ? KeyKind.PLAIN : KeyKind.ENCRYPTED;
        }
        return KeyKind.PLAIN;
    }

    /** False when the file has only blank and comment lines, so every connection would be refused. */
    static boolean knownHostsHasEntries(Path knownHosts) {
        try (var lines = Files.lines(knownHosts, StandardCharsets.UTF_8)) {
            return lines.map(String::strip).anyMatch(l -> !l.isEmpty() && !l.startsWith("#"));
        } catch (IOException | UncheckedIOException e) {
            return true; // unreadable content shows up when SSH reads it, with the file named
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** openssh-key-v1 format: magic "openssh-key-v1\0", then the cipher name as a length-prefixed string. */
    private static boolean openSshCipherIsNone(String pem) {
        StringBuilder body = new StringBuilder();
        pem.lines().filter(l -> !l.startsWith("-----")).forEach(l -> body.append(l.strip()));
        try {
            ByteBuffer buf = ByteBuffer.wrap(Base64.getDecoder().decode(body.toString()));
            byte[] magic = "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);
            byte[] head = new byte[magic.length];
            buf.get(head);
            if (!Arrays.equals(head, magic)) {
                return true; // not something we can read; JSch will say so when it loads the key
            }
            int len = buf.getInt();
            byte[] cipher = new byte[Math.min(len, 64)];
            buf.get(cipher);
            return new String(cipher, StandardCharsets.US_ASCII).equals("none");
        } catch (IllegalArgumentException | BufferUnderflowException e) {
            return true;
        }
    }
}
