package io.onefed.upgrade.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.ssh.RemoteShell;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/** The jar's {@code status} command, in its own non-web context, against the fake federation. */
class StatusCommandTest {

    private final FakeFederation fed = new FakeFederation();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    @TempDir
    static Path keyDir;

    private static Path key;

    @BeforeAll
    static void generateKey() throws Exception {
        key = keyDir.resolve("id_ecdsa");
        KeyPair pair = KeyPair.genKeyPair(new JSch(), KeyPair.ECDSA, 256);
        pair.writePrivateKey(key.toString());
        pair.dispose();
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    }

    @AfterEach
    void stop() {
        fed.close();
    }

    /** Stands in for the SSH layer's RemoteShell bean. */
    static class FakeShellConfig {
        @Bean
        @Primary
        RemoteShell fakeRemoteShell() {
            return new FakeRemoteShell();
        }
    }

    private String[] args() throws IOException {
        Path auth = dir.resolve("one_auth");
        Files.writeString(auth, "oneadmin:pw\n");
        // the configuration validator runs in the command's context too: give it a real key and a known_hosts path
        List<String> args = new ArrayList<>();
        args.add("--federation.name=guide");
        args.add("--federation.ssh.private-key=" + key);
        args.add("--federation.ssh.known-hosts=" + dir.resolve("known_hosts"));
        args.add("--federation.ssh.accept-new-host-keys=true");
        args.add("--federation.credentials.file=" + auth);
        args.add("--federation.xmlrpc.read-timeout=2s");
        List<ZoneProperties> zones = fed.properties().zones();
        for (int i = 0; i < zones.size(); i++) {
            ZoneProperties z = zones.get(i);
            String p = "--federation.zones[" + i + "].";
            args.add(p + "id=" + z.id());
            args.add(p + "name=" + z.name());
            args.add(p + "role=" + z.role());
            args.add(p + "endpoint=" + z.endpoint());
            args.add(p + "os-family=debian");
            args.add(p + "servers[0].name=fe-" + z.id());
            args.add(p + "servers[0].host=fe-" + z.id() + ".example");
        }
        return args.toArray(String[]::new);
    }

    private int run() throws Exception {
        return StatusCommand.run(args(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), FakeShellConfig.class);
    }

    @Test
    void healthyFederationPrintsTheTableAndExitsZero() throws Exception {
        int code = run();

        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(table).contains("FEDERATION guide  HEALTHY yes  IN SYNC yes");
        assertThat(table.lines().skip(1).findFirst().orElseThrow())
                .matches("C +ID NAME +ENDPOINT +FED_INDEX STAT VERSION RAFT +SSH");
        assertThat(table).containsPattern("\\* +0 M-EU-FR +" + java.util.regex.Pattern.quote(fed.zone(0).endpoint())
                + " +1042 +on +6\\.10\\.0 +leader +1/1");
        assertThat(table).containsPattern("\\s100 S-EU-GE .* 1042 +on ");
        assertThat(table).doesNotContain("PROBLEMS").doesNotContain("pw");
    }

    @Test
    void laggingZoneExitsOne() throws Exception {
        fed.raft(100, 3, "1040");

        int code = run();

        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(StatusCommand.UNHEALTHY);
        assertThat(table).contains("HEALTHY no  IN SYNC no").contains("PROBLEMS").contains("100=1040");
    }

    @Test
    void unreachableZoneExitsOne() throws Exception {
        fed.zone(101).close();

        int code = run();

        assertThat(code).isEqualTo(StatusCommand.UNHEALTHY);
        assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern("\\s101 S-US-CA .* - +on +- +- +1/1");
    }

    @Test
    void missingCredentialsFileFailsClearly() throws Exception {
        String[] args = args();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--federation.credentials.file=")) {
                args[i] = "--federation.credentials.file=" + dir.resolve("absent");
            }
        }

        int code = StatusCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), FakeShellConfig.class);

        // the configuration check refuses to start: no table, exit 2 and the field named
        assertThat(code).isEqualTo(StatusCommand.FAILED);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("federation.credentials.file")
                .contains(dir.resolve("absent").toString());
    }
}
