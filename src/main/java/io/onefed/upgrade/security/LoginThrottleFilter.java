package io.onefed.upgrade.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Slows repeated failed logins per client on every login path: HTTP Basic anywhere ({@code /api},
 * {@code /engine-rest}, {@code /actuator}) and the webapps' login form
 * ({@code POST /camunda/api/admin/auth/user/{engine}/login/{app}}). A request carrying credentials from a client
 * that must wait gets 429 with Retry-After, and its password is not checked at all; an answer 401 to a request
 * carrying credentials counts as a failed login. Runs before every authentication filter.
 */
public class LoginThrottleFilter extends OncePerRequestFilter {

    /** The webapps' login resource, as Tomcat decoded and normalized the path (path parameters removed). */
    static final Pattern WEBAPP_LOGIN = Pattern.compile(".*/auth/user/[^/]+/login/[^/]+/?");

    private final LoginThrottle throttle;

    public LoginThrottleFilter(LoginThrottle throttle) {
        this.throttle = throttle;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !carriesCredentials(request);
    }

    static boolean carriesCredentials(HttpServletRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return true;
        }
        if (!"POST".equalsIgnoreCase(request.getMethod())) {
            return false;
        }
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        return WEBAPP_LOGIN.matcher(path).matches();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String client = LoginThrottle.clientOf(request.getRemoteAddr());
        Optional<Duration> wait = throttle.attempt(client);
        if (wait.isPresent()) {
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            response.setStatus(429);
            response.setHeader("Retry-After", Long.toString(seconds));
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.getOutputStream().write(("{\"type\":\"TooManyLoginAttempts\",\"field\":\"credentials\","
                    + "\"message\":\"credentials: too many failed logins from this client; try again in " + seconds
                    + " s (see Retry-After)\"}").getBytes(StandardCharsets.UTF_8));
            return;
        }
        boolean failed = false;
        try {
            chain.doFilter(request, response);
            failed = response.getStatus() == HttpServletResponse.SC_UNAUTHORIZED;
        } finally {
            throttle.finished(client, failed);
        }
    }
}
