package io.onefed.upgrade.tls;

import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.federation.SettingException;
import io.onefed.upgrade.federation.TrustStoreProperties;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.util.Arrays;
import java.util.Collections;

/**
 * Opens the trust store of {@code federation.xmlrpc.trust-store}. Every failure names the setting and the fix;
 * the password is read at the moment of use, wiped after, and never part of a message (the exceptions of
 * {@link KeyStore#load} are not passed on as causes: their text is the store's, but nothing here needs it).
 */
public final class TrustStores {

    public static final String FIELD = "federation.xmlrpc.trust-store";

    private TrustStores() {
    }

    /** The store, holding at least one certificate. */
    public static KeyStore load(TrustStoreProperties store, SecretResolver secrets) {
        if (store == null || store.path() == null) {
            throw new TrustStoreException(FIELD + ".path", "no trust store file is configured",
                    "set " + FIELD + ".path to a PKCS12 file holding the CA certificate(s) of the front-ends");
        }
        KeyStore keyStore;
        try {
            keyStore = KeyStore.getInstance(store.type());
        } catch (KeyStoreException e) {
            throw new TrustStoreException(FIELD + ".type", "'" + store.type() + "' is not a key store type this JVM knows",
                    "set " + FIELD + ".type to PKCS12 (the default) or JKS");
        }
        Path path = Path.of(store.path());
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new TrustStoreException(FIELD + ".path", "the trust store " + path
                    + (Files.exists(path) ? " is not a readable file" : " does not exist"),
                    "point " + FIELD + ".path to the trust store file, readable by the service's user");
        }
        char[] password = store.password() == null || store.password().isEmpty()
                ? null : secrets.resolve(store.password(), FIELD + ".password");
        try (InputStream in = Files.newInputStream(path)) {
            keyStore.load(in, password);
        } catch (IOException | GeneralSecurityException e) {
            // wrong password and a file of another format both end here: KeyStore does not tell them apart reliably
            throw new TrustStoreException(FIELD, "the trust store " + path + " cannot be opened as " + store.type()
                    + " (" + e.getClass().getSimpleName() + "): wrong password, or not a " + store.type() + " file",
                    "check " + FIELD + ".password (" + (store.password() == null ? "none set" : store.password())
                            + ") and " + FIELD + ".type, e.g. keytool -list -keystore " + path + " -storetype " + store.type());
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
        try {
            boolean anyCertificate = false;
            for (String alias : Collections.list(keyStore.aliases())) {
                anyCertificate |= keyStore.isCertificateEntry(alias) || keyStore.getCertificate(alias) != null;
            }
            if (!anyCertificate && password == null) {
                // keytool's PKCS12 stores encrypt their certificates: without the password they read as empty
                throw new TrustStoreException(FIELD + ".password", "the trust store " + path + " shows no certificate"
                        + " without a password (keytool's PKCS12 stores encrypt them), so no https endpoint would be"
                        + " trusted", "set " + FIELD + ".password.env or " + FIELD + ".password.file to its password");
            }
            if (!anyCertificate) {
                throw new TrustStoreException(FIELD + ".path", "the trust store " + path + " holds no certificate,"
                        + " so no https endpoint would be trusted", "import the CA certificate: keytool -importcert"
                        + " -keystore " + path + " -storetype " + store.type() + " -alias one-ca -file ca.pem");
            }
        } catch (KeyStoreException e) {
            throw new IllegalStateException("key store loaded but not initialized", e);
        }
        return keyStore;
    }

    /** A trust store that cannot be used; the message names the setting and the fix, never the password. */
    public static final class TrustStoreException extends SettingException {

        TrustStoreException(String field, String problem, String fix) {
            super(field, problem, fix);
        }
    }
}
