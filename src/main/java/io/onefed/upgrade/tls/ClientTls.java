package io.onefed.upgrade.tls;

import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.federation.TrustStoreProperties;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS side of the XML-RPC client: a socket factory of its own, trusting the configured trust store (or the
 * JVM's default CA certificates when none is set) and always verifying the host name. It is set on each
 * {@code HttpsURLConnection} the transport opens; {@code HttpsURLConnection.setDefaultSSLSocketFactory} and
 * {@code SSLContext.setDefault} are never called, so nothing else in the JVM (webhooks, the database driver)
 * starts trusting the front-ends' CA.
 */
public final class ClientTls {

    private final SSLSocketFactory socketFactory;
    private final String trustSource;

    private ClientTls(KeyStore trust, String trustSource) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust); // null: the JVM's default CA certificates
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            this.socketFactory = new HostnameVerifyingSocketFactory(context.getSocketFactory());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JVM: " + e.getMessage(), e);
        }
        this.trustSource = trustSource;
    }

    /** The JVM's default CA certificates. */
    public static ClientTls jvmDefault() {
        return new ClientTls(null, "the JVM's default CA certificates (no " + TrustStores.FIELD + " is set)");
    }

    /** The configured trust store, or the JVM's CA certificates when none is set. */
    public static ClientTls of(TrustStoreProperties store, SecretResolver secrets) {
        if (store == null || store.path() == null) {
            return jvmDefault();
        }
        return new ClientTls(TrustStores.load(store, secrets), "the trust store " + store.path()
                + " (" + TrustStores.FIELD + ")");
    }

    public SSLSocketFactory socketFactory() {
        return socketFactory;
    }

    /** What the certificates were checked against, for error messages. */
    public String trustSource() {
        return trustSource;
    }

    /**
     * Turns on host name verification in the handshake itself (endpoint identification "HTTPS") on every socket,
     * so it holds even if some library replaced the JVM-wide default {@code HostnameVerifier} with a lenient one.
     */
    static final class HostnameVerifyingSocketFactory extends SSLSocketFactory {
        private final SSLSocketFactory delegate;

        HostnameVerifyingSocketFactory(SSLSocketFactory delegate) {
            this.delegate = delegate;
        }

        private static Socket verifying(Socket socket) {
            if (socket instanceof SSLSocket ssl) {
                SSLParameters params = ssl.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(params);
            }
            return socket;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket() throws IOException {
            return verifying(delegate.createSocket());
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return verifying(delegate.createSocket(s, host, port, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return verifying(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return verifying(delegate.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return verifying(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return verifying(delegate.createSocket(address, port, localAddress, localPort));
        }
    }
}
