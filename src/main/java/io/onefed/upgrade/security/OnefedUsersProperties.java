package io.onefed.upgrade.security;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** The initial users ({@code onefed.users}), created or updated at every start by {@link IdentitySetup}. */
@ConfigurationProperties(prefix = "onefed")
public record OnefedUsersProperties(List<UserProperties> users) {

    public OnefedUsersProperties {
        users = users == null ? List.of() : List.copyOf(users);
    }
}
