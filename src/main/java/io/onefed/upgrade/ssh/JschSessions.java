package io.onefed.upgrade.ssh;

import com.jcraft.jsch.Channel;
import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.Identity;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SocketFactory;
import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.federation.SshProperties;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Authenticated, host-key-verified SSH sessions, pooled per target ({@code user@host:port}) and shared by the
 * remote shell, the detached runs and the file transfer. A session carries several channels at once (OpenSSH
 * allows 10 by default); a target gets a few sessions when many calls hit it together. Dropped sessions are
 * replaced on the next use, so callers see one retry-free failure at most.
 */
public class JschSessions implements AutoCloseable {

    /** Below OpenSSH's default MaxSessions (10), leaving room for an operator's own connection multiplexing. */
    static final int CHANNELS_PER_SESSION = 8;
    static final int SESSIONS_PER_TARGET = 4;
    /**
     * Closes exec channels off the caller's thread. A channel's close waits for JSch's process-wide channel table
     * and the session's write lock, which took 1-2 s on a loaded machine at 100 slaves, inside a job's bound.
     */
    private static final java.util.concurrent.ExecutorService CLOSER = daemonThreads("ssh-close");

    /** Connects run here, so a caller's wait for one is bounded by the caller, not by the host (daemon threads). */
    private static final java.util.concurrent.ExecutorService CONNECTOR = daemonThreads("ssh-connect");

    private static java.util.concurrent.ExecutorService daemonThreads(String name) {
        return java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    static {
        // JSch reads its "random" setting once, at the JVM's first connect, and keeps that instance for every session
        JSch.setConfig("random", PerThreadSshRandom.class.getName());
    }

    private final java.util.concurrent.Executor connector;
    private final SshProperties props;
    private final SecretResolver secrets;
    private final SocketFactory socketFactory;
    private final JSch jsch = new JSch();
    private final KnownHostsVerifier verifier;
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    private volatile boolean identityLoaded;
    private final Map<String, JSch> nodeClients = new ConcurrentHashMap<>();
    /** Session through a jump host -> the jump host's session, ended with it. */
    private final Map<Session, Session> jumps = new ConcurrentHashMap<>();
    private final Map<String, String> nodeFingerprints = new ConcurrentHashMap<>();
    private volatile String publicKeyFingerprint = "?";
    private volatile boolean closed;

    public JschSessions(SshProperties props, SecretResolver secrets) {
        this(props, secrets, null);
    }

    /** {@code socketFactory}: for tests that cut connections the hard way, as a dying orchestrator does. */
    JschSessions(SshProperties props, SecretResolver secrets, SocketFactory socketFactory) {
        this(props, secrets, socketFactory, CONNECTOR);
    }

    /** {@code connector}: where connects run (tests: in the caller's thread, so a refused connect is done at once). */
    JschSessions(SshProperties props, SecretResolver secrets, SocketFactory socketFactory,
            java.util.concurrent.Executor connector) {
        this.connector = connector;
        this.props = props;
        this.secrets = secrets;
        this.socketFactory = socketFactory;
        String knownHosts = props.knownHosts() == null || props.knownHosts().isBlank()
                ? Path.of(System.getProperty("user.home"), ".ssh", "known_hosts").toString()
                : props.knownHosts();
        this.verifier = new KnownHostsVerifier(Path.of(knownHosts), props.acceptNewHostKeys());
    }

    public Duration connectTimeout() {
        return props.connectTimeout();
    }

    public Duration commandTimeout() {
        return props.commandTimeout();
    }

    /**
     * Whether JSch's {@code Channel.connect} failed in its channel open, before any request went out: its
     * {@code sendChannelOpen} throws "session is down" or "channel is not opened." (no confirmation in time, or
     * the host's open failure); the exec request's errors are "channel request: timeout", "failed to send channel
     * request" or a wrapped one (JSch 2.28 {@code Channel}, {@code Request}, {@code ChannelExec}).
     */
    static boolean failedBeforeTheRequest(JSchException e) {
        return e.getCause() == null && ("session is down".equals(e.getMessage())
                || "channel is not opened.".equals(e.getMessage()));
    }

    /** A channel of the given type ("exec", "sftp"), set up by {@code beforeConnect} and connected. */
    ChannelLease open(SshTarget target, String type, Consumer<Channel> beforeConnect) {
        return open(target, type, beforeConnect, props.connectTimeout().multipliedBy(2));
    }

    /**
     * {@link #open(SshTarget, String, Consumer)} given up after about {@code maxTime} (an {@link SshException.Timeout}),
     * so that an engine job's bound holds on a slow or unreachable host. A new session's connect goes on in the
     * background (up to {@code federation.ssh.connect-timeout}) and joins the pool, where the next call finds it.
     * An exec channel is opened again on a fresh session only if its command was not sent yet (the open itself
     * failed): once the host confirmed the channel, the command may be running there, and sending it a second time
     * would run it twice (seen at 100 slaves: a {@code mv} that had moved its file ran again and failed).
     */
    ChannelLease open(SshTarget target, String type, Consumer<Channel> beforeConnect, Duration maxTime) {
        long deadline = System.nanoTime() + Math.max(1, maxTime.toNanos());
        SshException last = null;
        // a pooled session may have died since its last use: the second attempt gets a fresh one
        for (int attempt = 0; attempt < 2 && (attempt == 0 || System.nanoTime() - deadline < 0); attempt++) {
            Pool pool = pools.computeIfAbsent(key(target), k -> new Pool(target));
            Pooled pooled = pool.acquire(deadline);
            Channel channel = null;
            long opening = System.nanoTime();
            int bound = 0;
            try {
                channel = pooled.session.openChannel(type);
                beforeConnect.accept(channel);
                long left = Math.max(1000, (deadline - System.nanoTime()) / 1_000_000);
                bound = (int) Math.min(props.connectTimeout().toMillis(), left);
                channel.connect(bound);
                pool.alive(pooled);
                return new ChannelLease(channel, pool, pooled, opening);
            } catch (JSchException e) {
                if (channel instanceof ChannelExec && channel.getExitStatus() != -1) {
                    // the command ran and ended before JSch finished starting the channel (its close, from the
                    // host, raced the start: a NullPointerException inside JSch): its output and exit status are in
                    pool.alive(pooled);
                    return new ChannelLease(channel, pool, pooled, opening);
                }
                if (channel != null) {
                    channel.disconnect();
                }
                boolean dead = !pooled.session.isConnected();
                boolean commandMayRun = channel instanceof ChannelExec && !failedBeforeTheRequest(e);
                long tookMs = (System.nanoTime() - opening) / 1_000_000;
                if (!dead && tookMs >= bound - 50 && pool.keepSlow(pooled)) {
                    // the open ran out of time on a session that answered a moment ago: a loaded host, not a dead
                    // link. Replacing the session would cost the slow host a key exchange on top (the reconnect
                    // storm measured at 100 slaves); it is kept, and a session that stays silent is replaced
                    // once it has not answered for RECENTLY_ALIVE (15 s)
                    throw new SshException.StillWaiting("the SSH " + type + " channel to " + target.address()
                            + (commandMayRun ? " did not confirm its command within " + bound + " ms (a slow host): it"
                                    + " may run there; given up for now, not sent again, the session is kept"
                                    : " did not open within " + bound + " ms (a slow host): given up for now, the"
                                    + " session is kept for the next attempt"));
                }
                pool.release(pooled, true);
                if (commandMayRun) {
                    throw new SshException("the SSH exec channel to " + target.address() + " failed after its command"
                            + " was sent (" + e.getMessage() + (dead ? ", connection lost" : "") + "): it may have run"
                            + " there and its outcome is unknown; it was not sent again", e);
                }
                last = new SshException("cannot open an SSH " + type + " channel to " + target.address() + ": "
                        + e.getMessage() + (dead ? " (connection lost)" : ""), e);
            } catch (RuntimeException e) {
                if (channel != null) {
                    channel.disconnect();
                }
                pool.release(pooled, false);
                throw e;
            }
        }
        throw last;
    }


    /**
     * Starts a connect to {@code target} on a connector thread if it has no connected session and none is under way,
     * and returns at once. A step that starts commands on several hosts one after another (the hypervisor hosts of
     * a zone, through its front-end) asks for all of their sessions first, so the connects go on side by side
     * instead of one per start in turn. A connect that fails is told to the next call that needs the session.
     */
    public void connectAhead(SshTarget target) {
        if (!closed) {
            pools.computeIfAbsent(key(target), k -> new Pool(target)).connectAhead();
        }
    }

    private Session connect(SshTarget target) {
        if (closed) {
            throw new SshException("SSH sessions are closed (the service is shutting down)");
        }
        JSch client = jschFor(target);
        KnownHostsVerifier.Check check = verifier.forConnection(target.host(), target.port());
        Session jump = target.jump() == null ? null : connect(target.jump());
        Session session;
        try {
            if (jump == null) {
                session = client.getSession(target.user(), target.host(), target.port());
            } else {
                // ProxyJump: a local port forwarded by the front-end to the host; the host key is still checked
                // under the host's own name and port (the alias), never the forwarded loopback port
                int local = jump.setPortForwardingL("127.0.0.1", 0, target.host(), target.port());
                session = client.getSession(target.user(), "127.0.0.1", local);
                session.setHostKeyAlias(KnownHostsVerifier.knownHostsName(target.host(), target.port()));
            }
        } catch (JSchException e) {
            if (jump != null) {
                jump.disconnect();
            }
            throw new SshException("invalid SSH target " + target.address() + ": " + e.getMessage(), e);
        }
        session.setHostKeyRepository(check);
        session.setConfig("StrictHostKeyChecking", "yes");
        session.setConfig("PreferredAuthentications", "publickey");
        List<String> preferred = check.knownAlgorithms();
        if (!preferred.isEmpty()) {
            session.setConfig("server_host_key", reorder(JSch.getConfig("server_host_key"), preferred));
        }
        if (socketFactory != null) {
            session.setSocketFactory(socketFactory);
        }
        // JSch's reader threads must not keep a finished JVM (e.g. the status command) alive
        session.setDaemonThread(true);
        try {
            // keepalives notice a dead peer within a minute instead of waiting on TCP
            session.setServerAliveInterval(15_000);
            session.setServerAliveCountMax(4);
            session.connect((int) props.connectTimeout().toMillis());
            if (jump != null) {
                jumps.put(session, jump);
            }
            return session;
        } catch (JSchException e) {
            session.disconnect();
            if (jump != null) {
                jump.disconnect();
            }
            throw translate(e, check, target);
        }
    }

    /** Ends a session and the jump-host session it runs through, if any. */
    void disconnect(Session session) {
        session.disconnect();
        Session jump = jumps.remove(session);
        if (jump != null) {
            jump.disconnect();
        }
    }

    private SshException translate(JSchException e, KnownHostsVerifier.Check check, SshTarget target) {
        SshException hostKey = check.rejection();
        if (hostKey != null) {
            return hostKey;
        }
        String msg = String.valueOf(e.getMessage());
        Throwable cause = e.getCause();
        if (msg.startsWith("Auth fail") || msg.startsWith("Auth cancel")) {
            return new SshException.AuthenticationFailed(target.address() + " refused public-key authentication of user "
                    + target.user() + " with the key " + keyOf(target) + " (" + fingerprintOf(target)
                    + "): add its public key to ~" + target.user() + "/.ssh/authorized_keys on " + target.host());
        }
        if (cause instanceof SocketTimeoutException || msg.contains("timeout")) {
            return new SshException.Timeout("SSH connect to " + target.address() + " timed out after "
                    + props.connectTimeout().toMillis() + " ms (federation.ssh.connect-timeout): check that the host"
                    + " is up and port " + target.port() + " is reachable from this service");
        }
        if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
                || cause instanceof UnknownHostException) {
            return new SshException("cannot reach " + target.address() + ": " + cause.getClass().getSimpleName() + " "
                    + cause.getMessage() + "; check the host name and port in the zone's servers and that sshd runs", e);
        }
        return new SshException("SSH connection to " + target.address() + " failed: " + msg, e);
    }

    static String reorder(String defaults, List<String> first) {
        List<String> all = Arrays.asList(defaults.split(","));
        Set<String> out = new LinkedHashSet<>();
        for (String f : first) {
            if (all.contains(f)) {
                out.add(f);
            }
        }
        out.addAll(all);
        return String.join(",", out);
    }

    /** The federation's key, or the hypervisor hosts' own key of a zone (one JSch per key file). */
    private JSch jschFor(SshTarget target) {
        if (target.privateKey() == null || target.privateKey().equals(props.privateKey())) {
            loadIdentity();
            return jsch;
        }
        return nodeClients.computeIfAbsent(target.privateKey(), path -> {
            JSch c = new JSch();
            try {
                byte[] key = Files.readAllBytes(Path.of(path));
                try {
                    c.addIdentity(path, key, null, null);
                    for (Identity id : c.getIdentityRepository().getIdentities()) {
                        nodeFingerprints.put(path, KnownHostsVerifier.fingerprint(id.getPublicKeyBlob()));
                    }
                } finally {
                    Arrays.fill(key, (byte) 0);
                }
            } catch (IOException | JSchException e) {
                // the message of JSch may describe the key material: name only the file
                throw new SshException.AuthenticationFailed("federation.zones[id=" + target.zoneId()
                        + "].nodes.private-key: cannot use " + path + " (" + e.getClass().getSimpleName()
                        + "); check the path, that this service may read it and that it has no passphrase");
            }
            return c;
        });
    }

    private String keyOf(SshTarget target) {
        return target.privateKey() == null ? props.privateKey() : target.privateKey();
    }

    private String fingerprintOf(SshTarget target) {
        return target.privateKey() == null ? publicKeyFingerprint
                : nodeFingerprints.getOrDefault(target.privateKey(), "?");
    }

    private synchronized void loadIdentity() {
        if (identityLoaded) {
            return;
        }
        String keyPath = props.privateKey();
        if (keyPath == null || keyPath.isBlank()) {
            throw new SshException.AuthenticationFailed("federation.ssh.private-key is not set: give the path of the"
                    + " orchestrator's SSH private key (OpenSSH or PEM format)");
        }
        byte[] key;
        try {
            key = Files.readAllBytes(Path.of(keyPath));
        } catch (IOException e) {
            throw new SshException.AuthenticationFailed("federation.ssh.private-key: cannot read " + keyPath + " ("
                    + e.getClass().getSimpleName() + "); check the path and that this service may read it");
        }
        byte[] passphrase = null;
        boolean hasPassphrase = props.passphrase() != null && !props.passphrase().isEmpty();
        try {
            if (hasPassphrase) {
                char[] chars = secrets.resolve(props.passphrase(), "federation.ssh.passphrase");
                ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
                passphrase = Arrays.copyOf(bytes.array(), bytes.limit());
                Arrays.fill(chars, '\0');
                Arrays.fill(bytes.array(), (byte) 0);
            }
            jsch.addIdentity(keyPath, key, null, passphrase);
        } catch (JSchException e) {
            // the message of JSch may describe the key material: name only the file
            throw new SshException.AuthenticationFailed("federation.ssh.private-key: " + keyPath
                    + " is not a private key JSch can read (OpenSSH or PEM: RSA, ECDSA, Ed25519)"
                    + (hasPassphrase ? " or federation.ssh.passphrase does not decrypt it" : ""));
        } finally {
            Arrays.fill(key, (byte) 0);
            if (passphrase != null) {
                Arrays.fill(passphrase, (byte) 0);
            }
        }
        try {
            for (Identity id : jsch.getIdentityRepository().getIdentities()) {
                if (id.isEncrypted()) {
                    jsch.removeAllIdentity();
                    throw new SshException.AuthenticationFailed("federation.ssh.private-key " + keyPath
                            + " is encrypted and " + (hasPassphrase
                                    ? "federation.ssh.passphrase (" + props.passphrase() + ") does not decrypt it"
                                    : "federation.ssh.passphrase is not set: set federation.ssh.passphrase.env or .file"));
                }
                publicKeyFingerprint = KnownHostsVerifier.fingerprint(id.getPublicKeyBlob());
            }
        } catch (JSchException e) {
            throw new SshException.AuthenticationFailed("cannot use federation.ssh.private-key " + keyPath + ": "
                    + e.getMessage());
        }
        identityLoaded = true;
    }

    /** Disconnects every pooled session (and the socket of every running call on them). */
    @Override
    public void close() {
        closed = true;
        for (Pool p : pools.values()) {
            p.closeAll();
        }
        pools.clear();
    }

    /** Number of live pooled sessions to a target, for tests and metrics. */
    int sessionCount(SshTarget target) {
        Pool p = pools.get(key(target));
        return p == null ? 0 : p.size();
    }

    /** Channels to {@code target} leased and not yet closed (a closing channel counts until its close is done). */
    int channelsInUse(SshTarget target) {
        Pool p = pools.get(key(target));
        return p == null ? 0 : p.inUse();
    }

    private static String key(SshTarget t) {
        return t.user() + "@" + t.host() + ":" + t.port() + (t.privateKey() == null ? "" : " " + t.privateKey())
                + (t.jump() == null ? "" : " via " + key(t.jump()));
    }

    /**
     * A session that opened a channel this recently is kept when an open on it runs out of time (a slow host);
     * one silent for longer is replaced (a half-open link looks connected until the keepalives give up, 60 s).
     */
    static final Duration RECENTLY_ALIVE = Duration.ofSeconds(15);
    /** Tests only: {@link #RECENTLY_ALIVE}, shortened to see a silent session replaced. */
    volatile Duration recentlyAlive = RECENTLY_ALIVE;

    private static final class Pooled {
        final Session session;
        int inUse;
        /** When a channel last opened on it (System.nanoTime()); its connect counts as the first. */
        long aliveAt = System.nanoTime();

        Pooled(Session session) {
            this.session = session;
        }
    }

    private final class Pool {
        private final SshTarget target;
        private final List<Pooled> sessions = new ArrayList<>();

        Pool(SshTarget target) {
            this.target = target;
        }

        /** A connect under way, outside the pool's lock: callers wait for it only as long as their own bound. */
        private java.util.concurrent.CompletableFuture<Session> connecting;
        /**
         * A connect that failed after its callers had given up (StillWaiting): the next caller is told why instead of
         * starting another connect, so a host that never answers fails its job (retries, then an incident) rather
         * than looking slow forever. Told only within a connect timeout of the failure: a host that has come back
         * since is connected afresh.
         */
        private SshException unreported;
        private long unreportedAt;

        synchronized Pooled acquire(long callerDeadline) {
            long began = System.nanoTime();
            long poolDeadline = began + props.connectTimeout().toNanos() * 2;
            long deadline = callerDeadline - poolDeadline < 0 ? callerDeadline : poolDeadline;
            java.util.concurrent.CompletableFuture<Session> awaited = null;
            while (true) {
                for (Iterator<Pooled> it = sessions.iterator(); it.hasNext();) {
                    Pooled p = it.next();
                    if (!p.session.isConnected() && p.inUse == 0) {
                        it.remove();
                        disconnect(p.session);
                    }
                }
                for (Pooled p : sessions) {
                    if (p.session.isConnected() && p.inUse < CHANNELS_PER_SESSION) {
                        p.inUse++;
                        return p;
                    }
                }
                if (awaited != null && awaited.isCompletedExceptionally()) {
                    // the connect this caller waited for failed: its error, not another connect
                    unreported = null;
                    throw failure(awaited);
                }
                if (awaited == null && connecting == null && unreported != null) {
                    SshException failed = unreported;
                    unreported = null;
                    if (System.nanoTime() - unreportedAt < props.connectTimeout().toNanos()) {
                        throw failed;
                    }
                }
                java.util.concurrent.CompletableFuture<Session> started = null;
                if (connecting == null && sessions.size() < SESSIONS_PER_TARGET) {
                    started = startConnect();
                }
                awaited = connecting != null ? connecting : started != null ? started : awaited;
                if (awaited != null && awaited.isDone()) {
                    // ended before this caller could wait for it (a refused port ends a connect at once): its
                    // notify is gone, so look at its outcome now instead of waiting out the deadline for nothing
                    if (awaited.isCompletedExceptionally()) {
                        unreported = null;
                        throw failure(awaited);
                    }
                    if (connecting != awaited) {
                        awaited = null; // its completion has run: its session is in the pool
                        continue;
                    }
                    // done, but its completion (which puts the session into the pool and notifies) is waiting for
                    // this lock on the connector thread: wait below, which lets it in. Looking again at once, lock
                    // held, spun forever with every other caller to this host blocked (the 100-slave benchmark,
                    // 2026-12-03; ConnectCompletionRaceTest)
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    if (connecting != null) {
                        throw new SshException.StillWaiting("SSH connect to " + target.address() + " still under way after "
                                + (System.nanoTime() - began) / 1_000_000 + " ms (a slow host): given up"
                                + " for now, nothing ran there; the session joins the pool when it is up and the next"
                                + " attempt uses it (federation.ssh.connect-timeout bounds the connect)");
                    }
                    throw new SshException.StillWaiting("all " + SESSIONS_PER_TARGET * CHANNELS_PER_SESSION
                            + " SSH channels to " + target.address() + " stayed busy for "
                            + (System.nanoTime() - began) / 1_000_000 + " ms: given up for now, nothing ran there");
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SshException("interrupted while waiting for an SSH channel to " + target.address());
                }
            }
        }

        private SshException failure(java.util.concurrent.CompletableFuture<Session> f) {
            try {
                f.join();
                return new SshException("SSH connect to " + target.address() + " ended without a session");
            } catch (java.util.concurrent.CompletionException e) {
                return e.getCause() instanceof SshException se ? se
                        : new SshException("SSH connect to " + target.address() + " failed: " + e.getCause(), e.getCause());
            }
        }

        /** One connect at a time per target, on a connector thread; the new session joins the pool when up. */
        private java.util.concurrent.CompletableFuture<Session> startConnect() {
            java.util.concurrent.CompletableFuture<Session> f = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> connect(target), connector);
            // set before the completion below is registered: a connect that has already ended (a refused port)
            // completes it at once, in this thread, and it must clear this connect, not be overwritten by it.
            // Overwritten, a done connect stayed "under way" forever: every later caller waited out its deadline
            // and got the first refusal again, even after the host came back (FaultedUpgradeTest, 2026-12-02)
            connecting = f;
            f.whenComplete((session, error) -> {
                synchronized (Pool.this) {
                    if (connecting == f) {
                        connecting = null;
                    }
                    unreported = error == null ? null : failure(f);
                    unreportedAt = System.nanoTime();
                    if (session != null) {
                        if (closed) {
                            disconnect(session);
                        } else {
                            sessions.add(new Pooled(session));
                        }
                    }
                    Pool.this.notifyAll();
                }
            });
            return f;
        }

        synchronized void connectAhead() {
            if (unreported != null && System.nanoTime() - unreportedAt < props.connectTimeout().toNanos()) {
                // the last connect failed and nobody was told yet: the next start is (acquire), so that a host that
                // never answers fails its job instead of looking slow forever behind connects started ahead
                return;
            }
            for (Pooled p : sessions) {
                if (p.session.isConnected()) {
                    return;
                }
            }
            if (connecting == null && sessions.size() < SESSIONS_PER_TARGET) {
                startConnect();
            }
        }

        synchronized void alive(Pooled p) {
            p.aliveAt = System.nanoTime();
        }

        /** After an open on {@code p} ran out of time: gives it back and keeps it if it answered recently. */
        synchronized boolean keepSlow(Pooled p) {
            if (System.nanoTime() - p.aliveAt > recentlyAlive.toNanos()) {
                return false;
            }
            p.inUse--;
            notifyAll();
            return true;
        }

        synchronized void release(Pooled p, boolean broken) {
            p.inUse--;
            if (broken || !p.session.isConnected()) {
                if (p.inUse <= 0 || !p.session.isConnected()) {
                    disconnect(p.session);
                    sessions.remove(p);
                }
            }
            notifyAll();
        }

        synchronized void closeAll() {
            for (Pooled p : sessions) {
                disconnect(p.session);
            }
            sessions.clear();
            notifyAll();
        }

        synchronized int inUse() {
            return sessions.stream().mapToInt(p -> p.inUse).sum();
        }

        synchronized int size() {
            return (int) sessions.stream().filter(p -> p.session.isConnected()).count();
        }
    }

    /** A connected channel on a pooled session; closing it gives the session back. */
    final class ChannelLease implements AutoCloseable {
        private final Channel channel;
        private final Pool pool;
        private final Pooled pooled;
        private final long acquiredAt;
        private boolean released;

        private ChannelLease(Channel channel, Pool pool, Pooled pooled, long acquiredAt) {
            this.channel = channel;
            this.pool = pool;
            this.pooled = pooled;
            this.acquiredAt = acquiredAt;
        }

        /** {@link System#nanoTime()} when the pooled session was in hand (the channel's open began). */
        long acquiredAt() {
            return acquiredAt;
        }

        Channel channel() {
            return channel;
        }

        boolean sessionConnected() {
            return pooled.session.isConnected();
        }

        /** The host key the session's host presented when it connected (and which was verified then). */
        String hostKeyFingerprint() {
            return KnownHostsVerifier.fingerprint(pooled.session.getHostKey());
        }

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                channel.disconnect();
                pool.release(pooled, false);
            }
        }

        /**
         * {@link #close()} on a background thread, then {@code after} (the release of what the channel wrote into):
         * the caller has its answer and need not wait for the close. The channel counts as in use until it is closed,
         * so the pool never opens more channels on the session than the host allows.
         */
        synchronized void closeInBackground(Runnable after) {
            if (released) {
                after.run();
                return;
            }
            released = true;
            CLOSER.execute(() -> {
                try {
                    channel.disconnect();
                } finally {
                    pool.release(pooled, false);
                    after.run();
                }
            });
        }
    }
}
