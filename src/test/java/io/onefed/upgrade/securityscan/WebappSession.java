package io.onefed.upgrade.securityscan;

import io.onefed.upgrade.e2e.EndToEndSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * A browser session on one of Camunda's webapps (Tasklist or Cockpit): the login form, the session cookie and the
 * XSRF token, sent back as the webapps' CSRF filter wants it (or left out, to see that filter refuse).
 */
final class WebappSession {

    private final int port;
    private final String app;
    private final CookieManager cookies = new CookieManager();
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).build();

    /** @param app {@code tasklist} or {@code cockpit}: the webapp logged into */
    WebappSession(int port, String app) {
        this.port = port;
        this.app = app;
    }

    /** Logs in with the test users' password; the status of the login POST. */
    int login(String user) {
        // a first GET sets the XSRF-TOKEN cookie the login POST must echo
        send(HttpRequest.newBuilder(uri("/camunda/app/" + app + "/default/")).GET().build());
        String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(EndToEndSupport.PASSWORD, StandardCharsets.UTF_8);
        return send(withToken(HttpRequest.newBuilder(uri("/camunda/api/admin/auth/user/default/login/" + app))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))).build()).statusCode();
    }

    /** A read; also hands out the session's XSRF token (a new session after the login has a new one). */
    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    /** A JSON POST with the session's XSRF token, as the webapps' own pages send it. */
    HttpResponse<String> post(String path, String json) {
        return send(withToken(jsonPost(path, json)).build());
    }

    /** A JSON POST without the XSRF token. */
    HttpResponse<String> postWithoutToken(String path, String json) {
        return send(jsonPost(path, json).build());
    }

    private HttpRequest.Builder jsonPost(String path, String json) {
        return HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    /** The newest XSRF-TOKEN cookie of the session, as the header the CSRF filter checks. */
    private HttpRequest.Builder withToken(HttpRequest.Builder b) {
        String token = null;
        for (HttpCookie c : cookies.getCookieStore().getCookies()) {
            if (c.getName().equals("XSRF-TOKEN")) {
                token = c.getValue();
            }
        }
        return token == null ? b : b.header("X-XSRF-TOKEN", token);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
