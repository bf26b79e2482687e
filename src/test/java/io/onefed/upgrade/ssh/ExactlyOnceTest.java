package io.onefed.upgrade.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Design decision 2's promise: the orchestrator dies at every stage of a detached run (its TCP connections cut
 * without an SSH goodbye, its sessions gone) and a fresh one resumes; the command's side effect (a line appended
 * to a counter file) happens exactly once every time.
 */
class ExactlyOnceTest {

    static SshFixture fx;
    static Path runDir;
    SshFixture.Killable current;

    @BeforeAll
    static void start() throws Exception {
        fx = SshFixture.start("exactly-once");
        runDir = fx.dir.resolve("runs");
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @AfterEach
    void killLast() {
        if (current != null) {
            current.kill();
        }
    }

    /** A new orchestrator: its own sessions and executor, nothing shared with the one that died. */
    private JschDetachedRuns orchestrator() {
        current = SshFixture.killable(fx.props(), SshFixture.secrets(Map.of()));
        return new JschDetachedRuns(new JschRemoteShell(current.sessions(), SshFixture.secrets(Map.of())),
                t -> runDir.toString(), 4096, Duration.ofSeconds(20));
    }

    private SshFixture.Killable dies() {
        SshFixture.Killable k = current;
        k.kill();
        return k;
    }

    private static RemoteCommand command(Path counter, String sleep) {
        return RemoteCommand.of("echo run >> {}; sleep {}; echo done", counter, sleep);
    }

    private static long runsOf(Path counter) throws Exception {
        return Files.exists(counter) ? Files.readAllLines(counter).size() : 0;
    }

    /** The resumed side: start again (attaches) and await; then once more from yet another orchestrator. */
    private void resumeAndCheckOnce(String key, Path counter, RemoteCommand cmd) throws Exception {
        JschDetachedRuns fresh = orchestrator();
        RunStatus again = fresh.start(fx.target(), key, cmd);
        assertThat(again.attached()).as("start after the crash attaches").isTrue();
        RunStatus done = fresh.await(fx.target(), key, Duration.ofSeconds(15));
        assertThat(done.state()).isEqualTo(RunStatus.State.FINISHED);
        assertThat(done.exitStatus()).isZero();
        assertThat(done.stdout()).isEqualTo("done\n");
        dies();
        RunStatus later = orchestrator().start(fx.target(), key, cmd);
        assertThat(later.attached()).isTrue();
        assertThat(later.succeeded()).isTrue();
        assertThat(runsOf(counter)).as("side effect count").isEqualTo(1);
    }

    @Test
    void diesBeforeStarting() throws Exception {
        String key = "eo-before-start";
        Path counter = fx.dir.resolve(key);
        JschDetachedRuns first = orchestrator();
        new JschRemoteShell(current.sessions(), SshFixture.secrets(Map.of())).run(fx.target(), RemoteCommand.of("true"));
        dies();
        assertThat(Files.exists(runDir.resolve(key))).isFalse();
        assertThatThrownBy(() -> first.start(fx.target(), key, command(counter, "0")))
                .isInstanceOf(SshException.class);
        // nothing was claimed, so the resumed start owns the run
        JschDetachedRuns fresh = orchestrator();
        RunStatus s = fresh.start(fx.target(), key, command(counter, "0"));
        assertThat(s.attached()).isFalse();
        assertThat(fresh.await(fx.target(), key, Duration.ofSeconds(15)).succeeded()).isTrue();
        dies();
        resumeAndCheckOnce(key, counter, command(counter, "0"));
    }

    @Test
    void diesBetweenClaimAndLaunch() throws Exception {
        String key = "eo-mid-start";
        Path counter = fx.dir.resolve(key);
        JschDetachedRuns first = orchestrator();
        first.pauseAfterClaimSeconds = 1;
        CompletableFuture<RunStatus> starting = CompletableFuture.supplyAsync(
                () -> first.start(fx.target(), key, command(counter, "0.2")));
        // the key is claimed on the host, the command not yet launched: now the orchestrator dies
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(runDir.resolve(key).resolve("created")));
        assertThat(Files.exists(runDir.resolve(key).resolve("pid"))).isFalse();
        dies();
        assertThatThrownBy(starting::get).isInstanceOf(ExecutionException.class);
        // some servers (Apache MINA sshd) also send SIGTERM to the session's shell when its channel closes
        List<ProcessHandle> claimers = shellsRunning(runDir.resolve(key).toString(), "ONE_FED_UPGRADE_WRAPPER_END");
        assertThat(claimers).as("the claiming shell, still pausing").isNotEmpty();
        claimers.forEach(ProcessHandle::destroy);
        // the claiming shell goes on without its client and launches the command
        await().atMost(Duration.ofSeconds(10)).until(() -> runsOf(counter) == 1);
        resumeAndCheckOnce(key, counter, command(counter, "0.2"));
    }

    /**
     * Issue 15: a start the host does not answer within its time (here the claiming shell pauses 5 s after its
     * claim, past the start's 3 s) is abandoned as "still waiting", never killed: at 100 slaves killed starts failed
     * jobs, and a start killed between its claim and its launch leaves a claimed key with nothing running. The
     * claiming shell goes on without its client and launches the command; the next start attaches to it.
     */
    @Test
    void aStartPastItsTimeIsAbandonedNotKilled() throws Exception {
        String key = "eo-slow-start";
        Path counter = fx.dir.resolve(key);
        JschDetachedRuns slow = orchestrator();
        slow.pauseAfterClaimSeconds = 5;
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> slow.start(fx.target(), key, command(counter, "0.2"), Duration.ofSeconds(1)))
                .isInstanceOf(SshException.StillWaiting.class).hasMessageContaining("abandoned without a signal");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).as("the start gave up after its 3 s at least, at " + ms + " ms").isBetween(2900L, 4900L);
        assertThat(runsOf(counter)).as("still pausing after its claim").isZero();
        // not killed: the claiming shell launches the command once its pause is over
        await().atMost(Duration.ofSeconds(15)).until(() -> runsOf(counter) == 1);
        resumeAndCheckOnce(key, counter, command(counter, "0.2"));
    }

    @Test
    void diesWhileTheCommandRuns() throws Exception {
        String key = "eo-during-run";
        Path counter = fx.dir.resolve(key);
        RunStatus s = orchestrator().start(fx.target(), key, command(counter, "1.5"));
        assertThat(s.state()).isEqualTo(RunStatus.State.RUNNING);
        assertThat(s.attached()).isFalse();
        dies();
        resumeAndCheckOnce(key, counter, command(counter, "1.5"));
    }

    @Test
    void diesWhileAwaiting() throws Exception {
        String key = "eo-during-await";
        Path counter = fx.dir.resolve(key);
        JschDetachedRuns first = orchestrator();
        first.start(fx.target(), key, command(counter, "2"));
        CompletableFuture<RunStatus> waiting = CompletableFuture.supplyAsync(
                () -> first.await(fx.target(), key, Duration.ofSeconds(20)));
        // the long-poll loop is running on the host
        await().atMost(Duration.ofSeconds(10)).until(() -> awaitLoopRunningFor(key));
        dies();
        assertThatThrownBy(waiting::get).isInstanceOf(ExecutionException.class);
        resumeAndCheckOnce(key, counter, command(counter, "2"));
    }

    @Test
    void diesAfterTheCommandEndedBeforeReadingItsResult() throws Exception {
        String key = "eo-after-exit";
        Path counter = fx.dir.resolve(key);
        orchestrator().start(fx.target(), key, command(counter, "0.3"));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(runDir.resolve(key).resolve("exit")));
        dies();
        resumeAndCheckOnce(key, counter, command(counter, "0.3"));
    }

    /**
     * Issue 12's hole 1 on a real sshd and sh: a step's run is started and the engine commits its key; then the
     * key directory is wiped on the host (a tmpfs run dir after a reboot, someone's clean-up). The next advance
     * used to start it again, mkdir succeeded and the command ran twice. Now the known key is only awaited: the
     * step fails with "disappeared after it was started" and the command ran once.
     */
    @Test
    void aWipedRunDirectoryOfAStartedKeyIsNeverClaimedAgain() throws Exception {
        Path counter = fx.dir.resolve("eo-wiped");
        io.onefed.upgrade.steps.RemoteStepRunner runner =
                new io.onefed.upgrade.steps.RemoteStepRunner(orchestrator(), Duration.ZERO);
        List<List<io.onefed.upgrade.steps.HostCommand>> groups =
                List.of(List.of(new io.onefed.upgrade.steps.HostCommand(fx.target(), command(counter, "2"))));
        io.onefed.upgrade.steps.RemoteStepRunner.Progress first = runner.advance("eo-wiped", groups);
        assertThat(first.state()).isEqualTo(io.onefed.upgrade.steps.RemoteStepRunner.State.RUNNING);
        String key = first.startedKeys().get(0);
        Path dir = runDir.resolve(key);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve("exit")));
        SshFixture.deleteTree(dir);

        io.onefed.upgrade.steps.RemoteStepRunner.Progress next =
                runner.advance("eo-wiped", groups, java.util.Set.copyOf(first.startedKeys()));
        assertThat(next.state()).isEqualTo(io.onefed.upgrade.steps.RemoteStepRunner.State.FAILED);
        assertThat(next.failure().summary()).contains("run directory of key " + key)
                .contains("disappeared after it was started").contains("may or may not have run");
        assertThat(Files.exists(dir)).as("not claimed again").isFalse();
        assertThat(runsOf(counter)).as("side effect count").isEqualTo(1);
    }

    /** Whether a shell on this machine runs the await script for this key. */
    private static boolean awaitLoopRunningFor(String key) throws Exception {
        return !shellsRunning(runDir.resolve(key).toString(), "polls=").isEmpty();
    }

    /** Processes on this machine whose command line holds both strings (the scripts this test's sshd runs). */
    private static List<ProcessHandle> shellsRunning(String a, String b) throws Exception {
        List<ProcessHandle> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmdline.contains(a) && cmdline.contains(b)) {
                        ProcessHandle.of(Long.parseLong(p.getFileName().toString())).ifPresent(found::add);
                    }
                } catch (java.io.IOException gone) {
                    // ended while listing
                }
            }
        }
        return found;
    }
}
