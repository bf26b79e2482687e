package io.onefed.upgrade.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import com.jcraft.jsch.HostKeyRepository;
import io.onefed.upgrade.testsupport.OpenSshServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KnownHostsVerifier} keeps its parse of known_hosts while the file stays the same, and an operator's edit
 * (an added key, {@code ssh-keygen -R}) counts from the next connection, without a restart.
 */
class KnownHostsVerifierTest {

    @TempDir
    Path dir;

    @Test
    void anAddedOrRemovedKeyCountsFromTheNextConnection() throws Exception {
        Path key = dir.resolve("host_key");
        OpenSshServer.keygen(key, "");
        String[] pub = Files.readString(Path.of(key + ".pub")).trim().split("\\s+");
        byte[] blob = Base64.getDecoder().decode(pub[1]);
        String name = KnownHostsVerifier.knownHostsName("10.0.0.7", 2222);
        Path file = dir.resolve("known_hosts");
        Files.writeString(file, "# the federation's front-ends\n");
        KnownHostsVerifier verifier = new KnownHostsVerifier(file, false);

        assertThat(verifier.forConnection("10.0.0.7", 2222).check(name, blob)).isEqualTo(HostKeyRepository.NOT_INCLUDED);
        assertThat(verifier.forConnection("10.0.0.7", 2222).check(name, blob)).isEqualTo(HostKeyRepository.NOT_INCLUDED);
        assertThat(verifier.parses()).as("the same file for two connections, parsed once").isEqualTo(1);

        Files.writeString(file, name + " " + pub[0] + " " + pub[1] + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        assertThat(verifier.forConnection("10.0.0.7", 2222).check(name, blob)).as("added by an operator")
                .isEqualTo(HostKeyRepository.OK);
        assertThat(verifier.parses()).isEqualTo(2);

        // ssh-keygen -R writes a new file and renames it over the old one
        Process p = new ProcessBuilder("/usr/bin/ssh-keygen", "-R", name, "-f", file.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0).as("ssh-keygen -R").isTrue();
        assertThat(verifier.forConnection("10.0.0.7", 2222).check(name, blob)).as("removed by an operator")
                .isEqualTo(HostKeyRepository.NOT_INCLUDED);
    }

    @Test
    void aFileThatAppearsLaterIsRead() throws Exception {
        Path key = dir.resolve("host_key");
        OpenSshServer.keygen(key, "");
        String[] pub = Files.readString(Path.of(key + ".pub")).trim().split("\\s+");
        String name = KnownHostsVerifier.knownHostsName("fe1", 22);
        Path file = dir.resolve("later/known_hosts");
        KnownHostsVerifier verifier = new KnownHostsVerifier(file, false);
        byte[] blob = Base64.getDecoder().decode(pub[1]);

        assertThat(verifier.forConnection("fe1", 22).check(name, blob)).isEqualTo(HostKeyRepository.NOT_INCLUDED);
        Files.createDirectories(file.getParent());
        Files.writeString(file, name + " " + pub[0] + " " + pub[1] + "\n");
        assertThat(verifier.forConnection("fe1", 22).check(name, blob)).isEqualTo(HostKeyRepository.OK);
    }
}
