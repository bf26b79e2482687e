package io.onefed.upgrade.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.federation.SecretRef;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scrubber alone, then on a real sshd through the detached runs (output in chunks, a cut tail). */
class OutputScrubberTest {

    static final String PASS = "My5ql-pw'7Xq";
    static final OutputScrubber SCRUBBER = new OutputScrubber(() -> List.of(PASS.toCharArray(),
            "oneadmin:0neAdm1n-pw".toCharArray(), "0neAdm1n-pw".toCharArray()));
    static final String M = OutputScrubber.MARKER;

    @Test
    void everySecretAndItsShellQuotedFormIsReplacedByTheMarker() {
        // onedb_backend.rb: "mysqldump -u #{@user} -p'#{@passwd}' ..." printed as is, and as a shell quotes it
        assertThat(SCRUBBER.scrub("Unknown error running 'mysqldump -u oneadmin -p'" + PASS + "' -h localhost'"))
                .isEqualTo("Unknown error running 'mysqldump -u oneadmin -p'" + M + "' -h localhost'");
        assertThat(SCRUBBER.scrub("x 'My5ql-pw'\\''7Xq' y")).isEqualTo("x '" + M + "' y");
        assertThat(SCRUBBER.scrub("auth oneadmin:0neAdm1n-pw and 0neAdm1n-pw")).isEqualTo("auth " + M + " and " + M);
        assertThat(SCRUBBER.scrub("nothing secret here")).isEqualTo("nothing secret here");
    }

    @Test
    void fragmentsAtTheEdgesOfACutTailAreRemoved() {
        // the tail starts inside the password (its head was cut), or the command died mid-write
        assertThat(SCRUBBER.scrub("ql-pw'7Xq' -h localhost")).isEqualTo(M + "' -h localhost");
        assertThat(SCRUBBER.scrub("\uFFFDl-pw'7Xq'")).isEqualTo("\uFFFD" + M + "'");
        assertThat(SCRUBBER.scrub("running -p'My5ql")).isEqualTo("running -p'" + M);
        // shorter fragments stay: too likely to be ordinary text
        assertThat(SCRUBBER.scrub("7Xq is fine")).isEqualTo("7Xq is fine");
    }

    @Test
    void aSecretPrintedInChunksIntoACutTailNeverComesBackThroughTheDetachedRuns() throws Exception {
        SshFixture fx = SshFixture.start("scrub");
        try (JschSessions sessions = new JschSessions(fx.props(), SshFixture.secrets(Map.of()))) {
            JschDetachedRuns runs = new JschDetachedRuns(new JschRemoteShell(sessions, SshFixture.secrets(Map.of()),
                    200, SCRUBBER), t -> fx.dir.resolve("runs").toString(), 200, Duration.ofSeconds(20));
            // stderr: the password written in two chunks with a pause between; then 192 more bytes, so the 200-byte
            // tail starts 4 characters into the password ("l-pw'7Xq" left)
            String cmd = "printf 'pw=My5ql-' >&2; sleep 0.3; printf \"pw'7Xq\" >&2; printf '%192s' x >&2;"
                    + " printf 'out My5ql-'; sleep 0.3; printf \"pw'7Xq end\"";
            runs.start(fx.target(), "scrub-1", RemoteCommand.of(cmd));
            RunStatus done = runs.await(fx.target(), "scrub-1", Duration.ofSeconds(20));
            assertThat(done.isFinished()).isTrue();
            assertThat(done.truncated()).isTrue();
            assertThat(done.stdout()).isEqualTo("out " + M + " end");
            assertThat(done.stderr()).startsWith(M).doesNotContain("pw'7Xq").doesNotContain("'7Xq");
            assertThat(done.stderr().getBytes(StandardCharsets.UTF_8).length).isLessThan(220);
            // the plain shell too
            CommandResult r = new JschRemoteShell(sessions, SshFixture.secrets(Map.of()), 200, SCRUBBER)
                    .run(fx.target(), RemoteCommand.of("echo \"-p'My5ql-pw'\\''7Xq'\" >&2; exit 3"));
            assertThat(r.stderr()).isEqualTo("-p'" + M + "'\n");
        } finally {
            fx.close();
        }
    }
}
