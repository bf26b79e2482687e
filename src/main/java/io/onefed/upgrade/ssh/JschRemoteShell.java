package io.onefed.upgrade.ssh;

import com.jcraft.jsch.ChannelExec;
import io.onefed.upgrade.federation.SecretRef;
import io.onefed.upgrade.federation.SecretResolver;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@link RemoteShell} over JSch exec channels. The target user's login shell reads the secrets named by
 * {@link RemoteCommand#withSecretEnv} from standard input with its {@code read} builtin and exports them, so
 * their values never appear in a command line the host shows in {@code ps}; it then execs the command under
 * POSIX {@code sh -c}, bounded by coreutils' {@code timeout} so that a timed-out command dies on the host too.
 */
public class JschRemoteShell implements RemoteShell {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JschRemoteShell.class);

    /** Per stream: enough for any status output, small enough for a process variable's neighbour. */
    public static final int DEFAULT_OUTPUT_CAP = 1024 * 1024;

    /** Extra time the client waits beyond the host's own timeout, for the kill to be reported back. */
    private static final Duration CLIENT_GRACE = Duration.ofSeconds(5);

    private final JschSessions sessions;
    private final SecretResolver secrets;
    private final int outputCap;
    private final OutputScrubber scrubber;

    public JschRemoteShell(JschSessions sessions, SecretResolver secrets) {
        this(sessions, secrets, DEFAULT_OUTPUT_CAP);
    }

    public JschRemoteShell(JschSessions sessions, SecretResolver secrets, int outputCap) {
        this(sessions, secrets, outputCap, OutputScrubber.NONE);
    }

    /** @param scrubber removes the configured secrets from every output this shell captures */
    public JschRemoteShell(JschSessions sessions, SecretResolver secrets, int outputCap, OutputScrubber scrubber) {
        this.scrubber = scrubber;
        if (outputCap < 1) {
            throw new IllegalArgumentException("outputCap must be positive: " + outputCap);
        }
        this.sessions = sessions;
        this.secrets = secrets;
        this.outputCap = outputCap;
    }

    @Override
    public CommandResult run(SshTarget target, RemoteCommand command) {
        SecretInput in = secretInput(command);
        Duration timeout = sessions.commandTimeout();
        try {
            // the host enforces the timeout too: closing the channel does not stop a command that never writes,
            // and OpenSSH may refuse signal requests; timeout(1) kills the command's whole process group
            Raw raw = exec(target, in.prefix() + withRemoteTimeout(command.rendered(), timeout), in.stdin(),
                    timeout.plus(CLIENT_GRACE), outputCap, command.rendered());
            if (raw.exitStatus() == 128 + 9 && raw.duration().compareTo(timeout) >= 0) {
                throw timedOut(target, command.rendered(), timeout);
            }
            return new CommandResult(raw.exitStatus(), text(raw.stdout()), text(raw.stderr()), raw.truncated(),
                    raw.sha256(), raw.duration());
        } finally {
            Arrays.fill(in.stdin(), (byte) 0);
        }
    }

    /** Runs the command under POSIX sh, killed by coreutils' timeout where the host has it. */
    static String withRemoteTimeout(String rendered, Duration timeout) {
        String secs = String.format(java.util.Locale.ROOT, "%d.%03d", timeout.toSeconds(), timeout.toMillisPart());
        String sh = "sh -c " + ShellQuoting.quote(rendered);
        return "if command -v timeout >/dev/null 2>&1; then exec timeout -s KILL " + secs + " " + sh
                + "; else exec " + sh + "; fi";
    }

    static SshException.Timeout timedOut(SshTarget target, String shown, Duration timeout) {
        return new SshException.Timeout("'" + shown + "' on " + target.address() + " did not finish within "
                + timeout.toMillis() + " ms (federation.ssh.command-timeout); it was killed."
                + " Long-running changes must run detached");
    }

    @Override
    public ProbeResult probe(SshTarget target) {
        try {
            // A channel opened on the pooled session (a new one joins the pool, its host key verified as it
            // connects) and confirmed by the host's sshd proves the host answers now: one round trip on the open
            // connection instead of a key exchange per status read (100 of them per read at 100 zones). A bare
            // "session" channel carries no request, so nothing runs on the host.
            try (JschSessions.ChannelLease lease = sessions.open(target, "session", channel -> { },
                    sessions.connectTimeout())) {
                return new ProbeResult(true, lease.hostKeyFingerprint(), null);
            }
        } catch (RuntimeException e) {
            // a probe reports, it does not throw: the status view shows every server, reachable or not
            return new ProbeResult(false, e instanceof SshException.HostKeyRejected r ? r.presentedFingerprint() : null,
                    e.getMessage());
        }
    }

    /** The shell text that reads the secrets from stdin, and the stdin that carries them (one line each). */
    SecretInput secretInput(RemoteCommand command) {
        StringBuilder prefix = new StringBuilder();
        ByteArrayOutputStream stdin = new ByteArrayOutputStream();
        for (Map.Entry<String, SecretRef> e : command.secretEnv().entrySet()) {
            String name = e.getKey();
            char[] value = secrets.resolve(e.getValue(), "secret " + name + " (" + e.getValue() + ")");
            try {
                for (char c : value) {
                    if (c == '\n' || c == '\0') {
                        throw new IllegalArgumentException("secret " + name + " (" + e.getValue()
                                + ") contains a line break or NUL byte, which cannot be passed to a shell variable;"
                                + " store it on one line");
                    }
                }
                java.nio.ByteBuffer encoded = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(value));
                byte[] bytes = encoded.array();
                stdin.write(bytes, 0, encoded.limit());
                stdin.write('\n');
                Arrays.fill(bytes, (byte) 0);
            } finally {
                Arrays.fill(value, '\0');
            }
            // only the variable's name is on the command line; `read` is a builtin, so no process sees the value
            prefix.append("IFS= read -r ").append(name).append(" || { echo 'secret ").append(name)
                    .append(" did not arrive on stdin' >&2; exit 97; }; export ").append(name).append("; ");
        }
        return new SecretInput(prefix.toString(), stdin.toByteArray());
    }

    /**
     * Captured output as the service may keep it: decoded, every configured secret removed. All output of a remote
     * command (this shell's and the detached runs') enters the service through here.
     */
    String text(byte[] captured) {
        return scrubber.scrub(new String(captured, StandardCharsets.UTF_8));
    }

    String text(byte[] captured, int offset, int length) {
        return scrubber.scrub(new String(captured, offset, length, StandardCharsets.UTF_8));
    }

    /** {@link JschSessions#connectAhead}: the target's session is connected in the background, if it has none. */
    void connectAhead(SshTarget target) {
        sessions.connectAhead(target);
    }

    record SecretInput(String prefix, byte[] stdin) {
    }

    /** What came back from one exec channel: tails (bytes), totals and the digest of the full output. */
    record Raw(int exitStatus, byte[] stdout, byte[] stderr, boolean truncated, String sha256, Duration duration) {
    }

    /**
     * Runs {@code text} and waits up to {@code timeout}. {@code shown} is what error messages quote: the rendered
     * command, or a description of an internal script.
     */
    Raw exec(SshTarget target, String text, byte[] stdin, Duration timeout, int cap, String shown) {
        return exec(target, text, stdin, timeout, cap, shown, timeout, false);
    }

    /**
     * {@link #exec(SshTarget, String, byte[], Duration, int, String)} that waits at most {@code connectBound} for a new
     * session. {@code abandonable}: the script may be left to finish on the host without its client (a run's status
     * read, or a detached run's start, whose claim and launch go on without the channel and which the next start
     * attaches to), so no answer by the timeout is {@link SshException.StillWaiting}, "ask again", not a command
     * that was killed.
     */
    Raw exec(SshTarget target, String text, byte[] stdin, Duration timeout, int cap, String shown, Duration connectBound,
            boolean abandonable) {
        // fresh captures for every channel the session pool opens: when a first channel times out under load
        // after the command already started, its output must not be added to the second one's (seen as a
        // doubled answer); the abandoned channel is disconnected and its captures dropped
        MessageDigest[] digestHolder = new MessageDigest[1];
        OutputCapture[] outHolder = new OutputCapture[1];
        OutputCapture[] errHolder = new OutputCapture[1];
        CountDownLatch[] endHolder = new CountDownLatch[1];
        long start = System.nanoTime();
        // when the channel was ready (0: never) and when the answer was in; the close is what follows
        long[] at = new long[2];
        JschSessions.ChannelLease[] leaseHolder = new JschSessions.ChannelLease[1];
        // the connect counts against the timeout too: a start on a slow host stays within its job's bound
        try (JschSessions.ChannelLease lease = sessions.open(target, "exec", ch -> {
            if (errHolder[0] != null) {
                errHolder[0].release();
            }
            digestHolder[0] = OutputCapture.sha256();
            outHolder[0] = OutputCapture.digesting(cap, digestHolder[0]);
            errHolder[0] = OutputCapture.keepingAll(cap);
            ChannelExec exec = (ChannelExec) ch;
            exec.setCommand(text.getBytes(StandardCharsets.UTF_8));
            // no input stream for JSch: it would start a thread per channel to pump it (and that new thread's first
            // packet seeds a padding generator inside JSch's JVM-wide padding lock); sendInput writes it instead
            endHolder[0] = new CountDownLatch(1);
            // JSch closes this stream when the host ends the output (EOF, just before the channel closes): the
            // wait below wakes then instead of polling every few milliseconds for the whole command
            exec.setOutputStream(new EndSignalling(outHolder[0], endHolder[0]), false);
            exec.setErrStream(errHolder[0], true);
        }, connectBound.compareTo(timeout) < 0 ? connectBound : timeout)) {
            at[0] = System.nanoTime();
            leaseHolder[0] = lease;
            sendInput((ChannelExec) lease.channel(), stdin);
            try {
                return answer(target, shown, timeout, abandonable, start, lease, digestHolder[0], outHolder[0],
                        errHolder[0], endHolder[0]);
            } finally {
                at[1] = System.nanoTime();
                // the answer is read: the close goes on without the caller, and the capture is let go after it
                // (an abandoned channel may still be written into until then)
                OutputCapture err = errHolder[0];
                errHolder[0] = null;
                lease.closeInBackground(err::release);
            }
        } finally {
            if (errHolder[0] != null) {
                errHolder[0].release();
            }
            overrun(target, shown, timeout, start, at, leaseHolder[0]);
        }
    }

    /**
     * The command's stdin (the secrets it reads, often nothing) and then end-of-file, so it never waits for input
     * forever; written by the calling thread on the open channel. A command that ended or closed its channel before
     * reading it makes the write fail: its exit status and output tell what happened, as they would with a pipe.
     */
    private static void sendInput(ChannelExec channel, byte[] stdin) {
        try (OutputStream in = channel.getOutputStream()) {
            if (stdin.length > 0) {
                in.write(stdin);
            }
        } catch (IOException e) {
            // the channel is closed already: nothing is waiting for this input any more
        }
    }

    /** Waits for the command's end (or the deadline) on the open channel and reads its outcome. */
    private Raw answer(SshTarget target, String shown, Duration timeout, boolean abandonable, long start,
            JschSessions.ChannelLease lease, MessageDigest digest, OutputCapture out, OutputCapture err,
            CountDownLatch endOfOutput) {
        ChannelExec channel = (ChannelExec) lease.channel();
        long deadline = start + timeout.toNanos();
        while (!channel.isClosed()) {
            if (System.nanoTime() > deadline) {
                if (abandonable) {
                    // no kill: a start killed between its claim and its launch would leave a claimed key with
                    // nothing running, and the signal's request waits for the slow host's reply (up to the
                    // connect timeout); the script ends on the host by itself, the channel is just closed
                    throw new SshException.StillWaiting("no answer from " + target.address() + " to '" + shown
                            + "' within " + timeout.toMillis() + " ms (a slow host): abandoned without a signal, it"
                            + " finishes on the host; the next poll asks again and attaches to the run");
                }
                try {
                    channel.sendSignal("KILL");
                } catch (Exception ignored) {
                    // closing the channel below ends the session's side anyway
                }
                throw timedOut(target, shown, timeout);
            }
            if (!lease.sessionConnected()) {
                break;
            }
            try {
                // before the output's end: woken by it, else every 50 ms for the deadline and a lost
                // connection; after it, the channel's close follows at once (exit status first)
                if (endOfOutput.getCount() > 0) {
                    endOfOutput.await(50, TimeUnit.MILLISECONDS);
                } else {
                    Thread.sleep(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SshException("interrupted while running '" + shown + "' on " + target.address());
            }
        }
        int exit = channel.getExitStatus();
        String signal = channel.getExitSignal();
        if (exit < 0 && signal == null) {
            throw new SshException("connection to " + target.address() + " was lost while running '" + shown
                    + "'; its outcome is unknown");
        }
        if (signal != null) {
            exit = 128 + signalNumber(signal);
        }
        err.replayInto(digest);
        return new Raw(exit, out.tailBytes(), err.tailBytes(), out.truncated() || err.truncated(),
                OutputCapture.hex(digest), Duration.ofNanos(System.nanoTime() - start));
    }

    /** How far past its bound an SSH call may end before it is logged: its channel's close and a busy client. */
    static final Duration OVERRUN_MARGIN = Duration.ofSeconds(1);

    /**
     * Logs a call that ended more than {@link #OVERRUN_MARGIN} past its bound, with where its time went: the wait
     * for a pooled session, the channel's open (and the command's request), the answer, the channel's close. An
     * engine job that makes such a call can outlive its lock; the split says whether the host or this side was slow.
     */
    private static void overrun(SshTarget target, String shown, Duration bound, long start, long[] at,
            JschSessions.ChannelLease lease) {
        long end = System.nanoTime();
        long total = (end - start) / 1_000_000;
        if (total <= bound.plus(OVERRUN_MARGIN).toMillis()) {
            return;
        }
        long session = lease == null ? -1 : (lease.acquiredAt() - start) / 1_000_000;
        long open = at[0] == 0 ? (end - start) / 1_000_000 - Math.max(0, session) : (at[0] - start) / 1_000_000
                - Math.max(0, session);
        long answer = at[0] == 0 ? 0 : (at[1] - at[0]) / 1_000_000;
        long close = at[0] == 0 ? 0 : (end - at[1]) / 1_000_000;
        LOG.warn("SSH call '{}' on {} took {} ms against its bound of {} ms: {} ms waiting for a pooled session, {}"
                + " ms opening the channel, {} ms for the answer, {} ms closing the channel", shown, target.address(),
                total, bound.toMillis(), session < 0 ? "?" : session, open, answer, close);
    }

    /** Passes the output on to the capture and counts the latch down when JSch closes it (the host's EOF). */
    private static final class EndSignalling extends FilterOutputStream {
        private final CountDownLatch end;

        EndSignalling(OutputStream capture, CountDownLatch end) {
            super(capture);
            this.end = end;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        /** The capture stays open: it is read and released after the channel. */
        @Override
        public void close() {
            end.countDown();
        }
    }

    private static int signalNumber(String name) {
        return switch (name) {
            case "HUP" -> 1;
            case "INT" -> 2;
            case "QUIT" -> 3;
            case "ILL" -> 4;
            case "ABRT" -> 6;
            case "FPE" -> 8;
            case "KILL" -> 9;
            case "SEGV" -> 11;
            case "PIPE" -> 13;
            case "ALRM" -> 14;
            case "TERM" -> 15;
            default -> 127;
        };
    }
}
