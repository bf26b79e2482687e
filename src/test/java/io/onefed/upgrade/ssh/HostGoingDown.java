package io.onefed.upgrade.ssh;

import com.jcraft.jsch.SocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TCP to a test sshd, or, while {@code down}, to a port nobody listens on: a real refusal. Counts the sockets it
 * opened, so a test sees how many connects were made.
 */
final class HostGoingDown implements SocketFactory {
    private final int sshdPort;
    private final int closedPort;
    final AtomicInteger sockets = new AtomicInteger();
    volatile boolean down;

    HostGoingDown(int sshdPort) throws IOException {
        this.sshdPort = sshdPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            this.closedPort = s.getLocalPort();
        }
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        sockets.incrementAndGet();
        return new Socket(host, down ? closedPort : sshdPort);
    }

    @Override
    public InputStream getInputStream(Socket socket) throws IOException {
        return socket.getInputStream();
    }

    @Override
    public OutputStream getOutputStream(Socket socket) throws IOException {
        return socket.getOutputStream();
    }
}
