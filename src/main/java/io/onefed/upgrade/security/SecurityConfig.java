package io.onefed.upgrade.security;

import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter;
import org.camunda.bpm.engine.rest.security.auth.impl.HttpBasicAuthenticationProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;

/**
 * Who may call what over HTTP.
 * <ul>
 *   <li>{@code /api/**} and the live progress pages {@code /upgrades/{id}}: our REST API, HTTP Basic against the Camunda users, roles from groups; reads for any role,
 *       writes for operators and admins; the engine then applies the user's authorizations as well.</li>
 *   <li>{@code /engine-rest/**}: Camunda's REST API, authenticated by Camunda's own filter (HTTP Basic); the engine
 *       applies the authorizations.</li>
 *   <li>{@code /actuator/**}: health and info open for probes; {@code /actuator/prometheus} for any role, or a
 *       scrape login in the {@code metrics} group (it shows which step runs, which approval waits and when the API
 *       is frozen: what someone planning to strike during a maintenance window wants to know); the rest for
 *       admins.</li>
 *   <li>everything else (Tasklist, Cockpit, Admin under {@code /camunda}): left to the webapps' own login, session
 *       and CSRF protection; only the Admin webapp's first-admin setup is closed, because admins come from
 *       configuration and anyone reaching the port could otherwise make themselves admin.</li>
 * </ul>
 */
@Configuration
// a context without a web server (possible in tests of other parts) has no HTTP to protect
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableMethodSecurity
public class SecurityConfig {

    public static final String ENGINE_REST_PATTERN = "/engine-rest/*";

    @Bean
    AuthenticationManager authenticationManager(IdentityService identity) {
        return new ProviderManager(new CamundaIdentityAuthenticationProvider(identity));
    }

    @Bean
    @Order(1)
    SecurityFilterChain apiChain(HttpSecurity http, AuthenticationManager authenticationManager,
                                 IdentityService identity) throws Exception {
        String[] anyRole = {Role.OPERATOR.name(), Role.AUDITOR.name(), Role.ADMIN.name()};
        // the live progress page (progress/) shares the API's login, so its script's calls ride on the same login
        return http.securityMatcher("/api/**", "/upgrades/**")
                .authenticationManager(authenticationManager)
                .authorizeHttpRequests(a -> a
                        .requestMatchers(HttpMethod.GET, "/api/**", "/upgrades/**").hasAnyRole(anyRole)
                        .requestMatchers(HttpMethod.HEAD, "/api/**").hasAnyRole(anyRole)
                        .anyRequest().hasAnyRole(Role.OPERATOR.name(), Role.ADMIN.name()))
                .httpBasic(b -> b.realmName("one-fed-upgrade"))
                // stateless Basic auth: no session cookie, so no CSRF exposure
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterAfter(new EngineAuthenticationFilter(identity), AuthorizationFilter.class)
                .build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain engineRestChain(HttpSecurity http) throws Exception {
        // authentication and authorization are Camunda's (see engineRestAuthentication below)
        return http.securityMatcher("/engine-rest/**")
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
    }

    @Bean
    @Order(3)
    SecurityFilterChain actuatorChain(HttpSecurity http, AuthenticationManager authenticationManager)
            throws Exception {
        return http.securityMatcher("/actuator/**")
                .authenticationManager(authenticationManager)
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info").permitAll()
                        .requestMatchers("/actuator/prometheus").hasAnyRole(Role.OPERATOR.name(),
                                Role.AUDITOR.name(), Role.ADMIN.name(), Role.METRICS.name())
                        .anyRequest().hasRole(Role.ADMIN.name()))
                .httpBasic(b -> b.realmName("one-fed-upgrade"))
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
    }

    @Bean
    @Order(4)
    SecurityFilterChain webappChain(HttpSecurity http) throws Exception {
        return http.securityMatcher("/**")
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/camunda/api/admin/setup/**").denyAll()
                        .anyRequest().permitAll())
                // the webapps bring their own CSRF filter and security headers
                .csrf(c -> c.disable())
                .headers(h -> h.disable())
                .build();
    }

    /** Camunda's HTTP Basic authentication for its REST API: sets the engine's current user and groups. */
    @Bean
    FilterRegistrationBean<ProcessEngineAuthenticationFilter> engineRestAuthentication() {
        FilterRegistrationBean<ProcessEngineAuthenticationFilter> registration =
                new FilterRegistrationBean<>(new ProcessEngineAuthenticationFilter());
        registration.setName("camunda-engine-rest-auth");
        registration.addInitParameter(ProcessEngineAuthenticationFilter.AUTHENTICATION_PROVIDER_PARAM,
                HttpBasicAuthenticationProvider.class.getName());
        registration.addUrlPatterns(ENGINE_REST_PATTERN);
        // before the task form check (web/TaskFormCheckFilter), which needs the authenticated user
        registration.setOrder(org.springframework.core.Ordered.LOWEST_PRECEDENCE - 100);
        return registration;
    }
}
