package io.onefed.upgrade.simulator;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Iterator;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;

/**
 * Key pairs of the simulation (host keys, the orchestrator's client key): ECDSA P-256 in OpenSSH format, which
 * both MINA and JSch read without extra providers. A key file that exists is reused, so a restarted
 * simulation presents the same host keys.
 */
final class SimKeys {

    private SimKeys() {
    }

    static KeyPair loadOrCreate(Path privateKey, String comment) {
        try {
            if (Files.exists(privateKey)) {
                Iterator<KeyPair> keys = new FileKeyPairProvider(privateKey).loadKeys(null).iterator();
                if (keys.hasNext()) {
                    return keys.next();
                }
            }
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = gen.generateKeyPair();
            Files.createDirectories(privateKey.getParent());
            Files.deleteIfExists(privateKey);
            Files.createFile(privateKey, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(privateKey)) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, comment, null, out);
            }
            Files.writeString(privateKey.resolveSibling(privateKey.getFileName() + ".pub"),
                    publicKeyLine(pair) + " " + comment + "\n");
            return pair;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create or read the simulator key " + privateKey, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an ECDSA P-256 key for " + privateKey, e);
        }
    }

    /** {@code ecdsa-sha2-nistp256 AAAA...}: the form of authorized_keys and known_hosts. */
    static String publicKeyLine(KeyPair pair) {
        return PublicKeyEntry.toString(pair.getPublic());
    }
}
