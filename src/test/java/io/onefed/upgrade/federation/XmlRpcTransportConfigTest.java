package io.onefed.upgrade.federation;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.testsupport.TestCertificates;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up checks of how XML-RPC is reached: the trust store opens as the client will open it, and plain http
 * to anything but loopback (oneadmin's password in clear text on the network) needs an explicit opt-in.
 */
class XmlRpcTransportConfigTest {

    @TempDir
    static Path certs;
    static TestCertificates.Pair pair;

    @TempDir
    Path dir;
    FederationFixture fed;

    @BeforeAll
    static void certificates() {
        pair = TestCertificates.selfSigned(certs, "oned", "ip:127.0.0.1");
    }

    @BeforeEach
    void setUp() throws IOException {
        fed = new FederationFixture(dir);
        fed.env.put("TRUST_PW", pair.trustStorePassword());
    }

    private static List<String> fields(List<ConfigProblem> problems) {
        return problems.stream().map(ConfigProblem::field).toList();
    }

    private static ConfigProblem only(List<ConfigProblem> problems, String field) {
        assertThat(fields(problems)).containsExactly(field);
        ConfigProblem p = problems.get(0);
        assertThat(p.message()).isNotBlank();
        assertThat(p.fix()).isNotBlank();
        return p;
    }

    @Test
    void theSettingsBindAsWrittenInYaml() {
        java.util.Map<String, String> yaml = java.util.Map.of(
                "federation.xmlrpc.trust-store.path", "/etc/one-fed-upgrade/one-ca.p12",
                "federation.xmlrpc.trust-store.password.env", "ONE_TRUST_STORE_PASSWORD",
                "federation.xmlrpc.allow-plain-http", "true",
                "federation.xmlrpc.read-timeout", "10s");
        XmlRpcProperties xmlrpc = new org.springframework.boot.context.properties.bind.Binder(
                new org.springframework.boot.context.properties.source.MapConfigurationPropertySource(yaml))
                .bind("federation.xmlrpc", XmlRpcProperties.class).get();
        assertThat(xmlrpc.trustStore().path()).isEqualTo("/etc/one-fed-upgrade/one-ca.p12");
        assertThat(xmlrpc.trustStore().type()).isEqualTo("PKCS12");
        assertThat(xmlrpc.trustStore().password().env()).isEqualTo("ONE_TRUST_STORE_PASSWORD");
        assertThat(xmlrpc.plainHttpAllowed()).isTrue();
        assertThat(xmlrpc.readTimeout()).hasSeconds(10);
    }

    @Test
    void aReadableTrustStoreWithItsPasswordIsAccepted() {
        fed.trustStore = new TrustStoreProperties(pair.trustStore().toString(), "PKCS12", new SecretRef("TRUST_PW", null));
        assertThat(fed.validate()).isEmpty();
    }

    @Test
    void aKeytoolStoreWithoutItsPasswordIsNotSilentlyEmpty() {
        // keytool's PKCS12 encrypts the certificates: opened without the password the store trusts nothing
        fed.trustStore = new TrustStoreProperties(pair.trustStore().toString(), null, null);
        assertThat(only(fed.validate(), "federation.xmlrpc.trust-store.password").fix())
                .contains("federation.xmlrpc.trust-store.password.env");
    }

    @Test
    void aMissingTrustStoreFileIsNamed() {
        fed.trustStore = new TrustStoreProperties(dir.resolve("nope.p12").toString(), null, new SecretRef("TRUST_PW", null));
        ConfigProblem p = only(fed.validate(), "federation.xmlrpc.trust-store.path");
        assertThat(p.message()).contains("nope.p12").contains("does not exist");
    }

    @Test
    void aTrustStoreWithoutPathIsNamed() {
        fed.trustStore = new TrustStoreProperties(null, null, new SecretRef("TRUST_PW", null));
        assertThat(only(fed.validate(), "federation.xmlrpc.trust-store.path").fix()).contains("PKCS12");
    }

    @Test
    void aWrongPasswordIsReportedWithoutEchoingAnyPassword() {
        String wrong = "Wr0ng-trust-Pa55";
        fed.env.put("TRUST_PW", wrong);
        fed.trustStore = new TrustStoreProperties(pair.trustStore().toString(), null, new SecretRef("TRUST_PW", null));
        ConfigProblem p = only(fed.validate(), "federation.xmlrpc.trust-store");
        assertThat(p.message()).contains("cannot be opened as PKCS12").contains("wrong password");
        assertThat(p.fix()).contains("env:TRUST_PW");
        assertThat(p.field() + p.message() + p.fix()).doesNotContain(wrong).doesNotContain(pair.trustStorePassword());
    }

    @Test
    void aFileThatIsNotAKeyStoreIsNamed() throws IOException {
        Path pem = pair.certificatePem(); // a PEM certificate, not a PKCS12 store: a common mix-up
        fed.trustStore = new TrustStoreProperties(pem.toString(), null, null);
        assertThat(only(fed.validate(), "federation.xmlrpc.trust-store").message()).contains(pem.toString());
    }

    @Test
    void anUnknownStoreTypeIsNamed() {
        fed.trustStore = new TrustStoreProperties(pair.trustStore().toString(), "PEMX", null);
        assertThat(only(fed.validate(), "federation.xmlrpc.trust-store.type").message()).contains("PEMX");
    }

    @Test
    void anUnsetPasswordVariableIsNamed() {
        fed.trustStore = new TrustStoreProperties(pair.trustStore().toString(), null, new SecretRef("NOT_SET_PW", null));
        assertThat(only(fed.validate(), "federation.xmlrpc.trust-store.password.env").message()).contains("NOT_SET_PW");
    }

    @Test
    void anEmptyTrustStoreIsRefused() throws IOException, GeneralSecurityException {
        Path empty = dir.resolve("empty.p12");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (OutputStream out = Files.newOutputStream(empty)) {
            ks.store(out, "pw".toCharArray());
        }
        fed.env.put("EMPTY_PW", "pw");
        fed.trustStore = new TrustStoreProperties(empty.toString(), null, new SecretRef("EMPTY_PW", null));
        assertThat(only(fed.validate(), "federation.xmlrpc.trust-store.path").message()).contains("holds no certificate");
    }

    @Test
    void plainHttpToTheNetworkIsRefusedWithoutTheOptIn() {
        // hole: oneadmin's user:password is every call's first parameter; over plain http anyone on the path reads it
        fed.allowPlainHttp = null;
        List<ConfigProblem> problems = fed.validate();
        // master and Geneva are plain http (Geneva's three servers at their own hosts), California is https
        assertThat(fields(problems)).containsExactly("federation.zones[0].endpoint", "federation.zones[1].endpoint",
                "federation.zones[1].servers[0].host", "federation.zones[1].servers[1].host",
                "federation.zones[1].servers[2].host");
        assertThat(problems.get(0).message()).contains("http://192.168.150.1:2633/RPC2").contains("clear text");
        assertThat(problems.get(0).fix()).contains("https://").contains("federation.xmlrpc.trust-store")
                .contains("federation.xmlrpc.allow-plain-http: true");
        assertThat(problems.get(2).message()).contains("http://fe1.ge.example.org:2633/RPC2");
    }

    @Test
    void withTheOptInPlainHttpIsAcceptedButWarned() {
        fed.allowPlainHttp = true;
        FederationConfigValidator validator = new FederationConfigValidator(fed.env::get);
        assertThat(validator.validate(fed.build())).isEmpty();
        List<ConfigProblem> warnings = validator.warnings(fed.build());
        assertThat(fields(warnings)).contains("federation.xmlrpc.allow-plain-http");
        assertThat(warnings.stream().filter(w -> w.field().equals("federation.xmlrpc.allow-plain-http")).findFirst()
                .orElseThrow().message()).contains("5 plain http endpoint(s)");
    }

    @Test
    void loopbackAndHttpsNeedNoOptIn() {
        fed.allowPlainHttp = false;
        fed.zone(0).endpoint = "http://127.0.0.1:2633/RPC2";
        // solo zones: their servers (at LAN hosts) are never called at an endpoint of their own
        fed.zone(1).endpoint = "https://192.168.150.2:2633/RPC2";
        fed.zone(2).endpoint = "http://[::1]:2634/RPC2";
        assertThat(fed.validate()).isEmpty();
        assertThat(new FederationConfigValidator(fed.env::get).warnings(fed.build()))
                .extracting(ConfigProblem::field).doesNotContain("federation.xmlrpc.allow-plain-http");

        assertThat(FederationConfigValidator.isPlainHttpToNetwork("http://localhost:2633/RPC2")).isFalse();
        assertThat(FederationConfigValidator.isPlainHttpToNetwork("http://127.0.0.2:2633/RPC2")).isFalse();
        // a name is not resolved: whatever it points to today, it may be the network tomorrow
        assertThat(FederationConfigValidator.isPlainHttpToNetwork("http://oned.localdomain:2633/RPC2")).isTrue();
        assertThat(FederationConfigValidator.isPlainHttpToNetwork("http://10.0.0.1:2633/RPC2")).isTrue();
        assertThat(FederationConfigValidator.isPlainHttpToNetwork("https://10.0.0.1:2633/RPC2")).isFalse();
    }
}
