package io.onefed.upgrade.opennebula;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.SecretRef;
import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.federation.TrustStoreProperties;
import io.onefed.upgrade.federation.XmlRpcProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.testsupport.TestCertificates;
import io.onefed.upgrade.tls.ClientTls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code https://} XML-RPC endpoints (oned behind a TLS proxy), played by {@link FakeOned} with certificates
 * made by keytool at run time. The attacks: a listener whose certificate the service does not trust, and one
 * with a trusted certificate issued for another name, each waiting for oneadmin's session; neither may receive
 * a single request.
 */
class XmlRpcTlsTest {

    private static final String SESSION = "oneadmin:tls-Pa55word";
    private static final OneCallLimits LIMITS =
            new OneCallLimits(Duration.ofSeconds(2), Duration.ofSeconds(2), 1024 * 1024, Duration.ofSeconds(10));

    @TempDir
    static Path dir;
    /** Issued for 127.0.0.1 and localhost, as a proxy's certificate for the front-end's address. */
    static TestCertificates.Pair oned;
    /** Issued for another host only. */
    static TestCertificates.Pair other;

    @BeforeAll
    static void certificates() {
        oned = TestCertificates.selfSigned(dir, "oned", "ip:127.0.0.1,dns:localhost");
        other = TestCertificates.selfSigned(dir, "elsewhere", "dns:elsewhere.example.org");
    }

    private static TrustStoreProperties trustStore(TestCertificates.Pair pair) throws IOException {
        Path password = dir.resolve(pair.trustStore().getFileName() + ".password");
        Files.writeString(password, pair.trustStorePassword() + "\n");
        return new TrustStoreProperties(pair.trustStore().toString(), null, new SecretRef(null, password.toString()));
    }

    private static ClientTls trusting(TestCertificates.Pair pair) throws IOException {
        return ClientTls.of(trustStore(pair), new SecretResolver(Map.of()));
    }

    private static XmlRpcOneClient client(String endpoint, ClientTls tls) {
        return new XmlRpcOneClient(endpoint, LIMITS, SESSION::toCharArray, tls);
    }

    @Test
    void aTrustedCertificateForTheEndpointsNameWorks() throws IOException {
        try (FakeOned fake = new FakeOned(oned.serverContext()).success("one.system.version", "7.0.0")) {
            ClientTls tls = trusting(oned);

            assertThat(client(fake.endpoint(), tls).systemVersion()).isEqualTo("7.0.0");
            assertThat(client(fake.endpoint("localhost"), tls).systemVersion()).isEqualTo("7.0.0");
            assertThat(fake.requests()).hasSize(2).allSatisfy(r -> assertThat(r).contains(SESSION));
        }
    }

    @Test
    void anUntrustedCertificateIsRefusedBeforeTheSessionIsSent() throws IOException {
        // attack: a listener with a certificate of its own (not in the trust store) waits for the session
        try (FakeOned fake = new FakeOned(oned.serverContext()).success("one.system.version", "7.0.0")) {
            assertThatThrownBy(() -> client(fake.endpoint(), ClientTls.jvmDefault()).systemVersion())
                    .isInstanceOf(OneUnreachableException.class)
                    .hasMessageContaining(fake.endpoint())
                    .hasMessageContaining("is not trusted by the JVM's default CA certificates")
                    .hasMessageContaining("federation.xmlrpc.trust-store")
                    .message().doesNotContain("tls-Pa55word");
            // a trust store holding another certificate does not help either, and says which store it was
            assertThatThrownBy(() -> client(fake.endpoint(), trusting(other)).systemVersion())
                    .isInstanceOf(OneUnreachableException.class)
                    .hasMessageContaining("not trusted by the trust store " + other.trustStore());
            assertThat(fake.requests()).isEmpty();
        }
    }

    @Test
    void aTrustedCertificateForAnotherNameIsRefused() throws IOException {
        // attack: a certificate the service trusts (for elsewhere.example.org) presented by this endpoint instead
        try (FakeOned fake = new FakeOned(other.serverContext()).success("one.system.version", "7.0.0")) {
            assertThatThrownBy(() -> client(fake.endpoint(), trusting(other)).systemVersion())
                    .isInstanceOf(OneUnreachableException.class)
                    .hasMessageContaining(fake.endpoint())
                    .hasMessageContaining("not issued for that name")
                    .hasMessageContaining("host name verification stays on");
            assertThat(fake.requests()).isEmpty();
        }
    }

    @Test
    void hostNamesAreVerifiedEvenIfTheJvmWideVerifierWasMadeLenient() throws IOException {
        // a library in the same JVM switching host name checks off for everyone must not switch off ours
        HostnameVerifier before = HttpsURLConnection.getDefaultHostnameVerifier();
        HttpsURLConnection.setDefaultHostnameVerifier((host, session) -> true);
        try (FakeOned fake = new FakeOned(other.serverContext()).success("one.system.version", "7.0.0")) {
            assertThatThrownBy(() -> client(fake.endpoint(), trusting(other)).systemVersion())
                    .isInstanceOf(OneUnreachableException.class)
                    .hasMessageContaining("not issued for that name");
            assertThat(fake.requests()).isEmpty();
        } finally {
            HttpsURLConnection.setDefaultHostnameVerifier(before);
        }
    }

    @Test
    void theTrustStoreDoesNotBecomeTheJvmsDefault() throws Exception {
        SSLSocketFactory defaultFactory = HttpsURLConnection.getDefaultSSLSocketFactory();
        SSLContext defaultContext = SSLContext.getDefault();
        try (FakeOned fake = new FakeOned(oned.serverContext()).success("one.system.version", "7.0.0")) {
            assertThat(client(fake.endpoint(), trusting(oned)).systemVersion()).isEqualTo("7.0.0");

            assertThat(HttpsURLConnection.getDefaultSSLSocketFactory()).isSameAs(defaultFactory);
            assertThat(SSLContext.getDefault()).isSameAs(defaultContext);
            // any other https client of the JVM (webhooks, ...) still does not trust the front-ends' certificate
            HttpsURLConnection other = (HttpsURLConnection) new URL(fake.endpoint()).openConnection();
            other.setConnectTimeout(2000);
            other.setReadTimeout(2000);
            assertThatThrownBy(other::connect).isInstanceOf(SSLHandshakeException.class);
            assertThat(fake.requests()).hasSize(1);
        }
    }

    @Test
    void plainHttpToAnHttpsPortFailsWithAClearMessage() throws IOException {
        try (FakeOned fake = new FakeOned(oned.serverContext())) {
            assertThatThrownBy(() -> client(fake.endpoint().replace("https:", "http:"), trusting(oned)).systemVersion())
                    .isInstanceOf(OneUnreachableException.class)
                    .hasMessageContaining(fake.endpoint().replace("https:", "http:"));
            assertThat(fake.requests()).isEmpty();
        }
        // and https to a plain http port (oned itself, which answers a TLS hello with an HTTP error) names the cause
        try (ServerSocket plain = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread answer = new Thread(() -> {
                try (Socket s = plain.accept()) {
                    s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // closed by the test
                }
            }, "plain-http-oned");
            answer.setDaemon(true);
            answer.start();
            assertThatThrownBy(() -> client("https://127.0.0.1:" + plain.getLocalPort() + "/RPC2", trusting(oned))
                    .systemVersion())
                    .isInstanceOf(OneUnreachableException.class)
                    .hasMessageContaining("TLS handshake failed")
                    .hasMessageContaining("really speaks https");
        }
    }

    @Test
    void defaultOneClientsUseTheConfiguredTrustStore() throws IOException {
        try (FakeOned fake = new FakeOned(oned.serverContext()).success("one.system.version", "7.0.0")) {
            ZoneProperties zone = new ZoneProperties(0, "zone-0", "master", fake.endpoint(), false, "debian",
                    null, null, null, null, null);
            FederationProperties fed = new FederationProperties("test", new SecretRef("ONE_AUTH_TEST", null), null,
                    new XmlRpcProperties(Duration.ofSeconds(2), Duration.ofSeconds(2), trustStore(oned), false),
                    List.of(zone));
            DefaultOneClients clients = new DefaultOneClients(fed, new SecretResolver(Map.of("ONE_AUTH_TEST", SESSION)),
                    OneClientProperties.defaults());

            assertThat(clients.forZone(zone).systemVersion()).isEqualTo("7.0.0");
            // the status probes pass timeouts of their own: the trust store still applies
            assertThat(clients.forEndpoint(fake.endpoint(), new XmlRpcProperties(Duration.ofSeconds(1), Duration.ofSeconds(1)))
                    .systemVersion()).isEqualTo("7.0.0");
        }
    }
}
