package io.onefed.upgrade.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.federation.SecretRef;
import io.onefed.upgrade.testsupport.OpenSshServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Host key verification (unknown, changed, accept-new, hashed entries) and public-key authentication. */
class HostKeyAndAuthTest {

    static SshFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = SshFixture.start("host-keys");
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    private String echo(JschSessions sessions) {
        return new JschRemoteShell(sessions, SshFixture.secrets(Map.of()))
                .run(fx.target(), RemoteCommand.of("echo hi")).stdout();
    }

    @Test
    void unknownHostKeyIsRefusedNamingHostAndFingerprint() throws Exception {
        Path empty = fx.dir.resolve("known_hosts_empty");
        Files.writeString(empty, "");
        try (JschSessions s = new JschSessions(fx.props(empty, false, Duration.ofSeconds(10)),
                SshFixture.secrets(Map.of()))) {
            assertThatThrownBy(() -> echo(s))
                    .isInstanceOf(SshException.HostKeyRejected.class)
                    .hasMessageContaining("unknown host key")
                    .hasMessageContaining("127.0.0.1:" + fx.sshd.port())
                    .hasMessageContaining(fx.sshd.hostKeyFingerprint())
                    .hasMessageContaining("ssh-keyscan -p " + fx.sshd.port())
                    .hasMessageContaining("accept-new-host-keys");
        }
        assertThat(Files.readString(empty)).isEmpty();
    }

    @Test
    void changedHostKeyIsRefusedEvenWithAcceptNew() throws Exception {
        Path other = fx.dir.resolve("other_host_key");
        OpenSshServer.keygen(other, "");
        String[] pub = Files.readString(Path.of(other + ".pub")).trim().split("\\s+");
        Path changed = fx.dir.resolve("known_hosts_changed");
        String line = "[127.0.0.1]:" + fx.sshd.port() + " " + pub[0] + " " + pub[1] + "\n";
        Files.writeString(changed, line);
        String expected = fingerprintOf(Path.of(other + ".pub"));
        for (boolean acceptNew : new boolean[] {false, true}) {
            try (JschSessions s = new JschSessions(fx.props(changed, acceptNew, Duration.ofSeconds(10)),
                    SshFixture.secrets(Map.of()))) {
                assertThatThrownBy(() -> echo(s))
                        .isInstanceOf(SshException.HostKeyRejected.class)
                        .hasMessageContaining("HOST KEY CHANGED")
                        .hasMessageContaining("127.0.0.1:" + fx.sshd.port())
                        .hasMessageContaining("presented ssh-ed25519 key " + fx.sshd.hostKeyFingerprint())
                        .hasMessageContaining("expects " + expected)
                        .hasMessageContaining("ssh-keygen -R");
            }
        }
        assertThat(Files.readString(changed)).isEqualTo(line);
    }

    @Test
    void acceptNewRecordsAnUnknownKeyAndUsesItFromThenOn() throws Exception {
        Path fresh = fx.dir.resolve("sub/known_hosts_new");
        Files.deleteIfExists(fresh);
        try (JschSessions s = new JschSessions(fx.props(fresh, true, Duration.ofSeconds(10)),
                SshFixture.secrets(Map.of()))) {
            assertThat(echo(s)).isEqualTo("hi\n");
        }
        assertThat(Files.readString(fresh)).isEqualTo(fx.sshd.knownHostsLine() + "\n");
        // strict again: the recorded key is now known
        try (JschSessions s = new JschSessions(fx.props(fresh, false, Duration.ofSeconds(10)),
                SshFixture.secrets(Map.of()))) {
            assertThat(echo(s)).isEqualTo("hi\n");
        }
        assertThat(Files.readAllLines(fresh)).hasSize(1);
    }

    @Test
    void hashedKnownHostsEntriesAreHonoured() throws Exception {
        Path hashed = fx.dir.resolve("known_hosts_hashed");
        Files.writeString(hashed, "# comment\n" + fx.sshd.knownHostsLine() + "\n");
        Process p = new ProcessBuilder("/usr/bin/ssh-keygen", "-H", "-f", hashed.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0).isTrue();
        assertThat(Files.readString(hashed)).contains("\n|1|").doesNotContain("127.0.0.1");
        try (JschSessions s = new JschSessions(fx.props(hashed, false, Duration.ofSeconds(10)),
                SshFixture.secrets(Map.of()))) {
            assertThat(echo(s)).isEqualTo("hi\n");
        }
    }

    @Test
    void aKeyTheHostDoesNotKnowIsRefusedWithTheFix() throws Exception {
        Path stranger = fx.dir.resolve("id_stranger");
        OpenSshServer.keygen(stranger, "");
        try (JschSessions s = new JschSessions(SshFixture.withKey(fx.props(), stranger, null),
                SshFixture.secrets(Map.of()))) {
            assertThatThrownBy(() -> echo(s))
                    .isInstanceOf(SshException.AuthenticationFailed.class)
                    .hasMessageContaining("refused public-key authentication")
                    .hasMessageContaining(fingerprintOf(Path.of(stranger + ".pub")))
                    .hasMessageContaining("authorized_keys");
        }
    }

    @Test
    void encryptedKeyWorksWithItsPassphraseAndFailsClearlyWithout() throws Exception {
        Path enc = fx.dir.resolve("id_encrypted");
        OpenSshServer.keygen(enc, "correct horse");
        Files.writeString(fx.sshd.dir().resolve("authorized_keys"),
                Files.readString(Path.of(fx.clientKey + ".pub")) + Files.readString(Path.of(enc + ".pub")));
        Path passFile = fx.dir.resolve("passphrase");
        Files.writeString(passFile, "correct horse\n");
        try (JschSessions s = new JschSessions(SshFixture.withKey(fx.props(), enc, new SecretRef(null, passFile.toString())),
                SshFixture.secrets(Map.of()))) {
            assertThat(echo(s)).isEqualTo("hi\n");
        }
        try (JschSessions s = new JschSessions(SshFixture.withKey(fx.props(), enc, new SecretRef("PASS", null)),
                SshFixture.secrets(Map.of("PASS", "wrong")))) {
            assertThatThrownBy(() -> echo(s))
                    .isInstanceOf(SshException.AuthenticationFailed.class)
                    .hasMessageContaining("federation.ssh.passphrase")
                    .hasMessageNotContaining("wrong");
        }
        try (JschSessions s = new JschSessions(SshFixture.withKey(fx.props(), enc, null), SshFixture.secrets(Map.of()))) {
            assertThatThrownBy(() -> echo(s))
                    .isInstanceOf(SshException.AuthenticationFailed.class)
                    .hasMessageContaining("is encrypted and federation.ssh.passphrase is not set");
        }
    }

    @Test
    void missingKeyFileNamesTheSetting() {
        try (JschSessions s = new JschSessions(SshFixture.withKey(fx.props(), fx.dir.resolve("nope"), null),
                SshFixture.secrets(Map.of()))) {
            assertThatThrownBy(() -> echo(s))
                    .isInstanceOf(SshException.AuthenticationFailed.class)
                    .hasMessageContaining("federation.ssh.private-key: cannot read");
        }
    }

    static String fingerprintOf(Path pub) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/ssh-keygen", "-l", "-E", "sha256", "-f", pub.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(10, TimeUnit.SECONDS);
        return out.trim().split("\\s+")[1];
    }
}
