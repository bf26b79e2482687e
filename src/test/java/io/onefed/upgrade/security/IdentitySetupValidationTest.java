package io.onefed.upgrade.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.federation.SecretRef;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/** Bad initial users are reported all at once, each naming the field and the fix. */
class IdentitySetupValidationTest {

    private static UserProperties user(String id, SecretRef password, String demoPassword, String... groups) {
        return new UserProperties(id, null, null, null, password, demoPassword, List.of(groups));
    }

    @Test
    void validUsersPass() {
        assertThat(IdentitySetup.validate(List.of(
                user("a", new SecretRef("A_PW", null), null, Groups.OPERATORS),
                user("b", new SecretRef(null, "/run/secrets/b"), null, Groups.AUDITORS, Groups.ADMINS)), false))
                .isEmpty();
        assertThat(IdentitySetup.validate(List.of(user("demo", null, "demo", Groups.OPERATORS)), true)).isEmpty();
    }

    @Test
    void literalPasswordsAreRefusedOutsideTheDemoProfile() {
        assertThat(IdentitySetup.validate(List.of(user("demo", null, "demo", Groups.OPERATORS)), false))
                .containsExactly("onefed.users[0].demo-password is only accepted with the demo profile:"
                        + " use onefed.users[0].password.env or onefed.users[0].password.file");
    }

    @Test
    void everyProblemIsNamed() {
        List<String> problems = IdentitySetup.validate(List.of(
                user(" ", null, null, Groups.OPERATORS),
                user("x", null, null, Groups.OPERATORS),
                user("x", new SecretRef("X", "/f"), null),
                user("y", new SecretRef("Y", null), null, "operator")), false);
        assertThat(problems).containsExactly(
                "onefed.users[0].id is missing: give the login name",
                "onefed.users[1].password is missing: set onefed.users[1].password.env (an environment variable name)"
                        + " or onefed.users[1].password.file (a file holding the password)",
                "onefed.users[2].id 'x' is listed twice: keep one entry per user",
                "onefed.users[2].password has both env and file: keep one",
                "onefed.users[2].groups is empty: give at least one of [operators, auditors, camunda-admin, metrics]",
                "onefed.users[3].groups contains unknown group 'operator': use [operators, auditors, camunda-admin, metrics]");
    }

    @Test
    void camundaAdminUserWithoutPasswordIsRefusedBecauseCamundaWouldUseTheIdAsPassword() {
        MockEnvironment environment = new MockEnvironment().withProperty("camunda.bpm.admin-user.id", "boss");
        assertThatThrownBy(() -> IdentitySetup.refuseCamundaAdminWithoutPassword(environment))
                .hasMessageContaining("camunda.bpm.admin-user.password");
        IdentitySetup.refuseCamundaAdminWithoutPassword(
                environment.withProperty("camunda.bpm.admin-user.password", "from-env"));
    }

    @Test
    void toStringNeverShowsAPassword() {
        assertThat(user("d", null, "hunter2", Groups.OPERATORS).toString()).doesNotContain("hunter2");
    }
}
