package io.onefed.upgrade.security;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** Registers {@link LoginThrottleFilter} on every path, right after the request body limit. */
@Configuration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class LoginThrottleConfiguration {

    @Bean
    LoginThrottle loginThrottle(LoginThrottleProperties settings) {
        return new LoginThrottle(settings);
    }

    @Bean
    FilterRegistrationBean<LoginThrottleFilter> loginThrottleFilter(LoginThrottle throttle) {
        FilterRegistrationBean<LoginThrottleFilter> registration =
                new FilterRegistrationBean<>(new LoginThrottleFilter(throttle));
        registration.setName("onefed-login-throttle");
        registration.addUrlPatterns("/*");
        // after web/RequestBodyLimit (a login form is a body too), before Spring Security (-100), Camunda's REST
        // authentication and the webapps' filters, which all check passwords
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }
}
