package io.onefed.upgrade.ssh;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.UserInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies host keys against a known_hosts file (OpenSSH format, hashed entries included). Every connection
 * looks at the file afresh, so a key an operator adds takes effect without a restart: it is parsed again whenever
 * its identity, size or modification time changed (ssh-keygen -R writes a new file, an append grows it), and
 * otherwise the last parse is used, since at 100 zones the parse of a file with every host in it, once per
 * connection, was 5 % of the service's CPU (benchmark JFR profile, 2026-12-02). An unknown key is refused unless
 * {@code acceptNew} is set, in which case it is appended and logged; a changed key is always refused.
 */
final class KnownHostsVerifier {

    private static final Logger log = LoggerFactory.getLogger(KnownHostsVerifier.class);
    private static final Object APPEND_LOCK = new Object();

    private final Path file;
    private final boolean acceptNew;

    KnownHostsVerifier(Path file, boolean acceptNew) {
        this.file = file;
        this.acceptNew = acceptNew;
    }

    Path file() {
        return file;
    }

    /** A repository for one connection; it remembers what the host presented, for the error message. */
    Check forConnection(String host, int port) {
        return new Check(load(), host, port);
    }

    /** What a parse was of: the file's identity, size and modification time (null: no readable file). */
    private record Stamp(Object fileKey, long size, FileTime modified) {
    }

    private record Parsed(Stamp stamp, HostKeyRepository repository) {
    }

    private volatile Parsed last;
    private final java.util.concurrent.atomic.AtomicInteger parses = new java.util.concurrent.atomic.AtomicInteger();

    private HostKeyRepository load() {
        Stamp stamp = stamp();
        Parsed p = last;
        if (p != null && p.stamp().equals(stamp)) {
            return p.repository(); // JSch's KnownHosts guards its entries itself: shared by concurrent checks
        }
        HostKeyRepository parsed = parse();
        parses.incrementAndGet();
        last = new Parsed(stamp, parsed);
        return parsed;
    }

    /** How often the file was parsed (tests). */
    int parses() {
        return parses.get();
    }

    private Stamp stamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.fileKey(), a.size(), a.lastModifiedTime());
        } catch (IOException e) {
            return new Stamp(null, -1, null); // absent or unreadable: parse() says which
        }
    }

    private HostKeyRepository parse() {
        JSch jsch = new JSch();
        try (InputStream in = Files.isReadable(file) ? Files.newInputStream(file)
                : new ByteArrayInputStream(new byte[0])) {
            // from a stream, so that JSch never rewrites the file itself: only append() writes to it
            jsch.setKnownHosts(in);
        } catch (IOException | JSchException e) {
            throw new SshException("cannot read known_hosts " + file + " (" + e.getMessage()
                    + "); check federation.ssh.known-hosts");
        }
        return jsch.getHostKeyRepository();
    }

    static String fingerprint(byte[] keyBlob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(keyBlob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String fingerprint(HostKey key) {
        return fingerprint(Base64.getDecoder().decode(key.getKey()));
    }

    /** How OpenSSH names a host in known_hosts: plain on port 22, {@code [host]:port} otherwise. */
    static String knownHostsName(String host, int port) {
        return port == 22 ? host : "[" + host + "]:" + port;
    }

    private void append(HostKey key) {
        String line = key.getHost() + " " + key.getType() + " " + key.getKey() + "\n";
        synchronized (APPEND_LOCK) {
            try {
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
                boolean needsNewline = Files.exists(file) && Files.size(file) > 0 && !endsWithNewline();
                Files.writeString(file, (needsNewline ? "\n" : "") + line, StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append the new host key to " + file, e);
            }
        }
    }

    private boolean endsWithNewline() throws IOException {
        byte[] all = Files.readAllBytes(file);
        return all.length == 0 || all[all.length - 1] == '\n';
    }

    final class Check implements HostKeyRepository {
        private final HostKeyRepository known;
        private final String host;
        private final int port;
        private volatile int result = -1;
        private volatile HostKey presented;

        private Check(HostKeyRepository known, String host, int port) {
            this.known = known;
            this.host = host;
            this.port = port;
        }

        @Override
        public int check(String name, byte[] key) {
            int r = known.check(name, key);
            try {
                presented = new HostKey(name, key);
            } catch (JSchException e) {
                presented = null;
            }
            result = r;
            if (r == NOT_INCLUDED && acceptNew && presented != null) {
                append(presented);
                log.warn("Accepted NEW host key of {}:{} ({} {}) and appended it to {} "
                        + "(federation.ssh.accept-new-host-keys=true)", host, port, presented.getType(),
                        fingerprint(presented), file);
                return OK;
            }
            return r;
        }

        /** Host key algorithms to offer first: those known_hosts holds for this host, so a known key is used. */
        List<String> knownAlgorithms() {
            HostKey[] keys = known.getHostKey(knownHostsName(host, port), null);
            Set<String> out = new LinkedHashSet<>();
            if (keys != null) {
                for (HostKey k : keys) {
                    if ("ssh-rsa".equals(k.getType())) {
                        out.add("rsa-sha2-512");
                        out.add("rsa-sha2-256");
                    }
                    out.add(k.getType());
                }
            }
            return new ArrayList<>(out);
        }

        /** The exception for a refused key, or null when the key was not the problem. */
        SshException rejection() {
            HostKey p = presented;
            if (p == null || (result != NOT_INCLUDED && result != CHANGED)) {
                return null;
            }
            String where = host + ":" + port;
            String presentedFp = fingerprint(p);
            String keyscan = "ssh-keyscan -p " + port + " -t " + p.getType() + " " + host + " >> " + file;
            if (result == NOT_INCLUDED) {
                return new SshException.HostKeyRejected("unknown host key: " + where + " presented " + p.getType()
                        + " key " + presentedFp + ", which is not in known_hosts " + file
                        + ". Check the fingerprint on the host (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then add it: "
                        + keyscan + " (or set federation.ssh.accept-new-host-keys=true to record unknown keys, logged)",
                        presentedFp);
            }
            HostKey[] expected = known.getHostKey(knownHostsName(host, port), p.getType());
            List<String> expectedFps = new ArrayList<>();
            if (expected != null) {
                for (HostKey k : expected) {
                    expectedFps.add(fingerprint(k));
                }
            }
            return new SshException.HostKeyRejected("HOST KEY CHANGED: " + where + " presented " + p.getType()
                    + " key " + presentedFp + " but known_hosts " + file + " expects " + String.join(", ", expectedFps)
                    + ". This is a reinstalled host or someone in the middle; the connection was refused. If the change"
                    + " is legitimate, remove the old entry (ssh-keygen -R '" + knownHostsName(host, port) + "' -f "
                    + file + ") and add the verified new key (" + keyscan + ")", presentedFp);
        }

        @Override
        public void add(HostKey hostkey, UserInfo ui) {
            // StrictHostKeyChecking=yes: JSch never adds on its own; accept-new goes through check()
        }

        @Override
        public void remove(String host, String type) {
        }

        @Override
        public void remove(String host, String type, byte[] key) {
        }

        @Override
        public String getKnownHostsRepositoryID() {
            return file.toString();
        }

        @Override
        public HostKey[] getHostKey() {
            return known.getHostKey();
        }

        @Override
        public HostKey[] getHostKey(String host, String type) {
            return known.getHostKey(host, type);
        }
    }
}
