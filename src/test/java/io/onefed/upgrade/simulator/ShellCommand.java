package io.onefed.upgrade.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * An SSH exec request run by a real {@code /bin/sh -c}, as sshd does: stdin, stdout, stderr and the exit status
 * pass through. When the channel closes before the shell ends, the shell is terminated (its own detached
 * children, started with setsid/nohup, live on), as a real sshd session's processes lose their pipes.
 */
final class ShellCommand implements Command {

    private final String command;
    private final SimServer server;
    private final ExecutorService pumps;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private volatile Process process;
    private volatile boolean dropped;

    ShellCommand(String command, SimServer server, ExecutorService pumps) {
        this.command = command;
        this.server = server;
        this.pumps = pumps;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        SimServer.Drop drop = server.takeDrop();
        if (drop == SimServer.Drop.BEFORE_RUN) {
            dropped = true;
            channel.getSession().close(true);
            return;
        }
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command).directory(server.dir().toFile());
        Map<String, String> e = pb.environment();
        e.clear();
        e.putAll(server.shellEnvironment(channel.getSession().getUsername()));
        Process p = pb.start();
        process = p;
        server.running.add(p);
        p.onExit().thenRun(() -> server.running.remove(p));
        if (drop == SimServer.Drop.AFTER_START) {
            // the network goes away while the command runs: it keeps running, nobody reads its output
            dropped = true;
            pumps.execute(() -> drain(p.getInputStream()));
            pumps.execute(() -> drain(p.getErrorStream()));
            p.getOutputStream().close();
            channel.getSession().close(true);
            return;
        }
        CountDownLatch outputs = new CountDownLatch(2);
        pumps.execute(() -> copyIn(in, p.getOutputStream()));
        pumps.execute(() -> copyOut(p.getInputStream(), out, outputs));
        pumps.execute(() -> copyOut(p.getErrorStream(), err, outputs));
        pumps.execute(() -> {
            try {
                int status = p.waitFor();
                outputs.await();
                exit.onExit(status);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Override
    public void destroy(ChannelSession channel) {
        Process p = process;
        if (p != null && p.isAlive() && !dropped) {
            p.destroy();
        }
    }

    private static void copyIn(InputStream from, OutputStream to) {
        byte[] buf = new byte[8192];
        try (to) {
            int n;
            while ((n = from.read(buf)) >= 0) {
                to.write(buf, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // the shell stopped reading or the channel closed: nothing more to pass on
        }
    }

    private static void copyOut(InputStream from, OutputStream to, CountDownLatch done) {
        byte[] buf = new byte[8192];
        try (from) {
            int n;
            while ((n = from.read(buf)) >= 0) {
                to.write(buf, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // channel gone: the rest of the output has no reader, as with a real sshd
        } finally {
            done.countDown();
        }
    }

    private static void drain(InputStream from) {
        byte[] buf = new byte[8192];
        try (from) {
            while (from.read(buf) >= 0) {
                // discard
            }
        } catch (IOException e) {
            // process ended
        }
    }
}
