package io.onefed.upgrade.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.camunda.bpm.spring.boot.starter.property.CamundaBpmProperties;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/** Secure cookies and HSTS follow the service's own TLS, and only it: plain http (loopback, demo) stays usable. */
class TlsWebappSettingsTest {

    private static CamundaBpmProperties processed(MockEnvironment env) {
        TlsWebappSettings settings = new TlsWebappSettings();
        settings.setEnvironment(env);
        return (CamundaBpmProperties) settings.postProcessBeforeInitialization(new CamundaBpmProperties(), "camunda");
    }

    @Test
    void withoutTlsTheWebappDefaultsStay() {
        CamundaBpmProperties p = processed(new MockEnvironment());
        assertThat(p.getWebapp().getCsrf().isEnableSecureCookie()).isFalse();
        assertThat(p.getWebapp().getHeaderSecurity().isHstsDisabled()).isTrue();
        // a key store configured but TLS switched off explicitly
        p = processed(new MockEnvironment().withProperty("server.ssl.key-store", "/x.p12").withProperty("server.ssl.enabled", "false"));
        assertThat(p.getWebapp().getCsrf().isEnableSecureCookie()).isFalse();
    }

    @Test
    void withTlsCookiesAreSecureAndHstsIsOn() {
        for (String key : new String[] {"server.ssl.key-store", "server.ssl.certificate", "server.ssl.bundle"}) {
            CamundaBpmProperties p = processed(new MockEnvironment().withProperty(key, "x"));
            assertThat(p.getWebapp().getCsrf().isEnableSecureCookie()).as(key).isTrue();
            assertThat(p.getWebapp().getSessionCookie().isEnableSecureCookie()).as(key).isTrue();
            assertThat(p.getWebapp().getHeaderSecurity().isHstsDisabled()).as(key).isFalse();
        }
    }

    @Test
    void anExplicitOperatorChoiceWins() {
        CamundaBpmProperties p = processed(new MockEnvironment().withProperty("server.ssl.key-store", "x")
                .withProperty(TlsWebappSettings.HSTS_DISABLED, "true"));
        assertThat(p.getWebapp().getHeaderSecurity().isHstsDisabled()).isTrue();
        assertThat(p.getWebapp().getCsrf().isEnableSecureCookie()).isTrue();
    }
}
