package io.onefed.upgrade.security;

import io.onefed.upgrade.federation.SecretRef;
import java.util.List;

/**
 * One initial user ({@code onefed.users[n]}). The password is a reference ({@code password.env} or
 * {@code password.file}), never a value; {@code demo-password} is a literal accepted only with the demo profile.
 */
public record UserProperties(
        String id,
        String firstName,
        String lastName,
        String email,
        SecretRef password,
        /** Literal password, for the demo profile only (refused otherwise). */
        String demoPassword,
        /** Any of {@code operators}, {@code auditors}, {@code camunda-admin}. */
        List<String> groups) {

    public UserProperties {
        groups = groups == null ? List.of() : List.copyOf(groups);
    }

    /** Never prints a password. */
    @Override
    public String toString() {
        return "UserProperties[id=" + id + ", groups=" + groups + ", password=" + password + "]";
    }
}
