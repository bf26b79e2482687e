package io.onefed.upgrade.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed certificates made at run time with the running JDK's {@code keytool}, so no private key is ever
 * committed. A missing keytool fails the test loudly.
 */
public final class TestCertificates {

    private TestCertificates() {
    }

    /** A PKCS12 key store with one self-signed key pair, and a PKCS12 trust store holding only its certificate. */
    public record Pair(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword, Path certificatePem) {

        /** A server-side context presenting the key pair. */
        public SSLContext serverContext() {
            try (InputStream in = Files.newInputStream(keyStore)) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(in, keyStorePassword.toCharArray());
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, keyStorePassword.toCharArray());
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(kmf.getKeyManagers(), null, null);
                return context;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot load the test key store " + keyStore, e);
            }
        }

        /** A client-side context trusting this certificate only. */
        public SSLContext clientContext() {
            try (InputStream in = Files.newInputStream(trustStore)) {
                KeyStore ts = KeyStore.getInstance("PKCS12");
                ts.load(in, trustStorePassword.toCharArray());
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ts);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, tmf.getTrustManagers(), null);
                return context;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot load the test trust store " + trustStore, e);
            }
        }
    }

    /**
     * @param san subjectAltName as keytool takes it, e.g. {@code ip:127.0.0.1,dns:localhost}
     */
    public static Pair selfSigned(Path dir, String name, String san) {
        try {
            Files.createDirectories(dir);
            Path keyStore = dir.resolve(name + "-key.p12");
            Path trustStore = dir.resolve(name + "-trust.p12");
            Path pem = dir.resolve(name + ".pem");
            for (Path p : List.of(keyStore, trustStore, pem)) {
                Files.deleteIfExists(p);
            }
            String keyPassword = name + "-key-pw";
            String trustPassword = name + "-trust-pw";
            keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=" + name, "-ext", "SAN=" + san, "-validity", "2",
                    "-keystore", keyStore.toString(), "-storetype", "PKCS12",
                    "-storepass", keyPassword, "-keypass", keyPassword);
            keytool("-exportcert", "-rfc", "-alias", name, "-keystore", keyStore.toString(),
                    "-storetype", "PKCS12", "-storepass", keyPassword, "-file", pem.toString());
            keytool("-importcert", "-noprompt", "-alias", name, "-file", pem.toString(),
                    "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", trustPassword);
            return new Pair(keyStore, keyPassword, trustStore, trustPassword, pem);
        } catch (IOException e) {
            throw new IllegalStateException("cannot make test certificates in " + dir, e);
        }
    }

    private static void keytool(String... args) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        if (!Files.isExecutable(keytool)) {
            throw new IllegalStateException("keytool not found at " + keytool + ": the TLS tests need the JDK's keytool");
        }
        List<String> command = new ArrayList<>();
        command.add(keytool.toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for keytool", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed (" + process.exitValue() + "): " + output);
        }
    }
}
