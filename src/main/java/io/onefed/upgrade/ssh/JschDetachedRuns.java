package io.onefed.upgrade.ssh;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@link DetachedRuns} with nothing but POSIX sh (plus {@code sha256sum}, and {@code setsid} when present) on the
 * host. Each run lives in {@code <runDir>/<key>}:
 * <pre>
 *   created   epoch seconds the key was claimed      cmd      the rendered command
 *   run.sh    wrapper that runs cmd and records      boot     boot id when the wrapper started
 *   started   epoch seconds the command started      pid      the wrapper's pid
 *   out, err  the command's stdout and stderr        exit     rc, finished (written by mv: atomic)
 *   lost      why a run ended without its own exit status
 *   wpid      the wrapper's pid, before it launches  launch   directory: who made it decides the launch
 * </pre>
 * The claim is {@code mkdir} of the key directory, which succeeds for exactly one caller; everyone else attaches.
 * The launch is a second {@code mkdir}, of {@code launch}: the wrapper makes it before it runs the command, a
 * poller before it declares the run "never started" (past the grace without a pid). Whoever makes it decides, so
 * a wrapper delayed past the grace never runs a command the service was already told never started, and a run
 * whose wrapper won is never declared lost. Directories of older wrappers (no {@code launch}) read as before.
 * The claiming shell survives SIGHUP and SIGTERM and writes nothing to the connection until the wrapper runs, so the command is
 * launched even if the orchestrator dies right after the claim. Secrets are exported into the wrapper's
 * environment from stdin and never written to the directory.
 */
public class JschDetachedRuns implements DetachedRuns {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    /** How long a claimed run may stay without a process before it counts as lost (host crash mid-start). */
    static final int START_GRACE_SECONDS = 30;
    /**
     * The shortest time a start is given: a round trip and a second's wait for the pid. A start not answered by then
     * is abandoned as still waiting (it finishes on the host, the next start attaches) and a new session's handshake
     * goes on in the background, so this need not cover a slow host, only keep a job's bound (issue 15).
     */
    static final Duration MIN_START_TIME = Duration.ofSeconds(3);
    /** What a start keeps for the round trip: the rest (up to 5 s) may go to waiting for the wrapper's pid. */
    private static final Duration START_ROUND_TRIP = Duration.ofSeconds(2);
    private static final Duration AWAIT_NETWORK_MARGIN = Duration.ofSeconds(30);
    /** The least an await's answer is given past its wait: one round trip on a loaded host. */
    static final Duration MIN_ANSWER_MARGIN = Duration.ofSeconds(1);
    /** The answer of a status-only await over a connected session: the host only reads its run directory. */
    private static final Duration STATUS_ONLY_TIMEOUT = Duration.ofSeconds(3);

    private final JschRemoteShell shell;
    private final Function<SshTarget, String> runDirOf;
    private final int outputCap;
    private final Duration startTimeout;
    /** Tests only: seconds the claiming shell sleeps between claim and launch, to cut the connection there. */
    volatile int pauseAfterClaimSeconds;
    /** Tests only: the grace, shortened to race a delayed wrapper against a poller. */
    volatile int graceSeconds = START_GRACE_SECONDS;
    /**
     * Tests only: the wrapper waits (at most 30 s) for {@code <hold>.before} to exist before it tries the launch,
     * and for {@code <hold>.after} once it won it (before its pid): a slow or stopped host, made deterministic.
     */
    volatile String launchHold;

    /**
     * @param runDirOf the run directory of a target's host (per zone: {@code federation.zones[].paths.run-dir})
     */
    public JschDetachedRuns(JschRemoteShell shell, Function<SshTarget, String> runDirOf, int outputCap,
            Duration startTimeout) {
        this.shell = shell;
        this.runDirOf = runDirOf;
        this.outputCap = outputCap;
        this.startTimeout = startTimeout;
    }

    @Override
    public RunStatus start(SshTarget target, String idempotencyKey, RemoteCommand command) {
        return start(target, idempotencyKey, command, startTimeout.plusSeconds(10));
    }

    /**
     * The connection is given up after {@code maxTime} (at least {@link #MIN_START_TIME}); the wait for the wrapper's
     * pid is shortened to fit (a slow host answers RUNNING without a pid, which the next await sees). The claiming
     * shell ignores the hang-up, so the claim and launch finish on the host regardless and the next start attaches.
     */
    @Override
    public RunStatus start(SshTarget target, String idempotencyKey, RemoteCommand command, Duration maxTime) {
        Duration limit = maxTime.compareTo(MIN_START_TIME) < 0 ? MIN_START_TIME : maxTime;
        if (limit.compareTo(startTimeout.plusSeconds(10)) > 0) {
            limit = startTimeout.plusSeconds(10);
        }
        String dir = keyDir(target, idempotencyKey);
        JschRemoteShell.SecretInput secrets = shell.secretInput(command);
        String script = secrets.prefix() + CLAIMER_TRAPS + "umask 077\n" + vars(dir, 0) + FUNCTIONS
                + "[ -d " + ShellQuoting.quote(parent(dir)) + " ] || mkdir -p " + ShellQuoting.quote(parent(dir))
                + " || exit 90\n"
                + START.replace("@PAUSE@", pauseAfterClaimSeconds > 0 ? "sleep " + pauseAfterClaimSeconds : ":")
                        .replace("@WRAPPER@", ShellQuoting.quote(WRAPPER.replace("@HOLD_BEFORE@", hold(".before"))
                                .replace("@HOLD_AFTER@", hold(".after"))))
                        .replace("@CMD@", ShellQuoting.quote(command.rendered()))
                        .replace("@PIDWAIT@", Long.toString(pidPolls(limit)));
        try {
            // past its time the start is abandoned, not killed: the claiming shell ignores the hang-up and finishes
            // the claim and launch on the host, and the next start with this key attaches (issue 15: killed starts
            // on freshly connected hypervisor hosts failed jobs at 100 slaves)
            JschRemoteShell.Raw raw = shell.exec(target, script, secrets.stdin(), limit,
                    protocolCap(), "start of run " + idempotencyKey, limit, true);
            return parse(target, idempotencyKey, raw, "start");
        } finally {
            Arrays.fill(secrets.stdin(), (byte) 0);
        }
    }

    @Override
    public void connectAhead(SshTarget target) {
        shell.connectAhead(target);
    }

    @Override
    public RunStatus await(SshTarget target, String idempotencyKey, Duration maxWait) {
        return await(target, idempotencyKey, maxWait, AWAIT_NETWORK_MARGIN);
    }

    @Override
    public RunStatus await(SshTarget target, String idempotencyKey, Duration maxWait, Duration answerMargin) {
        String dir = keyDir(target, idempotencyKey);
        long waitMs = Math.max(0, maxWait.toMillis());
        String script = vars(dir, waitMs) + FUNCTIONS + AWAIT;
        Duration margin = answerMargin.compareTo(MIN_ANSWER_MARGIN) < 0 ? MIN_ANSWER_MARGIN : answerMargin;
        // a new session to a slow host is waited for within the poll's own wait (3 s at least), not the margin
        JschRemoteShell.Raw raw = shell.exec(target, script, new byte[0], maxWait.plus(margin),
                protocolCap(), "await of run " + idempotencyKey,
                maxWait.compareTo(MIN_START_TIME) < 0 ? MIN_START_TIME : maxWait, true);
        return parse(target, idempotencyKey, raw, "await");
    }

    @Override
    public RunStatus awaitIfConnected(SshTarget target, String idempotencyKey) {
        String dir = keyDir(target, idempotencyKey);
        String script = vars(dir, 0) + FUNCTIONS + AWAIT;
        // no wait for a new session (it goes on connecting in the background) and a short bound on the answer
        JschRemoteShell.Raw raw = shell.exec(target, script, new byte[0], STATUS_ONLY_TIMEOUT, protocolCap(),
                "await of run " + idempotencyKey, Duration.ZERO, true);
        return parse(target, idempotencyKey, raw, "await");
    }

    private String keyDir(SshTarget target, String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("idempotency key must be 1-200 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit: " + key);
        }
        String runDir = runDirOf.apply(target);
        if (runDir == null || !runDir.startsWith("/")) {
            throw new IllegalArgumentException("run directory of zone " + target.zoneId()
                    + " must be an absolute path (federation.zones[].paths.run-dir): " + runDir);
        }
        return (runDir.endsWith("/") ? runDir : runDir + "/") + key;
    }

    /** Polls of 50 ms for the wrapper's pid: 5 s at most, less when the start has less time than that. */
    static long pidPolls(Duration limit) {
        long ms = Math.min(5000, Math.max(1000, limit.minus(START_ROUND_TRIP).toMillis()));
        return ms / 50;
    }

    private String hold(String suffix) {
        String h = launchHold;
        return h == null ? ":" : "i=0; while [ ! -e " + ShellQuoting.quote(h + suffix)
                + " ] && [ \"$i\" -lt 600 ]; do sleep 0.05; i=$((i + 1)); done";
    }

    private static String parent(String dir) {
        return dir.substring(0, dir.lastIndexOf('/'));
    }

    private String vars(String dir, long waitMs) {
        return "d=" + ShellQuoting.quote(dir) + "\ncap=" + outputCap + "\npolls=" + (waitMs + 199) / 200
                + "\nmaxs=" + ((waitMs + 999) / 1000) + "\ngrace=" + graceSeconds + "\n";
    }

    /** Both tails at full size plus the header: the status protocol itself is never cut. */
    private int protocolCap() {
        return 2 * outputCap + 64 * 1024;
    }

    private RunStatus parse(SshTarget target, String key, JschRemoteShell.Raw raw, String what) {
        if (raw.exitStatus() != 0 || raw.truncated()) {
            throw new SshException(what + " of run " + key + " on " + target.address() + " failed (exit "
                    + raw.exitStatus() + "): " + shell.text(raw.stderr()).strip()
                    + "; check that " + runDirOf.apply(target) + " can be created and written by " + target.user());
        }
        byte[] b = raw.stdout();
        Map<String, String> h = new HashMap<>();
        int pos = 0;
        while (true) {
            int nl = indexOf(b, (byte) '\n', pos);
            if (nl < 0) {
                throw new SshException(what + " of run " + key + " on " + target.address()
                        + " returned an incomplete status (connection cut?); retry");
            }
            String line = new String(b, pos, nl - pos, StandardCharsets.UTF_8);
            pos = nl + 1;
            if (line.equals("end")) {
                break;
            }
            int eq = line.indexOf('=');
            if (eq > 0) {
                h.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        if ("no".equals(h.get("samecmd"))) {
            throw new SshException("run key " + key + " on " + target.address() + " already holds a different command"
                    + " (see " + keyDir(target, key) + "/cmd); refusing to attach to it. A key must name exactly one"
                    + " command: derive a new key (e.g. a new attempt) for a changed command");
        }
        String state = h.get("state");
        if ("MISSING".equals(state)) {
            throw new SshException.NoSuchRun("no run with key " + key + " on " + target.address() + " (looked in "
                    + runDirOf.apply(target) + "): start it before awaiting it");
        }
        Instant started = epoch(h.get("started"));
        boolean attached = "true".equals(h.get("attached"));
        if (!"FINISHED".equals(state)) {
            return new RunStatus(key, RunStatus.State.RUNNING, null, null, null, false, null, started, null, attached);
        }
        int outTail = Integer.parseInt(h.getOrDefault("outtail", "0"));
        int errTail = Integer.parseInt(h.getOrDefault("errtail", "0"));
        if (pos + outTail + errTail > b.length) {
            throw new SshException(what + " of run " + key + " on " + target.address()
                    + " returned less output than announced (connection cut?); retry");
        }
        // each tail scrubbed on its own, after it is whole (the protocol's byte counts are read first)
        String out = shell.text(b, pos, outTail);
        String err = shell.text(b, pos + outTail, errTail);
        if (h.containsKey("lost")) {
            err = err + (err.isEmpty() || err.endsWith("\n") ? "" : "\n") + "[one-fed-upgrade] " + h.get("lost");
        }
        boolean truncated = Long.parseLong(h.getOrDefault("outsize", "0")) > outputCap
                || Long.parseLong(h.getOrDefault("errsize", "0")) > outputCap;
        // a whole output is digested here, from the bytes the host sent (saving the host a digest on the critical path);
        // a cut one by the host, which has all of it
        String sha256 = h.get("sha256");
        if (sha256 == null && !truncated) {
            MessageDigest digest = OutputCapture.sha256();
            digest.update(b, pos, outTail + errTail);
            sha256 = OutputCapture.hex(digest);
        }
        return new RunStatus(key, RunStatus.State.FINISHED, Integer.parseInt(h.get("rc")), out, err, truncated,
                sha256, started, epoch(h.get("finished")), attached);
    }

    private static Instant epoch(String s) {
        return s == null || s.isBlank() ? null : Instant.ofEpochSecond(Long.parseLong(s.trim()));
    }

    private static int indexOf(byte[] b, byte v, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The claiming shell survives the hang-up of a vanished client (OpenSSH) and the SIGTERM some servers send
     * when the channel closes (Apache MINA sshd). A no-op handler, not "ignore": an ignored signal would be
     * inherited by the command itself, a handled one is reset to default in every child.
     */
    private static final String CLAIMER_TRAPS = "trap : HUP TERM\n";

    /** Digest of stdin, with a fallback for hosts without coreutils' sha256sum. */
    private static final String SHA = """
            sha() { if command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -d' ' -f1; \
            else openssl dgst -sha256 -r | cut -d' ' -f1; fi; }
            """;

    /**
     * The wrapper: records boot id and its own pid ({@code wpid}, so a poller can tell it is alive), takes the
     * launch or backs off without running anything, then records start time and pid, runs the command, records
     * rc and end time. It holds the pipe {@code alive} open for the rest of its life (the command does not
     * inherit it), so an awaiting reader sees end-of-file the moment the wrapper ends, even before its parent reaps
     * it; the pipe is removed first (a finished run directory holds regular files and the empty {@code launch}
     * only: reading them all never blocks; and a reader never opens a pipe nobody will close). Between
     * the command's end and its exit status there is no fork but {@code date} and {@code mv}: the output digest
     * is made by the service from the bytes it receives, or, for an output too long to send whole, by the report
     * (older wrappers wrote it into {@code exit}, which the report passes on).
     */
    private static final String WRAPPER = """
            d=$1
            if [ -r /proc/sys/kernel/random/boot_id ]; then
              b=; read -r b < /proc/sys/kernel/random/boot_id; printf '%s\\n' "$b" > "$d/boot"
            fi
            echo $$ > "$d/wpid.tmp" && mv -f "$d/wpid.tmp" "$d/wpid"
            @HOLD_BEFORE@
            mkdir "$d/launch" 2>/dev/null || exit 0
            @HOLD_AFTER@
            if mkfifo "$d/alive" 2>/dev/null; then exec 9<>"$d/alive"; fi
            date +%s > "$d/started.tmp" && mv -f "$d/started.tmp" "$d/started"
            echo $$ > "$d/pid.tmp" && mv -f "$d/pid.tmp" "$d/pid"
            sh "$d/cmd" > "$d/out" 2> "$d/err" < /dev/null 9>&-
            rc=$?
            printf 'rc=%s\\nfinished=%s\\n' "$rc" "$(date +%s)" > "$d/exit.tmp" && mv -f "$d/exit.tmp" "$d/exit"
            rm -f "$d/alive"
            # ONE_FED_UPGRADE_WRAPPER_END (the claiming shell's command line carries the wrapper up to here)
            """;

    /**
     * check_run: 0 when the run has an exit status (recording "lost" if its process is gone without one), 1 while
     * it runs. report: the status header, then the tails of out and err when finished. Both run right after a
     * command ends, on the way to the next step: builtins where POSIX sh has them, one {@code wc} for both sizes.
     */
    private static final String FUNCTIONS = SHA + """
            lost() {
              printf '%s\\n' "$1" > "$d/lost.tmp" && mv -f "$d/lost.tmp" "$d/lost"
              rm -f "$d/alive"
              printf 'rc=-1\\nfinished=%s\\n' "$(date +%s)" > "$d/exit.tmp.$$" && mv -f "$d/exit.tmp.$$" "$d/exit"
            }
            proc_alive() {
              [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
              if [ -f "$d/boot" ] && [ -r /proc/sys/kernel/random/boot_id ]; then
                b1=; b2=; read -r b1 < "$d/boot"; read -r b2 < /proc/sys/kernel/random/boot_id
                [ "$b1" = "$b2" ] || return 1
              fi
              return 0
            }
            check_run() {
              [ -f "$d/exit" ] && return 0
              if [ -f "$d/pid" ]; then
                pid=; read -r pid < "$d/pid"
                alive=no
                proc_alive "$pid" && alive=yes
                [ "$alive" = yes ] && return 1
                [ -f "$d/exit" ] && return 0
                lost "lost: the run's process ($pid) ended without recording an exit status (host rebooted or process killed)"
                return 0
              fi
              [ -f "$d/created" ] || { date +%s > "$d/created.$$" && mv -f "$d/created.$$" "$d/created"; }
              c=; read -r c < "$d/created"
              [ -n "$c" ] || return 1
              [ $(( $(date +%s) - c )) -gt "$grace" ] || return 1
              # past the grace without a pid: a late wrapper may still be on its way; the launch decides
              if mkdir "$d/launch" 2>/dev/null; then
                lost "lost: the run never started (no process $grace s after its key was claimed)"
                return 0
              fi
              [ -d "$d/launch" ] || return 1
              # taken by the wrapper (wpid is written first: running while it lives) or by a poller
              w=
              [ -f "$d/wpid" ] && read -r w < "$d/wpid"
              proc_alive "$w" && return 1
              [ -f "$d/pid" ] && return 1
              [ -f "$d/exit" ] && return 0
              lost "lost: the run never started (its wrapper ended before running the command)"
              return 0
            }
            report() {
              if [ ! -f "$d/exit" ]; then
                echo state=RUNNING
                if [ -f "$d/started" ]; then s=; read -r s < "$d/started"; echo "started=$s"; fi
                echo end
                return 0
              fi
              echo state=FINISHED
              sum=no
              while IFS= read -r l || [ -n "$l" ]; do
                printf '%s\\n' "$l"
                case $l in sha256=*) sum=yes ;; esac
              done < "$d/exit"
              if [ -f "$d/started" ]; then s=; read -r s < "$d/started"; echo "started=$s"; fi
              if [ -f "$d/lost" ]; then why=; read -r why < "$d/lost"; echo "lost=$why"; fi
              os=0; es=0
              if [ -f "$d/out" ] && [ -f "$d/err" ]; then
                { read -r os _; read -r es _; } <<ONE_FED_UPGRADE_SIZES
            $(wc -c "$d/out" "$d/err" 2>/dev/null)
            ONE_FED_UPGRADE_SIZES
              else
                [ -f "$d/out" ] && os=$(wc -c < "$d/out")
                [ -f "$d/err" ] && es=$(wc -c < "$d/err")
              fi
              os=$((os)); es=$((es)); ot=$os; et=$es
              # the digest of a cut output comes from here; a whole one the service digests itself
              if [ "$sum" = no ] && { [ "$os" -gt "$cap" ] || [ "$es" -gt "$cap" ]; }; then
                echo "sha256=$(cat "$d/out" "$d/err" 2>/dev/null | sha)"
              fi
              [ "$ot" -gt "$cap" ] && ot=$cap
              [ "$et" -gt "$cap" ] && et=$cap
              printf 'outsize=%s\\nerrsize=%s\\nouttail=%s\\nerrtail=%s\\nend\\n' "$os" "$es" "$ot" "$et"
              [ "$ot" -gt 0 ] && tail -c "$ot" "$d/out"
              [ "$et" -gt 0 ] && tail -c "$et" "$d/err"
              return 0
            }
            """;

    /** Claim with mkdir, launch the wrapper detached, wait for its pid, report. Nothing is written to the
     * connection between claim and launch, so a vanished client cannot stop the launch (SIGPIPE). */
    private static final String START = """
            if mkdir "$d" 2>/dev/null; then
              attached=false
              date +%s > "$d/created.tmp" && mv -f "$d/created.tmp" "$d/created"
              @PAUSE@
              printf '%s\\n' @CMD@ > "$d/cmd"
              printf '%s' @WRAPPER@ > "$d/run.sh"
              if command -v setsid >/dev/null 2>&1; then
                nohup setsid sh "$d/run.sh" "$d" >/dev/null 2>&1 </dev/null &
              else
                nohup sh "$d/run.sh" "$d" >/dev/null 2>&1 </dev/null &
              fi
              i=0
              while [ ! -f "$d/pid" ] && [ ! -f "$d/exit" ] && [ "$i" -lt @PIDWAIT@ ]; do sleep 0.05 2>/dev/null || sleep 1; i=$((i + 1)); done
            elif [ -d "$d" ]; then
              attached=true
              if [ -f "$d/cmd" ]; then
                printf '%s\n' @CMD@ > "$d/cmd.check.$$"
                if cmp -s "$d/cmd" "$d/cmd.check.$$"; then echo samecmd=yes; else echo samecmd=no; fi
                rm -f "$d/cmd.check.$$"
              fi
            else
              echo "cannot create the run directory $d" >&2
              exit 91
            fi
            echo "attached=$attached"
            check_run || :
            report
            """;

    /**
     * Long-poll until finished or the time is over. A run whose wrapper holds the {@code alive} pipe is awaited by
     * reading that pipe: end-of-file arrives the moment the wrapper ends (no fork per poll, no delay). Each read is
     * bounded to 2 s, since a wrapper that ended right before the open leaves no writer. Other runs (wrappers
     * older than the pipe, hosts without {@code timeout}) are looked at every 0.2 s.
     */
    private static final String AWAIT = """
            if [ ! -d "$d" ]; then echo state=MISSING; echo end; exit 0; fi
            t0=$(date +%s)
            fast=no
            if command -v timeout >/dev/null 2>&1; then fast=yes; fi
            while pid=; alive=no; ! check_run; do
              [ "$polls" -gt 0 ] || break
              left=$(( maxs - ($(date +%s) - t0) ))
              [ "$left" -gt 0 ] || break
              [ "$left" -le 2 ] || left=2
              if [ "$fast" = yes ] && [ "$alive" = yes ] && [ -p "$d/alive" ]; then
                timeout "$left" cat "$d/alive" >/dev/null 2>&1
              elif [ "$alive" = yes ] && [ -f "$d/exit" ]; then
                # it ended since check_run looked (its wrapper has removed the pipe): report now, no 0.2 s nap
                :
              else
                polls=$((polls - 1))
                sleep 0.2 2>/dev/null || sleep 1
              fi
            done
            report
            """;
}
