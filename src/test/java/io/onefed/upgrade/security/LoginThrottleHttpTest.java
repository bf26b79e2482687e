package io.onefed.upgrade.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.onefed.upgrade.testsupport.RawHttp;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.BiFunction;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Issue 12, part 6: login throttling. The attack: one client guesses the admin's password over and over, on
 * each login path (HTTP Basic on /api and /engine-rest, the webapps' login form). Before, Camunda's per-user
 * lockout delayed and then locked the admin for good after 10 failures, whoever sent them, so the attacker
 * locked the real admin out (and nothing slowed the attacker's client as such). Now the attacking client gets
 * 429 with Retry-After after 10 free failures, with its password no longer checked, while the admin, from
 * another address (each client binds its own 127/8 source address), logs in at once. A configured user locked
 * by an older setting is unlocked when IdentitySetup runs at start.
 */
class LoginThrottleHttpTest extends SecuredAppTestBase {

    /** onefed.security.login-throttle.free-failures' default. */
    static final int FREE = 10;

    @LocalServerPort
    int port;

    @Autowired
    ProcessEngine engine;

    @Autowired
    IdentitySetup identitySetup;

    /** A Basic-authenticated GET from {@code source}. */
    RawHttp.Response basic(String source, String path, String user, String password) {
        return new RawHttp(port, source).send("GET", path, RawHttp.headers("Authorization",
                RawHttp.basic(user, password)), null);
    }

    /** The webapps' login form from {@code source}, with the XSRF token a browser would have. */
    RawHttp.Response webappLogin(String source, String user, String password) {
        RawHttp browser = new RawHttp(port, source);
        assertThat(browser.send("GET", "/camunda/app/tasklist/default/", Map.of(), null).status()).isEqualTo(200);
        byte[] form = ("username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        return browser.send("POST", "/camunda/api/admin/auth/user/default/login/tasklist", RawHttp.headers(
                "Content-Type", "application/x-www-form-urlencoded", "X-XSRF-TOKEN", browser.cookie("XSRF-TOKEN")), form);
    }

    /**
     * {@code login(source, password)} is one login attempt as the admin; the attacker's guesses come from
     * {@code attacker}, the real admin from {@code admin}.
     */
    void theAttackerIsSlowedAndTheAdminIsNot(String attacker, String admin, BiFunction<String, String, RawHttp.Response> login,
                                             int success) {
        for (int i = 1; i <= FREE + 1; i++) {
            RawHttp.Response guess = login.apply(attacker, "guess-" + i);
            assertThat(guess.status()).as("guess %d: %s", i, guess).isEqualTo(401);
        }
        RawHttp.Response slowed = login.apply(attacker, "guess-next");
        assertThat(slowed.status()).as(slowed.toString()).isEqualTo(429);
        assertThat(slowed.header("Retry-After")).isEqualTo("1");
        assertThat(slowed.body()).contains("\"field\":\"credentials\"").contains("too many failed logins");
        // while slowed, even the right password is not checked: the attacker learns nothing from a guess
        assertThat(login.apply(attacker, ADMIN_PASSWORD).status()).isEqualTo(429);

        // the real admin, from elsewhere, logs in at once: neither the engine nor the throttle locked the user
        RawHttp.Response real = login.apply(admin, ADMIN_PASSWORD);
        assertThat(real.status()).as("the admin from another client: " + real).isEqualTo(success);

        // slowed, not locked: after Retry-After, the attacker's client may try again (one guess, then a longer wait)
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> login.apply(attacker, "guess-later").status() == 401);
        RawHttp.Response again = login.apply(attacker, "guess-after");
        assertThat(again.status()).as(again.toString()).isEqualTo(429);
        assertThat(Integer.parseInt(again.header("Retry-After"))).as("the wait doubled").isEqualTo(2);
    }

    @Test
    void basicAuthOnOurApi() {
        theAttackerIsSlowedAndTheAdminIsNot("127.0.0.2", "127.0.0.3",
                (source, password) -> basic(source, "/api/test-probe/whoami", ADMIN, password), 200);
    }

    @Test
    void basicAuthOnTheEngineRestApi() {
        theAttackerIsSlowedAndTheAdminIsNot("127.0.0.4", "127.0.0.5",
                (source, password) -> basic(source, "/engine-rest/user/" + ADMIN + "/profile", ADMIN, password), 200);
    }

    @Test
    void theWebappsLoginForm() {
        theAttackerIsSlowedAndTheAdminIsNot("127.0.0.6", "127.0.0.7",
                (source, password) -> webappLogin(source, ADMIN, password), 200);
    }

    @Test
    void guessesOnOnePathSlowTheClientOnEveryPath() {
        for (int i = 1; i <= FREE + 1; i++) {
            assertThat(basic("127.0.0.8", "/engine-rest/user/" + ADMIN + "/profile", ADMIN, "guess-" + i).status())
                    .isEqualTo(401);
        }
        assertThat(basic("127.0.0.8", "/api/test-probe/whoami", OPERATOR, OPERATOR_PASSWORD).status()).isEqualTo(429);
        assertThat(webappLogin("127.0.0.8", OPERATOR, OPERATOR_PASSWORD).status()).isEqualTo(429);
        // a request without credentials is no login attempt: not refused
        assertThat(new RawHttp(port, "127.0.0.8").send("GET", "/camunda/app/tasklist/default/", Map.of(), null)
                .status()).isEqualTo(200);
    }

    @Test
    void aLockedConfiguredUserIsUnlockedWhenIdentitySetupRunsAtStart() {
        // a user locked under Camunda's own lockout (as before this change, or with loginMaxAttempts set back)
        ProcessEngineConfigurationImpl config = (ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration();
        int maxAttempts = config.getLoginMaxAttempts();
        IdentityService identity = engine.getIdentityService();
        assertThat(maxAttempts).as("the engine's lockout is off").isEqualTo(Integer.MAX_VALUE);
        try {
            config.setLoginMaxAttempts(1);
            assertThat(identity.checkPassword(SPARE, "wrong")).isFalse();
            assertThat(identity.checkPassword(SPARE, SPARE_PASSWORD)).as("locked").isFalse();
            identitySetup.postProcessEngineBuild(engine); // what every start runs
            assertThat(identity.checkPassword(SPARE, SPARE_PASSWORD)).as("unlocked by the start").isTrue();
        } finally {
            config.setLoginMaxAttempts(maxAttempts);
        }
    }

    @Test
    void manyFailedLoginsDoNotLockTheUserInTheEngine() {
        // Camunda's default would delay the user 3 s after one failure and lock it for good after 10
        IdentityService identity = engine.getIdentityService();
        for (int i = 0; i < 25; i++) {
            assertThat(identity.checkPassword(SPARE, "wrong-" + i)).isFalse();
        }
        assertThat(identity.checkPassword(SPARE, SPARE_PASSWORD)).isTrue();
    }
}
