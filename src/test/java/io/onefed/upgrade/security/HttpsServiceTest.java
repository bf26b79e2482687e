package io.onefed.upgrade.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.testsupport.TestCertificates;
import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service's own HTTPS ({@code server.ssl.*}) with a PKCS12 key store made by keytool at run time: /api,
 * /engine-rest and the webapps' login answer over TLS to a client that trusts the certificate; plain http to the
 * port gets nothing of the service; a client not trusting the certificate does not get to send its password;
 * the session and XSRF cookies are Secure and responses carry HSTS.
 */
class HttpsServiceTest extends SecuredAppTestBase {

    static TestCertificates.Pair service;

    @DynamicPropertySource
    static void tls(DynamicPropertyRegistry registry) {
        service = TestCertificates.selfSigned(Path.of("target", "tls-test"), "service", "ip:127.0.0.1,dns:localhost");
        registry.add("server.ssl.enabled", () -> "true");
        registry.add("server.ssl.key-store", () -> service.keyStore().toAbsolutePath().toString());
        registry.add("server.ssl.key-store-type", () -> "PKCS12");
        registry.add("server.ssl.key-store-password", service::keyStorePassword);
    }

    @LocalServerPort
    int port;

    private final CookieManager cookies = new CookieManager();

    private HttpClient trusting() {
        return HttpClient.newBuilder().sslContext(service.clientContext()).cookieHandler(cookies)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private URI https(String path) {
        return URI.create("https://127.0.0.1:" + port + path);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void apiAnswersOverHttpsWithBasicAuthAndSendsHsts() throws Exception {
        HttpResponse<String> r = send(trusting(), HttpRequest.newBuilder(https("/api/test-probe/whoami"))
                .header("Authorization", basic(OPERATOR, OPERATOR_PASSWORD)).GET().build());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"user\":\"" + OPERATOR + "\"");
        assertThat(r.headers().firstValue("Strict-Transport-Security")).get().asString().contains("max-age=");
    }

    @Test
    void engineRestAnswersOverHttps() throws Exception {
        HttpResponse<String> r = send(trusting(), HttpRequest.newBuilder(https("/engine-rest/engine"))
                .header("Authorization", basic(OPERATOR, OPERATOR_PASSWORD)).GET().build());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("default");
    }

    @Test
    void theWebappsLogInOverHttpsWithSecureCookiesAndHsts() throws Exception {
        HttpClient client = trusting();
        HttpResponse<String> page = send(client, HttpRequest.newBuilder(https("/camunda/app/tasklist/default/")).GET().build());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).containsIgnoringCase("<html");
        String token = cookie("XSRF-TOKEN").getValue();

        String form = "username=" + OPERATOR + "&password=" + URLEncoder.encode(OPERATOR_PASSWORD, StandardCharsets.UTF_8);
        HttpResponse<String> login = send(client, HttpRequest.newBuilder(https("/camunda/api/admin/auth/user/default/login/tasklist"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("X-XSRF-TOKEN", token)
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());

        assertThat(login.statusCode()).isEqualTo(200);
        // hole: a session or XSRF cookie without Secure would also be sent by the browser over a plain http
        // request to the same host (an attacker's http:// link or an injected request), in clear text
        List<String> setCookies = new java.util.ArrayList<>(page.headers().allValues("Set-Cookie"));
        setCookies.addAll(login.headers().allValues("Set-Cookie"));
        assertThat(setCookies).filteredOn(c -> c.startsWith("JSESSIONID=")).isNotEmpty()
                .allSatisfy(c -> assertThat(c).containsPattern("(?i);\\s*Secure(;|$)"));
        assertThat(setCookies).filteredOn(c -> c.startsWith("XSRF-TOKEN=")).isNotEmpty()
                .allSatisfy(c -> assertThat(c).containsPattern("(?i);\\s*Secure(;|$)"));
        // a browser that once reached the webapps over https never tries http:// for this host again
        assertThat(page.headers().firstValue("Strict-Transport-Security")).get().asString().contains("max-age=");
    }

    private HttpCookie cookie(String name) {
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(name)).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no " + name + " cookie was set"));
    }

    @Test
    void plainHttpToTheHttpsPortGetsNothingOfTheService() throws Exception {
        // hole: a client (or a downgrading proxy) speaking plain http to the port sends the Basic password in clear;
        // Tomcat answers a TLS-only 400 before any of the service runs
        HttpResponse<String> r = send(HttpClient.newHttpClient(),
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/test-probe/whoami"))
                        .timeout(Duration.ofSeconds(10)).header("Authorization", basic(OPERATOR, OPERATOR_PASSWORD))
                        .GET().build());

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).doesNotContain(OPERATOR).containsIgnoringCase("TLS");
    }

    @Test
    void aClientNotTrustingTheCertificateStopsBeforeSendingItsPassword() {
        HttpClient jvmDefault = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> send(jvmDefault,
                        HttpRequest.newBuilder(https("/api/test-probe/whoami"))
                                .header("Authorization", basic(OPERATOR, OPERATOR_PASSWORD)).GET().build()))
                .isInstanceOf(SSLHandshakeException.class);
    }
}
