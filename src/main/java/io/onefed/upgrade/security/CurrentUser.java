package io.onefed.upgrade.security;

import java.util.Optional;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * Who is acting right now: the Spring Security user of an {@code /api} request, else the engine's current user
 * (an {@code /engine-rest} request or a Tasklist/Cockpit action). Empty in job executor threads.
 */
@Component
public class CurrentUser {

    private final IdentityService identity;

    public CurrentUser(IdentityService identity) {
        this.identity = identity;
    }

    public Optional<String> id() {
        org.springframework.security.core.Authentication spring =
                SecurityContextHolder.getContext().getAuthentication();
        if (spring != null && spring.isAuthenticated() && spring.getName() != null
                && !(spring instanceof AnonymousAuthenticationToken)) {
            return Optional.of(spring.getName());
        }
        Authentication engine = identity.getCurrentAuthentication();
        return engine == null ? Optional.empty() : Optional.ofNullable(engine.getUserId());
    }

    /** The user id, or {@code fallback} (e.g. {@code "system"}) when nobody is logged in on this thread. */
    public String idOr(String fallback) {
        return id().orElse(fallback);
    }

    public boolean hasRole(Role role) {
        org.springframework.security.core.Authentication spring =
                SecurityContextHolder.getContext().getAuthentication();
        if (spring != null && spring.isAuthenticated()) {
            if (spring.getAuthorities().stream().anyMatch(a -> role.authority().equals(a.getAuthority()))) {
                return true;
            }
        }
        Authentication engine = identity.getCurrentAuthentication();
        return engine != null && engine.getGroupIds() != null && engine.getGroupIds().contains(role.group());
    }
}
