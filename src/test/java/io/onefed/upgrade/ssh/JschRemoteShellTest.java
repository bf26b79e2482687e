package io.onefed.upgrade.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.onefed.upgrade.federation.SecretRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The synchronous shell against a real OpenSSH sshd. */
class JschRemoteShellTest {

    static SshFixture fx;
    static JschSessions sessions;
    static JschRemoteShell shell;
    static final String SECRET = "pa$$ w0rd'\"`x`-" + System.nanoTime();

    @BeforeAll
    static void start() throws Exception {
        fx = SshFixture.start("remote-shell");
        sessions = new JschSessions(fx.props(), SshFixture.secrets(Map.of("TEST_DB_PASSWORD", SECRET)));
        shell = new JschRemoteShell(sessions, SshFixture.secrets(Map.of("TEST_DB_PASSWORD", SECRET)), 1000);
    }

    @AfterAll
    static void stop() {
        if (sessions != null) {
            sessions.close();
        }
        if (fx != null) {
            fx.close();
        }
    }

    /**
     * Issue 15: a command's channel is closed off the caller's thread (the close waited 1-2 s for JSch's locks at
     * 100 slaves). Three sessions' worth of commands, one after another, still run on one session: every channel
     * is given back once closed, none leaks, and the pool never has more open than the host allows.
     */
    @Test
    void channelsClosedInTheBackgroundAreAllGivenBack() {
        SshTarget own = fx.target();
        try (JschSessions pool = new JschSessions(fx.props(), SshFixture.secrets(Map.of()))) {
            JschRemoteShell closing = new JschRemoteShell(pool, SshFixture.secrets(Map.of()));
            for (int i = 0; i < 3 * JschSessions.CHANNELS_PER_SESSION; i++) {
                assertThat(closing.run(own, RemoteCommand.of("echo {}", Integer.toString(i))).stdout()).isEqualTo(i + "\n");
                assertThat(pool.channelsInUse(own)).isLessThanOrEqualTo(JschSessions.CHANNELS_PER_SESSION);
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pool.channelsInUse(own) == 0);
            assertThat(pool.sessionCount(own)).isEqualTo(1);
        }
    }

    /**
     * Issue 15: stdin is written by the calling thread and closed (JSch's own pump was a new thread per command).
     * A command that reads its input to the end gets end-of-file at once, with no secret as with one, and no
     * thread is left behind per command.
     */
    @Test
    void aCommandReadingStdinGetsEndOfFileWithoutAThreadPerCommand() {
        CommandResult empty = shell.run(fx.target(), RemoteCommand.of("wc -c"));
        assertThat(empty.exitStatus()).isZero();
        assertThat(empty.stdout().strip()).isEqualTo("0");
        CommandResult secret = shell.run(fx.target(), RemoteCommand.of("cat >/dev/null; printf %s \"${#TEST_DB_PASSWORD}\"")
                .withSecretEnv("TEST_DB_PASSWORD", new SecretRef("TEST_DB_PASSWORD", null)));
        assertThat(secret.stdout()).isEqualTo(Integer.toString(SECRET.length()));
        // JSch's pump started a thread per command; 20 commands on the pooled session now start (almost) none
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getTotalStartedThreadCount();
        for (int i = 0; i < 20; i++) {
            assertThat(shell.run(fx.target(), RemoteCommand.of("cat")).exitStatus()).isZero();
        }
        assertThat(threads.getTotalStartedThreadCount() - before).as("threads started by 20 commands").isLessThan(10);
    }

    @Test
    void capturesExitStatusStdoutAndStderrSeparately() {
        CommandResult r = shell.run(fx.target(), RemoteCommand.of("echo out; echo err >&2; exit 3"));
        assertThat(r.exitStatus()).isEqualTo(3);
        assertThat(r.succeeded()).isFalse();
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThat(r.truncated()).isFalse();
        assertThat(r.outputSha256()).isEqualTo(sha256("out\nerr\n"));
        assertThat(r.duration()).isPositive();
    }

    @Test
    void keepsTheTailOfLongOutputAndDigestsAllOfIt() {
        // 3000 numbered bytes on stdout and 2500 on stderr, cap 1000 per stream
        CommandResult r = shell.run(fx.target(), RemoteCommand.of(
                "i=0; while [ $i -lt 300 ]; do printf '%09d\\n' $i; i=$((i+1)); done;"
                        + " i=0; while [ $i -lt 250 ]; do printf 'e%08d\\n' $i >&2; i=$((i+1)); done"));
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            out.append(String.format("%09d\n", i));
        }
        StringBuilder err = new StringBuilder();
        for (int i = 0; i < 250; i++) {
            err.append(String.format("e%08d\n", i));
        }
        assertThat(r.exitStatus()).isZero();
        assertThat(r.truncated()).isTrue();
        assertThat(r.stdout()).hasSize(1000).isEqualTo(out.substring(out.length() - 1000));
        assertThat(r.stderr()).hasSize(1000).isEqualTo(err.substring(err.length() - 1000));
        assertThat(r.outputSha256()).isEqualTo(sha256(out + err.toString()));
    }

    @Test
    void hostileArgumentsReachTheShellUnchanged() {
        List<String> hostile = List.of("it's", "\"double\"", "$(touch /tmp/one-fed-pwned)", "`id`", "a\nb\n",
                "; rm -rf /", "*", "", " lead and trail ", "back\\slash\\", "$HOME", "!event", "tab\there",
                "€ und ü", "-n", "--", "a'b'\\''c", "&& echo x ||", "|", ">x", "${PATH}", "~", "#comment");
        // one word each, in one shell: printf prints every argument followed by a NUL byte
        String template = "printf '%s\\0'" + " {}".repeat(hostile.size());
        CommandResult all = shell.run(fx.target(), RemoteCommand.of(template, hostile.toArray()));
        assertThat(all.exitStatus()).isZero();
        assertThat(all.stdout()).endsWith("\0");
        assertThat(List.of(all.stdout().split("\0", -1)).subList(0, hostile.size())).containsExactlyElementsOf(hostile);
        for (String s : List.of("it's", "$(id)", "a\nb", "")) {
            assertThat(shell.run(fx.target(), RemoteCommand.of("printf %s {}", s)).stdout()).isEqualTo(s);
        }
        // several arguments stay separate words
        CommandResult r = shell.run(fx.target(), RemoteCommand.of("printf '<%s>' {} {} {}", "a b", "", "*"));
        assertThat(r.stdout()).isEqualTo("<a b><><*>");
        assertThat(Files.exists(Path.of("/tmp/one-fed-pwned"))).isFalse();
    }

    @Test
    void commandTimeoutKillsTheCommandAndSaysSo() {
        try (JschSessions s = new JschSessions(fx.props(fx.knownHosts, false, Duration.ofMillis(800)),
                SshFixture.secrets(Map.of()))) {
            JschRemoteShell quick = new JschRemoteShell(s, SshFixture.secrets(Map.of()));
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> quick.run(fx.target(), RemoteCommand.of("sleep 41.3; echo never")))
                    .isInstanceOf(SshException.Timeout.class)
                    .hasMessageContaining("'sleep 41.3; echo never'")
                    .hasMessageContaining("did not finish within 800 ms")
                    .hasMessageContaining("federation.ssh.command-timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            // killed on the host, not just abandoned
            await().atMost(Duration.ofSeconds(5)).until(() -> processesWhoseCommandLineContains("sleep\u000041.3").isEmpty());
            // the session stays usable for the next command
            assertThat(quick.run(fx.target(), RemoteCommand.of("echo ok")).stdout()).isEqualTo("ok\n");
        }
    }

    /**
     * Issue 15: a status read (an await of a detached run) that gets no answer by its bound is "ask again"
     * ({@link SshException.StillWaiting}, which the step poll reports as no news), not a killed command; it
     * returns by its bound and leaves the session usable. It is not killed (a read ends on the host at its own
     * wait; the signal would wait for the slow host), so the sleep here is short.
     */
    @Test
    void aStatusReadWithoutAnAnswerInTimeIsStillWaitingNotAKilledCommand() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> shell.exec(fx.target(), "sleep 2.9; echo late", new byte[0], Duration.ofMillis(700),
                1000, "await of run k1", Duration.ofMillis(700), true))
                .isInstanceOf(SshException.StillWaiting.class)
                .hasMessageContaining("no answer from " + fx.target().address() + " to 'await of run k1' within 700 ms")
                .hasMessageContaining("abandoned without a signal");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        assertThat(shell.run(fx.target(), RemoteCommand.of("echo ok")).stdout()).isEqualTo("ok\n");
    }

    @Test
    void secretReachesTheCommandThroughStdinAndNeverItsCommandLine() throws Exception {
        Path seen = fx.dir.resolve("secret-seen");
        Path marker = fx.dir.resolve("secret-running");
        Files.deleteIfExists(seen);
        Files.deleteIfExists(marker);
        RemoteCommand cmd = RemoteCommand.of("printf %s \"$TEST_DB_PASSWORD\" > {}; touch {}; sleep 1.5", seen, marker)
                .withSecretEnv("TEST_DB_PASSWORD", new SecretRef("TEST_DB_PASSWORD", null));
        assertThat(cmd.rendered()).doesNotContain(SECRET);
        CompletableFuture<CommandResult> running = CompletableFuture.supplyAsync(() -> shell.run(fx.target(), cmd));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(marker));
        // while the command runs: no process on this machine (client and server alike) shows the secret
        assertThat(processesWhoseCommandLineContains(SECRET)).isEmpty();
        CommandResult r = running.get();
        assertThat(r.exitStatus()).isZero();
        assertThat(Files.readString(seen)).isEqualTo(SECRET);
    }

    @Test
    void secretWithALineBreakIsRefusedByName() {
        JschRemoteShell s = new JschRemoteShell(sessions, SshFixture.secrets(Map.of("ML", "a\nb")));
        assertThatThrownBy(() -> s.run(fx.target(),
                RemoteCommand.of("true").withSecretEnv("X", new SecretRef("ML", null))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("secret X (env:ML)")
                .hasMessageNotContaining("a\nb");
    }

    @Test
    void probeConnectsAndReportsTheHostKeyFingerprint() throws Exception {
        RemoteShell.ProbeResult ok = shell.probe(fx.target());
        assertThat(ok.reachable()).isTrue();
        assertThat(ok.hostKeyFingerprint()).isEqualTo(fx.sshd.hostKeyFingerprint());
        RemoteShell.ProbeResult down = shell.probe(new SshTarget(0, "z", "gone", "127.0.0.1", 1, "root"));
        assertThat(down.reachable()).isFalse();
        assertThat(down.error()).contains("127.0.0.1:1").contains("Connection refused");
    }

    @Test
    void probesReuseThePooledSessionInsteadOfAKeyExchangeEach() throws Exception {
        try (JschSessions s = new JschSessions(fx.props(), SshFixture.secrets(Map.of()))) {
            JschRemoteShell sh = new JschRemoteShell(s, SshFixture.secrets(Map.of()));
            for (int i = 0; i < 5; i++) {
                RemoteShell.ProbeResult r = sh.probe(fx.target());
                assertThat(r.reachable()).as("probe %d", i).isTrue();
                assertThat(r.hostKeyFingerprint()).isEqualTo(fx.sshd.hostKeyFingerprint());
            }
            assertThat(s.sessionCount(fx.target())).as("five probes, one key exchange").isEqualTo(1);
            // and a command after them runs on the same session
            assertThat(sh.run(fx.target(), RemoteCommand.of("echo up")).stdout()).isEqualTo("up\n");
            assertThat(s.sessionCount(fx.target())).isEqualTo(1);
        }
    }

    @Test
    void reusesOneSessionAndRunsManyCommandsAtOnce() throws Exception {
        try (JschSessions s = new JschSessions(fx.props(), SshFixture.secrets(Map.of()))) {
            JschRemoteShell sh = new JschRemoteShell(s, SshFixture.secrets(Map.of()));
            sh.run(fx.target(), RemoteCommand.of("true"));
            sh.run(fx.target(), RemoteCommand.of("true"));
            assertThat(s.sessionCount(fx.target())).isEqualTo(1);
            ExecutorService pool = Executors.newFixedThreadPool(20);
            try {
                List<Future<CommandResult>> all = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    int n = i;
                    all.add(pool.submit(() -> sh.run(fx.target(), RemoteCommand.of("sleep 0.3; echo {}", n))));
                }
                for (int i = 0; i < 20; i++) {
                    assertThat(all.get(i).get().stdout()).isEqualTo(i + "\n");
                }
            } finally {
                pool.shutdownNow();
            }
            // 20 concurrent channels need 3 sessions of 8 channels; never more than the pool's limit
            assertThat(s.sessionCount(fx.target())).isBetween(3, JschSessions.SESSIONS_PER_TARGET);
        }
    }

    @Test
    void reconnectsWhenTheConnectionDropped() {
        SshFixture.Killable k = SshFixture.killable(fx.props(), SshFixture.secrets(Map.of()));
        try {
            JschRemoteShell sh = new JschRemoteShell(k.sessions(), SshFixture.secrets(Map.of()));
            assertThat(sh.run(fx.target(), RemoteCommand.of("echo one")).stdout()).isEqualTo("one\n");
            k.sockets().closeAll();
            await().atMost(Duration.ofSeconds(5)).until(() -> k.sessions().sessionCount(fx.target()) == 0);
            assertThat(sh.run(fx.target(), RemoteCommand.of("echo two")).stdout()).isEqualTo("two\n");
        } finally {
            k.sessions().close();
        }
    }

    static List<String> processesWhoseCommandLineContains(String needle) throws Exception {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    byte[] cmdline = Files.readAllBytes(p.resolve("cmdline"));
                    if (indexOf(cmdline, n) >= 0) {
                        found.add(p.getFileName() + ": " + new String(cmdline, StandardCharsets.UTF_8).replace('\0', ' '));
                    }
                } catch (java.io.IOException gone) {
                    // process ended while listing
                }
            }
        }
        return found;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
