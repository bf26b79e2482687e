package io.onefed.upgrade.security;

import org.camunda.bpm.spring.boot.starter.property.CamundaBpmProperties;
import org.camunda.bpm.spring.boot.starter.property.WebappProperty;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * When the service itself serves TLS ({@code server.ssl.*}), the Camunda webapps' own cookie and header settings
 * follow: the XSRF-TOKEN and session cookies get {@code Secure} (Tomcat marks its session cookie on TLS requests
 * anyway, Camunda's CSRF cookie it does not), and the webapps send HSTS as Spring Security already does for
 * /api, /engine-rest and /actuator on TLS. Without TLS nothing changes (a Secure cookie over plain http would break
 * the loopback/demo setup). A value the operator sets explicitly under {@code camunda.bpm.webapp.*} wins.
 */
@Component
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class TlsWebappSettings implements BeanPostProcessor, EnvironmentAware {

    static final String HSTS_DISABLED = "camunda.bpm.webapp.header-security.hsts-disabled";
    static final String CSRF_SECURE = "camunda.bpm.webapp.csrf.enable-secure-cookie";
    static final String SESSION_SECURE = "camunda.bpm.webapp.session-cookie.enable-secure-cookie";

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    /** As Spring Boot decides: TLS is on when server.ssl.* configures a key and enabled is not false. */
    static boolean tlsOn(Environment env) {
        if (!env.getProperty("server.ssl.enabled", Boolean.class, true)) {
            return false;
        }
        return env.containsProperty("server.ssl.key-store") || env.containsProperty("server.ssl.certificate")
                || env.containsProperty("server.ssl.bundle");
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof CamundaBpmProperties camunda && environment != null && tlsOn(environment)) {
            WebappProperty webapp = camunda.getWebapp();
            if (!environment.containsProperty(CSRF_SECURE)) {
                webapp.getCsrf().setEnableSecureCookie(true);
            }
            if (!environment.containsProperty(SESSION_SECURE)) {
                webapp.getSessionCookie().setEnableSecureCookie(true);
            }
            if (!environment.containsProperty(HSTS_DISABLED)) {
                // Camunda's default value: max-age one year, without includeSubDomains
                webapp.getHeaderSecurity().setHstsDisabled(false);
            }
        }
        return bean;
    }
}
