package io.onefed.upgrade.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.onefed.upgrade.federation.SecretRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Detached runs: the real POSIX sh code on a real sshd. */
class JschDetachedRunsTest {

    static SshFixture fx;
    static JschSessions sessions;
    static JschDetachedRuns runs;
    static Path runDir;
    static final String SECRET = "detached-s3cret-" + System.nanoTime();
    static final AtomicInteger seq = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        fx = SshFixture.start("detached");
        runDir = fx.dir.resolve("runs");
        Map<String, String> env = Map.of("RUN_SECRET", SECRET);
        sessions = new JschSessions(fx.props(), SshFixture.secrets(env));
        runs = new JschDetachedRuns(new JschRemoteShell(sessions, SshFixture.secrets(env), 200),
                t -> runDir.toString(), 200, Duration.ofSeconds(20));
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

    static String key(String name) {
        return "t" + seq.incrementAndGet() + "-" + name;
    }

    static long lines(Path counter) throws Exception {
        return Files.exists(counter) ? Files.readAllLines(counter).size() : 0;
    }

    @Test
    void runsTheCommandAndReportsExitOutputAndTimes() throws Exception {
        String key = key("basic");
        Path counter = fx.dir.resolve(key + ".count");
        Instant before = Instant.now().minusSeconds(1);
        RunStatus s = runs.start(fx.target(), key,
                RemoteCommand.of("echo run >> {}; echo hello; echo oops >&2; exit 4", counter));
        assertThat(s.attached()).isFalse();
        assertThat(s.started()).isNotNull();
        RunStatus done = runs.await(fx.target(), key, Duration.ofSeconds(10));
        assertThat(done.state()).isEqualTo(RunStatus.State.FINISHED);
        assertThat(done.exitStatus()).isEqualTo(4);
        assertThat(done.succeeded()).isFalse();
        assertThat(done.stdout()).isEqualTo("hello\n");
        assertThat(done.stderr()).isEqualTo("oops\n");
        assertThat(done.truncated()).isFalse();
        assertThat(done.outputSha256()).isEqualTo(JschRemoteShellTest.sha256("hello\noops\n"));
        assertThat(done.started()).isAfterOrEqualTo(before.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        assertThat(done.finished()).isAfterOrEqualTo(done.started()).isBeforeOrEqualTo(Instant.now().plusSeconds(1));
        assertThat(lines(counter)).isEqualTo(1);
    }

    @Test
    void startingTwiceAttachesInsteadOfRunningAgain() throws Exception {
        String key = key("twice");
        Path counter = fx.dir.resolve(key + ".count");
        RemoteCommand cmd = RemoteCommand.of("echo run >> {}; sleep 0.5", counter);
        RunStatus first = runs.start(fx.target(), key, cmd);
        RunStatus second = runs.start(fx.target(), key, cmd);
        assertThat(first.attached()).isFalse();
        assertThat(second.attached()).isTrue();
        assertThat(runs.await(fx.target(), key, Duration.ofSeconds(10)).succeeded()).isTrue();
        RunStatus third = runs.start(fx.target(), key, cmd);
        assertThat(third.attached()).isTrue();
        assertThat(third.isFinished()).isTrue();
        assertThat(lines(counter)).isEqualTo(1);
        // the same key for another command is a bug in the caller: refused, nothing run
        assertThatThrownBy(() -> runs.start(fx.target(), key, RemoteCommand.of("echo other >> {}", counter)))
                .isInstanceOf(SshException.class)
                .hasMessageContaining("already holds a different command");
        assertThat(lines(counter)).isEqualTo(1);
    }

    @Test
    void concurrentStartsWithOneKeyRunOnce() throws Exception {
        String key = key("race");
        Path counter = fx.dir.resolve(key + ".count");
        RemoteCommand cmd = RemoteCommand.of("echo run >> {}", counter);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<RunStatus>> all = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                all.add(pool.submit((Callable<RunStatus>) () -> runs.start(fx.target(), key, cmd)));
            }
            int owners = 0;
            for (Future<RunStatus> f : all) {
                owners += f.get().attached() ? 0 : 1;
            }
            assertThat(owners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(runs.await(fx.target(), key, Duration.ofSeconds(10)).succeeded()).isTrue();
        assertThat(lines(counter)).isEqualTo(1);
    }

    @Test
    void longPollReturnsRunningWithinItsBound() {
        String key = key("longpoll");
        runs.start(fx.target(), key, RemoteCommand.of("sleep 4"));
        long t0 = System.nanoTime();
        RunStatus s = runs.await(fx.target(), key, Duration.ofMillis(1200));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(s.state()).isEqualTo(RunStatus.State.RUNNING);
        assertThat(s.exitStatus()).isNull();
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1000)).isLessThan(Duration.ofMillis(1200 + 2500));
        // and it returns as soon as the run ends, not at the end of the poll
        RunStatus done = runs.await(fx.target(), key, Duration.ofSeconds(20));
        assertThat(done.succeeded()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4 + 3));
    }

    @Test
    void longOutputKeepsTheTailAndDigestsAll() {
        String key = key("long");
        RunStatus s = runs.start(fx.target(), key,
                RemoteCommand.of("i=0; while [ $i -lt 100 ]; do printf '%04d\\n' $i; i=$((i+1)); done; printf 'e' >&2"));
        RunStatus done = runs.await(fx.target(), key, Duration.ofSeconds(10));
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            all.append(String.format("%04d\n", i));
        }
        assertThat(done.truncated()).isTrue();
        assertThat(done.stdout()).isEqualTo(all.substring(all.length() - 200));
        assertThat(done.stderr()).isEqualTo("e");
        assertThat(done.outputSha256()).isEqualTo(JschRemoteShellTest.sha256(all + "e"));
        assertThat(s.key()).isEqualTo(key);
    }

    @Test
    void aRunWhoseProcessDiedIsReportedLostNotRunningForever() throws Exception {
        String key = key("killed");
        RunStatus s = runs.start(fx.target(), key, RemoteCommand.of("sleep 30"));
        assertThat(s.state()).isEqualTo(RunStatus.State.RUNNING);
        long pid = Long.parseLong(Files.readString(runDir.resolve(key).resolve("pid")).trim());
        // kill the wrapper and the command, as a reboot or the OOM killer would
        List<ProcessHandle> tree = new ArrayList<>(ProcessHandle.of(pid).orElseThrow().descendants().toList());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        tree.forEach(ProcessHandle::destroyForcibly);
        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        RunStatus lost = runs.await(fx.target(), key, Duration.ofSeconds(5));
        assertThat(lost.state()).isEqualTo(RunStatus.State.FINISHED);
        assertThat(lost.exitStatus()).isEqualTo(-1);
        assertThat(lost.succeeded()).isFalse();
        assertThat(lost.stderr()).contains("lost").contains("ended without recording an exit status");
        // and it stays so: starting the key again does not run it again
        assertThat(runs.start(fx.target(), key, RemoteCommand.of("sleep 30")).exitStatus()).isEqualTo(-1);
    }

    @Test
    void aClaimWhoseLaunchNeverHappenedIsLostAfterTheGrace() throws Exception {
        // a host that crashed between claim and launch leaves a key directory without a process
        String key = key("orphan-claim");
        Path dir = runDir.resolve(key);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("created"),
                (Instant.now().getEpochSecond() - JschDetachedRuns.START_GRACE_SECONDS - 5) + "\n");
        RunStatus s = runs.await(fx.target(), key, Duration.ofSeconds(2));
        assertThat(s.isFinished()).isTrue();
        assertThat(s.exitStatus()).isEqualTo(-1);
        assertThat(s.stderr()).contains("never started");
    }

    /** A runner of its own with a 1 s grace and the wrapper held at its launch, released through files. */
    private static JschDetachedRuns heldRuns(Path hold) {
        JschDetachedRuns held = new JschDetachedRuns(new JschRemoteShell(sessions, SshFixture.secrets(Map.of()), 200),
                t -> runDir.toString(), 200, Duration.ofSeconds(20));
        held.graceSeconds = 1;
        held.launchHold = hold.toString();
        return held;
    }

    private static boolean pastGrace(Path dir, int grace) throws Exception {
        Path created = dir.resolve("created");
        return Files.exists(created) && Instant.now().getEpochSecond()
                - Long.parseLong(Files.readString(created).trim()) > grace;
    }

    /**
     * Hole: a poller declared the run "never started" (no pid after the grace) while its wrapper was only late (a
     * slow or stopped host); the wrapper then ran the command anyway, after the service had reported the run
     * lost and might retry it under a new key: two runs. Now the poller takes the launch first and the late
     * wrapper backs off: the command never runs.
     */
    @Test
    void aLateWrapperNeverRunsACommandAlreadyDeclaredNeverStarted() throws Exception {
        String key = key("late-wrapper");
        Path dir = runDir.resolve(key);
        Path counter = fx.dir.resolve(key + ".count");
        Path hold = fx.dir.resolve(key + ".hold");
        JschDetachedRuns held = heldRuns(hold);
        java.util.concurrent.CompletableFuture<RunStatus> starting = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> held.start(fx.target(), key, RemoteCommand.of("echo run >> {}", counter)));
        try {
            // the wrapper is alive (wpid) but has not launched, and the grace is over
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve("wpid")));
            await().atMost(Duration.ofSeconds(10)).until(() -> pastGrace(dir, 1));
            RunStatus lost = held.await(fx.target(), key, Duration.ZERO);
            assertThat(lost.isFinished()).isTrue();
            assertThat(lost.exitStatus()).isEqualTo(-1);
            assertThat(lost.stderr()).contains("never started");
        } finally {
            Files.writeString(hold.resolveSibling(hold.getFileName() + ".before"), "");
            Files.writeString(hold.resolveSibling(hold.getFileName() + ".after"), "");
        }
        long wpid = Long.parseLong(Files.readString(dir.resolve("wpid")).trim());
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(wpid).map(p -> !p.isAlive()).orElse(true));
        assertThat(lines(counter)).as("the late wrapper backed off").isZero();
        assertThat(dir.resolve("pid")).doesNotExist();
        assertThat(starting.get(20, java.util.concurrent.TimeUnit.SECONDS).exitStatus()).isEqualTo(-1);
        RunStatus later = held.await(fx.target(), key, Duration.ZERO);
        assertThat(later.exitStatus()).isEqualTo(-1);
        assertThat(later.stderr()).contains("never started");
        assertThat(lines(counter)).isZero();
    }

    /**
     * The other side of the race: the wrapper took the launch but has not written its pid yet when the grace is
     * over (stopped right after the launch). A poller must not declare it lost: its command runs, once, and its
     * real exit status is reported.
     */
    @Test
    void aWrapperThatWonTheLaunchIsNeverDeclaredLost() throws Exception {
        String key = key("won-launch");
        Path dir = runDir.resolve(key);
        Path counter = fx.dir.resolve(key + ".count");
        Path hold = fx.dir.resolve(key + ".hold");
        Files.writeString(hold.resolveSibling(hold.getFileName() + ".before"), "");
        JschDetachedRuns held = heldRuns(hold);
        java.util.concurrent.CompletableFuture<RunStatus> starting = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> held.start(fx.target(), key, RemoteCommand.of("echo run >> {}; sleep 1; exit 3",
                        counter)));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.isDirectory(dir.resolve("launch")));
            await().atMost(Duration.ofSeconds(10)).until(() -> pastGrace(dir, 1));
            assertThat(dir.resolve("pid")).doesNotExist();
            assertThat(held.await(fx.target(), key, Duration.ZERO).state()).isEqualTo(RunStatus.State.RUNNING);
            assertThat(held.await(fx.target(), key, Duration.ofMillis(600)).state()).isEqualTo(RunStatus.State.RUNNING);
        } finally {
            Files.writeString(hold.resolveSibling(hold.getFileName() + ".after"), "");
        }
        // while the command runs, past the grace: still running, never lost
        await().atMost(Duration.ofSeconds(10)).until(() -> lines(counter) == 1);
        RunStatus during = held.await(fx.target(), key, Duration.ZERO);
        assertThat(during.isFinished() ? during.exitStatus() : 0).as("not lost while it runs").isNotEqualTo(-1);
        RunStatus done = held.await(fx.target(), key, Duration.ofSeconds(10));
        assertThat(done.exitStatus()).isEqualTo(3);
        assertThat(done.stderr()).doesNotContain("lost");
        assertThat(starting.get(20, java.util.concurrent.TimeUnit.SECONDS).attached()).isFalse();
        assertThat(lines(counter)).isEqualTo(1);
    }

    /** A wrapper that won the launch and died before its pid (host crash there) is lost, not running forever. */
    @Test
    void aWrapperThatDiedAfterTheLaunchBeforeItsPidIsLost() throws Exception {
        String key = key("died-at-launch");
        Path dir = runDir.resolve(key);
        Files.createDirectories(dir.resolve("launch"));
        Files.writeString(dir.resolve("created"),
                (Instant.now().getEpochSecond() - JschDetachedRuns.START_GRACE_SECONDS - 5) + "\n");
        Files.writeString(dir.resolve("wpid"), "999999999\n");
        RunStatus s = runs.await(fx.target(), key, Duration.ofSeconds(2));
        assertThat(s.exitStatus()).isEqualTo(-1);
        assertThat(s.stderr()).contains("never started").contains("wrapper ended");
    }

    /**
     * The wrapper writes the exit status as soon as the command ends, without digesting the output first: a whole
     * output is digested by the service from the bytes the host sent, with the same result.
     */
    @Test
    void aWholeOutputIsDigestedByTheServiceNotBeforeTheExitStatus() throws Exception {
        String key = key("digest");
        runs.start(fx.target(), key, RemoteCommand.of("echo out; echo err >&2"));
        RunStatus done = runs.await(fx.target(), key, Duration.ofSeconds(10));
        assertThat(done.truncated()).isFalse();
        assertThat(done.outputSha256()).isEqualTo(JschRemoteShellTest.sha256("out\nerr\n"));
        assertThat(Files.readString(runDir.resolve(key).resolve("exit"))).startsWith("rc=0\n").doesNotContain("sha256");
        // the pipe an await reads is gone once the run has ended
        await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(runDir.resolve(key).resolve("alive")));
    }

    /** A digest the host recorded (older wrappers wrote one into exit) is the one reported. */
    @Test
    void aDigestTheHostRecordedIsReportedAsRecorded() throws Exception {
        String key = key("recorded-digest");
        String recorded = JschRemoteShellTest.sha256("what the host digested\n");
        olderWrappersFinishedRun(key, "recorded", recorded);
        RunStatus s = runs.await(fx.target(), key, Duration.ofSeconds(5));
        assertThat(s.stdout()).isEqualTo("recorded\n");
        assertThat(s.outputSha256()).isEqualTo(recorded);
    }

    /** A run directory an older wrapper left (no launch, no wpid) still reads as it did. */
    @Test
    void aFinishedRunOfAnOlderWrapperStillReads() throws Exception {
        String key = key("old-format");
        Path dir = olderWrappersFinishedRun(key, "old", JschRemoteShellTest.sha256("old\n"));
        RunStatus s = runs.start(fx.target(), key, RemoteCommand.of("echo old"));
        assertThat(s.attached()).isTrue();
        assertThat(s.succeeded()).isTrue();
        assertThat(s.stdout()).isEqualTo("old\n");
        assertThat(dir.resolve("launch")).doesNotExist();
    }

    /** The directory an older wrapper (no launch, no wpid, the digest in exit) left for {@code echo <word>}. */
    static Path olderWrappersFinishedRun(String key, String word, String sha256) throws Exception {
        Path dir = runDir.resolve(key);
        Files.createDirectories(dir);
        long now = Instant.now().getEpochSecond();
        Files.writeString(dir.resolve("created"), (now - 100) + "\n");
        Files.writeString(dir.resolve("started"), (now - 99) + "\n");
        Files.writeString(dir.resolve("cmd"), "echo " + word + "\n");
        Files.writeString(dir.resolve("pid"), "999999999\n");
        Files.writeString(dir.resolve("out"), word + "\n");
        Files.writeString(dir.resolve("err"), "");
        Files.writeString(dir.resolve("exit"), "rc=0\nfinished=" + (now - 98) + "\nsha256=" + sha256 + "\n");
        return dir;
    }

    @Test
    void theCommandKeepsDefaultSignalHandling() {
        // the claiming shell survives SIGTERM, but the command must not inherit that: a TERM still ends it
        String key = key("sigterm");
        runs.start(fx.target(), key, RemoteCommand.of("kill -TERM $$; echo survived"));
        RunStatus done = runs.await(fx.target(), key, Duration.ofSeconds(10));
        assertThat(done.exitStatus()).isEqualTo(128 + 15);
        assertThat(done.stdout()).isEmpty();
    }

    @Test
    void awaitingAnUnknownKeyFailsClearly() {
        assertThatThrownBy(() -> runs.await(fx.target(), key("never"), Duration.ofSeconds(1)))
                .isInstanceOf(SshException.NoSuchRun.class)
                .hasMessageContaining("start it before awaiting it");
        assertThatThrownBy(() -> runs.start(fx.target(), "../escape", RemoteCommand.of("true")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("idempotency key");
    }

    @Test
    void secretsReachTheDetachedCommandButNoCommandLineOrFile() throws Exception {
        String key = key("secret");
        Path seen = fx.dir.resolve(key + ".seen");
        RemoteCommand cmd = RemoteCommand.of("printf %s \"$RUN_SECRET\" > {}; sleep 1.5", seen)
                .withSecretEnv("RUN_SECRET", new SecretRef("RUN_SECRET", null));
        runs.start(fx.target(), key, cmd);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(seen) && Files.size(seen) > 0);
        assertThat(JschRemoteShellTest.processesWhoseCommandLineContains(SECRET)).isEmpty();
        assertThat(runs.await(fx.target(), key, Duration.ofSeconds(10)).succeeded()).isTrue();
        assertThat(Files.readString(seen)).isEqualTo(SECRET);
        try (Stream<Path> files = Files.list(runDir.resolve(key))) {
            // every file; launch is an empty directory (the launch arbiter)
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.UTF_8)).as("%s", f).doesNotContain(SECRET);
            }
        }
    }
}
