package io.onefed.upgrade.ssh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;

/**
 * What the start-up check needs to know of the SSH files before any connection: is a file a private key, is it
 * encrypted, does a known_hosts file hold any entry. Only headers are looked at and nothing is kept; JSch
 * ({@link JschSessions}, {@link KnownHostsVerifier}) reads the material itself when it connects.
 */
public final class SshKeyFiles {

    public enum KeyKind { PLAIN, ENCRYPTED, NOT_A_KEY }

    private SshKeyFiles() {
    }

    /** Looks at the key's header (and for OpenSSH keys, its cipher name). */
    public static KeyKind keyKind(Path key) {
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
    public static boolean knownHostsHasEntries(Path knownHosts) {
        try (var lines = Files.lines(knownHosts, StandardCharsets.UTF_8)) {
            return lines.map(String::strip).anyMatch(l -> !l.isEmpty() && !l.startsWith("#"));
        } catch (IOException | UncheckedIOException e) {
            return true; // unreadable content shows up when SSH reads it, with the file named
        }
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
