package io.onefed.upgrade.simulator;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.file.FileSystemFactory;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.threads.CloseableExecutorService;
import org.apache.sshd.common.util.threads.ThreadUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.common.util.GenericUtils;
import org.apache.sshd.sftp.server.SftpSubsystem;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * One simulated front-end server: its state directory, its SSH server (MINA) and, while its {@code opennebula}
 * unit is active, its XML-RPC endpoint. Both listeners keep their port for the life of the simulation, so a
 * stopped oned or an "unreachable" fault gives connection refused, as a real host does.
 */
final class SimServer {

    enum Drop { NONE, BEFORE_RUN, AFTER_START }

    static {
        // the JDK's HttpServer writes a response's headers and its body as two small segments; with Nagle on, the
        // body waits for the client's delayed ACK of the headers (40 ms on Linux), so every simulated API call
        // took 45 ms where the XML it answers takes under 1 ms. The benchmark's floor is the hosts' work, not this
        // server's segmenting. The JDK reads the property once, when its first server starts in this JVM.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final SimulatedFederation federation;
    private final SimZone zone;
    private final String name;
    private final int serverId;
    private final Path dir;
    private final KeyPair hostKey;
    private final KeyPair changedHostKey;
    private final ExecutorService pumps;
    private final ScheduledExecutorService scheduler;
    private final CloseableExecutorService nioPool;

    private int sshPort;
    private int apiPort;
    private SshServer ssh;
    private HttpServer api;

    /** Set on hypervisor hosts: the shared path prefix of their configuration, mapped to this host's directory. */
    private volatile Path pathPrefix;
    /** A hypervisor host: it accepts the zone's node key, not the front-ends' key. */
    private volatile boolean node;

    volatile boolean unreachable;
    volatile boolean rejectCredentials;
    volatile boolean changedKey;
    volatile long apiLatencyMs;
    volatile boolean apiHang;
    final AtomicInteger apiDrops = new AtomicInteger();
    /** direct-tcpip channels this front-end opened for a client (the orchestrator's jump to a hypervisor host). */
    final AtomicInteger forwarded = new AtomicInteger();
    /** Shells of exec requests still running, ended when the simulation closes. */
    final java.util.Set<Process> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicInteger dropsBeforeRun = new AtomicInteger();
    private final AtomicInteger dropsAfterStart = new AtomicInteger();

    SimServer(SimulatedFederation federation, SimZone zone, String name, int serverId, Path dir, KeyPair hostKey,
            KeyPair changedHostKey, ExecutorService pumps, ScheduledExecutorService scheduler,
            CloseableExecutorService nioPool, int preferredSshPort, int preferredApiPort) {
        this.federation = federation;
        this.zone = zone;
        this.name = name;
        this.serverId = serverId;
        this.dir = dir;
        this.hostKey = hostKey;
        this.changedHostKey = changedHostKey;
        this.pumps = pumps;
        this.scheduler = scheduler;
        this.nioPool = nioPool;
        this.sshPort = preferredSshPort;
        this.apiPort = preferredApiPort;
    }

    /** Makes this a simulated hypervisor host whose configuration names {@code prefix} for its own directory. */
    void asNode(Path prefix) {
        this.pathPrefix = prefix;
        this.node = true;
    }

    boolean isNode() {
        return node;
    }

    /** The API's port, reserved by the caller while every listener of the simulation binds its own. */
    void assignApiPort(int port) {
        this.apiPort = port;
    }

    String name() {
        return name;
    }

    int serverId() {
        return serverId;
    }

    SimZone zone() {
        return zone;
    }

    Path dir() {
        return dir;
    }

    Path state() {
        return dir.resolve("sim");
    }

    int sshPort() {
        return sshPort;
    }

    int apiPort() {
        return apiPort;
    }

    String endpoint() {
        return "http://127.0.0.1:" + apiPort + "/RPC2";
    }

    PublicKey hostPublicKey() {
        return hostKey.getPublic();
    }

    synchronized void startSsh() throws IOException {
        if (ssh != null) {
            return;
        }
        SshServer s = SshServer.setUpDefaultServer();
        s.setHost("127.0.0.1");
        s.setPort(sshPort);
        s.setKeyPairProvider(session -> List.of(changedKey ? changedHostKey : hostKey));
        s.setPublickeyAuthenticator((user, key, session) -> !rejectCredentials
                && (node ? federation.isAuthorizedNode(key) : federation.isAuthorized(key)));
        s.setPasswordAuthenticator(null);
        s.setKeyboardInteractiveAuthenticator(null);
        s.setCommandFactory((channel, command) -> new ShellCommand(mapPaths(command), this, pumps));
        if (!node) {
            // a front-end lets its SSH clients reach the hypervisor hosts (OpenSSH's AllowTcpForwarding default),
            // so the orchestrator can use it as a jump host; nothing else is forwarded
            s.setForwardingFilter(new org.apache.sshd.server.forward.StaticDecisionForwardingFilter(false) {
                @Override
                public boolean canConnect(org.apache.sshd.server.forward.TcpForwardingFilter.Type type,
                        org.apache.sshd.common.util.net.SshdSocketAddress address,
                        org.apache.sshd.common.session.Session session) {
                    if (type != org.apache.sshd.server.forward.TcpForwardingFilter.Type.Direct) {
                        return false;
                    }
                    forwarded.incrementAndGet();
                    return true;
                }
            });
        }
        s.setSubsystemFactories(List.of(new HomeSftpSubsystemFactory(this)));
        s.setFileSystemFactory(new HomeFileSystemFactory(dir));
        // shared threads: many simulated servers in one JVM stay cheap
        s.setScheduledExecutorService(scheduler, false);
        s.setIoServiceFactoryFactory(new org.apache.sshd.common.io.nio2.Nio2ServiceFactoryFactory(
                () -> ThreadUtils.noClose(nioPool)));
        CoreModuleProperties.IDLE_TIMEOUT.set(s, java.time.Duration.ofMinutes(30));
        // MINA writes a finished command's EOF, exit-status and close as separate small packets; with Nagle on,
        // the second waits for the client's delayed ACK of the first (40 ms on Linux) before it leaves. OpenSSH
        // hands the client all three within the same millisecond (measured through SshFixture's real sshd), so
        // the simulated host must too, or every step boundary carries 40 ms that no real front-end adds.
        CoreModuleProperties.TCP_NODELAY.set(s, true);
        s.start();
        sshPort = s.getPort();
        ssh = s;
    }

    synchronized void resetSshPort() {
        sshPort = 0;
    }

    synchronized void stopSsh() {
        if (ssh != null) {
            try {
                ssh.stop(true);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot stop the SSH server of " + label(), e);
            }
            ssh = null;
        }
    }

    /** Opens or closes the API to follow the opennebula unit and the reachability fault. */
    synchronized void reconcileApi() {
        boolean want = !unreachable && "active".equals(SimFiles.read(state().resolve("units/opennebula"), "inactive"));
        if (want && api == null) {
            try {
                HttpServer h = HttpServer.create(new InetSocketAddress("127.0.0.1", apiPort), 50);
                h.createContext("/RPC2", new XmlRpcEndpoint(federation, this));
                h.setExecutor(pumps);
                h.start();
                api = h;
                SimFiles.touch(state().resolve("api_up"));
            } catch (IOException e) {
                // port briefly unavailable: the next reconcile tries again
            }
        } else if (!want && api != null) {
            api.stop(0);
            api = null;
            SimFiles.delete(state().resolve("api_up"));
        }
    }

    synchronized boolean apiOpen() {
        return api != null;
    }

    synchronized void stopApi() {
        if (api != null) {
            api.stop(0);
            api = null;
        }
        SimFiles.delete(state().resolve("api_up"));
    }

    void setUnreachable(boolean value) throws IOException {
        unreachable = value;
        if (value) {
            SimFiles.touch(state().resolve("unreachable"));
            stopSsh();
        } else {
            SimFiles.delete(state().resolve("unreachable"));
            startSsh();
        }
        reconcileApi();
    }

    void addDrops(int n, boolean afterStart) {
        (afterStart ? dropsAfterStart : dropsBeforeRun).addAndGet(n);
    }

    void takeAllDrops() {
        dropsBeforeRun.set(0);
        dropsAfterStart.set(0);
    }

    Drop takeDrop() {
        if (dropsBeforeRun.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            return Drop.BEFORE_RUN;
        }
        if (dropsAfterStart.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            return Drop.AFTER_START;
        }
        return Drop.NONE;
    }

    Map<String, String> shellEnvironment(String user) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", federation.binDir() + ":/usr/bin:/bin");
        env.put("HOME", dir.toString());
        env.put("USER", user);
        env.put("LOGNAME", user);
        // the simulated uid of the login (root is 0, as on a real host); runuser/su switch it, onehost sync tests it
        env.put("SIM_UID", "root".equals(user) ? "0" : "9869");
        env.put("SHELL", "/bin/sh");
        env.put("LANG", "C.UTF-8");
        env.put("SIM_ROOT", federation.root().toString());
        env.put("SIM_BIN", federation.binDir().toString());
        env.put("SIM_SERVER_DIR", dir.toString());
        env.put("SIM_ZONE_ID", Integer.toString(zone.id()));
        env.put("SIM_SERVER_NAME", name);
        return Collections.unmodifiableMap(env);
    }

    boolean authorizedKey(PublicKey key, PublicKey authorized) {
        return KeyUtils.compareKeys(key, authorized);
    }

    /** An HA zone's shared path prefix rewritten to this server's own directory. */
    String mapPaths(String text) {
        if (pathPrefix == null && !zone.spec().ha()) {
            return text;
        }
        String prefix = (pathPrefix != null ? pathPrefix : zone.hostPrefix()).toString();
        return java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(prefix) + "(?=/|[^\\w.@+-]|$)")
                .matcher(text).replaceAll(java.util.regex.Matcher.quoteReplacement(dir.toString()));
    }

    String label() {
        return "zone " + zone.id() + (node ? " host " : " server ") + name;
    }

    void close() {
        stopApi();
        stopSsh();
        for (Process p : running) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        running.clear();
    }

    /** Binds {@code preferred} when it is free, else any loopback port; the caller closes it to hand it over. */
    static ServerSocket reservePort(int preferred) {
        if (preferred > 0) {
            try {
                ServerSocket s = new ServerSocket();
                s.setReuseAddress(true);
                try {
                    s.bind(new InetSocketAddress("127.0.0.1", preferred));
                    return s;
                } catch (IOException e) {
                    s.close(); // taken: pick another one
                }
            } catch (IOException e) {
                // fall through to any port
            }
        }
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port for the simulation", e);
        }
    }

    /** SFTP's working directory is the server's directory, as a login's home directory is. */
    private static final class HomeSftpSubsystemFactory extends SftpSubsystemFactory {
        private final SimServer server;

        HomeSftpSubsystemFactory(SimServer server) {
            this.server = server;
        }

        @Override
        public org.apache.sshd.server.command.Command createSubsystem(org.apache.sshd.server.channel.ChannelSession channel) {
            SftpSubsystem subsystem = new SftpSubsystem(channel, this) {
                @Override
                public void setFileSystem(FileSystem fs) {
                    super.setFileSystem(fs);
                    defaultDir = server.dir();
                }

                @Override
                protected Path resolveFile(String remotePath) throws IOException {
                    return super.resolveFile(server.mapPaths(remotePath));
                }
            };
            GenericUtils.forEach(getRegisteredListeners(), subsystem::addSftpEventListener);
            return subsystem;
        }
    }

    /** SFTP sees the real file system; relative paths start at the server's directory (its "home"). */
    private record HomeFileSystemFactory(Path home) implements FileSystemFactory {
        @Override
        public Path getUserHomeDir(SessionContext session) {
            return home;
        }

        @Override
        public FileSystem createFileSystem(SessionContext session) {
            return FileSystems.getDefault();
        }
    }
}
