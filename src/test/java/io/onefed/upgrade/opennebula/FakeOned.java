package io.onefed.upgrade.opennebula;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A tiny XML-RPC endpoint on loopback (JDK HTTP or HTTPS server, port 0) answering like oned: per method a canned answer
 * in xmlrpc-c's format, or a misbehaviour (hang, drip, HTTP error). Records every request body.
 */
public final class FakeOned implements AutoCloseable {

    /** What to do with one request. */
    @FunctionalInterface
    public interface Behaviour {
        void answer(HttpExchange exchange, FakeOned oned) throws IOException;
    }

    private static final Pattern METHOD = Pattern.compile("<methodName>([^<]*)</methodName>");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-oned");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);

    public FakeOned() {
        this(null);
    }

    /** @param tls null: plain http; otherwise https presenting that context's certificate (a TLS proxy in front of oned) */
    public FakeOned(SSLContext tls) {
        try {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            if (tls == null) {
                server = HttpServer.create(address, 0);
            } else {
                HttpsServer https = HttpsServer.create(address, 0);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/RPC2", this::handle);
        server.start();
    }

    public String endpoint() {
        return endpoint("127.0.0.1");
    }

    /** The endpoint under another name of the loopback address (e.g. localhost). */
    public String endpoint(String host) {
        return (server instanceof HttpsServer ? "https://" : "http://") + host + ":" + server.getAddress().getPort() + "/RPC2";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public FakeOned on(String method, Behaviour behaviour) {
        behaviours.put(method, behaviour);
        return this;
    }

    /** {@code [true, value, 0]} with a string value. */
    public FakeOned success(String method, String value) {
        return on(method, (ex, o) -> send(ex, 200, successXml(value)));
    }

    public FakeOned body(String method, String xml) {
        return on(method, (ex, o) -> send(ex, 200, xml));
    }

    /** Answers nothing until the server is closed: a hung oned. */
    public FakeOned hang(String method) {
        return on(method, (ex, o) -> {
            try {
                o.released.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    public List<String> requests() {
        return List.copyOf(requests);
    }

    public List<String> methodsCalled() {
        return requests.stream().map(FakeOned::methodOf).toList();
    }

    static String methodOf(String body) {
        Matcher m = METHOD.matcher(body);
        return m.find() ? m.group(1) : "";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            requests.add(body);
            String method = methodOf(body);
            Behaviour b = behaviours.get(method);
            if (b == null) {
                // what xmlrpc-c answers for a method oned does not have
                send(exchange, 200, faultXml(-506, "Method '" + method + "' not defined"));
                return;
            }
            b.answer(exchange, this);
        }
    }

    public static void send(HttpExchange exchange, int status, String xml) throws IOException {
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/xml");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Chunked: no Content-Length, so only the counting stream can stop an oversized answer. */
    public static void sendChunked(HttpExchange exchange, String xml) throws IOException {
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/xml");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    public static String successXml(String value) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<methodResponse>\r\n<params>\r\n"
                + "<param><value><array><data>\r\n<value><boolean>1</boolean></value>\r\n"
                + "<value><string>" + escape(value) + "</string></value>\r\n<value><i4>0</i4></value>\r\n"
                + "</data></array></value></param>\r\n</params>\r\n</methodResponse>\r\n";
    }

    /** OpenNebula's failure array: {@code [false, message, code, resource id, replication index (i8)]}. */
    public static String errorXml(String message, int code, int resourceId, long replicationIndex) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<methodResponse>\r\n<params>\r\n"
                + "<param><value><array><data>\r\n<value><boolean>0</boolean></value>\r\n"
                + "<value><string>" + escape(message) + "</string></value>\r\n"
                + "<value><i4>" + code + "</i4></value>\r\n<value><i4>" + resourceId + "</i4></value>\r\n"
                + "<value><i8>" + replicationIndex + "</i8></value>\r\n"
                + "</data></array></value></param>\r\n</params>\r\n</methodResponse>\r\n";
    }

    public static String faultXml(int code, String message) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<methodResponse>\r\n<fault>\r\n<value><struct>\r\n"
                + "<member><name>faultCode</name>\r\n<value><i4>" + code + "</i4></value></member>\r\n"
                + "<member><name>faultString</name>\r\n<value><string>" + escape(message)
                + "</string></value></member>\r\n</struct></value>\r\n</fault>\r\n</methodResponse>\r\n";
    }

    public static String raftXml(int serverId, int state, String fedlogIndex) {
        return "<RAFT><SERVER_ID>" + serverId + "</SERVER_ID><STATE>" + state + "</STATE><TERM>3</TERM>"
                + "<VOTEDFOR>-1</VOTEDFOR><COMMIT>120</COMMIT><LOG_INDEX>120</LOG_INDEX><LOG_TERM>3</LOG_TERM>"
                + "<FEDLOG_INDEX>" + fedlogIndex + "</FEDLOG_INDEX></RAFT>";
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
