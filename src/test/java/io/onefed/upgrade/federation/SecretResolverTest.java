package io.onefed.upgrade.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up validator and the moment of use read a secret the same way (one {@link SecretResolver}): what the
 * validator accepts, the service can read, and what it refuses fails at use with the same field and fix.
 */
class SecretResolverTest {

    @TempDir
    Path dir;

    @Test
    void anEmptySecretFileIsRefusedAtUseNotSentAsAnEmptyPassword() throws IOException {
        // hole: an empty password file used to resolve to "" and was sent as oneadmin's/MySQL's password
        Path file = Files.writeString(dir.resolve("db_password"), "\n");
        SecretResolver resolver = new SecretResolver(Map.of());
        assertThatThrownBy(() -> resolver.resolve(new SecretRef(null, file.toString()), "federation.zones[0].database.password"))
                .isInstanceOfSatisfying(SecretResolver.SecretUnavailableException.class, e -> {
                    assertThat(e.field()).isEqualTo("federation.zones[0].database.password.file");
                    assertThat(e.problem()).contains("is empty");
                    assertThat(e.fix()).contains("write the secret");
                });
    }

    @Test
    void onlyTheFilesTrailingLineBreakIsDropped() throws IOException {
        Path file = Files.writeString(dir.resolve("one_auth"), " oneadmin:pw \n");
        assertThat(new String(new SecretResolver(Map.of()).resolve(new SecretRef(null, file.toString()), "f")))
                .isEqualTo(" oneadmin:pw");
    }

    @Test
    void theValidatorReportsWhatTheResolverThrows() throws IOException {
        SecretRef unset = new SecretRef("ONE_AUTH_UNSET", null);
        SecretResolver.SecretUnavailableException thrown = org.junit.jupiter.api.Assertions.assertThrows(
                SecretResolver.SecretUnavailableException.class,
                () -> SecretResolver.withEnvironment(k -> null).resolve(unset, "federation.credentials"));
        FederationFixture fed = new FederationFixture(dir);
        fed.credentials = unset;
        List<ConfigProblem> problems = fed.validate();
        assertThat(problems).contains(new ConfigProblem(thrown.field(), thrown.problem(), thrown.fix()));
    }
}
