package io.onefed.upgrade.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP/1.1 over a plain socket, for what java.net.http cannot do on Java 17: choosing the source address (Linux
 * loopback accepts any 127/8 address, so each test "client" is its own remote address without a proxy header),
 * and sending a body that keeps coming while the answer is read. Every request closes its connection.
 */
public final class RawHttp {

    private final int port;
    private final InetAddress source;
    /** Cookies of this client (name to value), kept from Set-Cookie headers: a browser session. */
    private final Map<String, String> cookies = new LinkedHashMap<>();

    public RawHttp(int port, String sourceAddress) {
        this.port = port;
        try {
            this.source = InetAddress.getByName(sourceAddress);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public record Response(int status, Map<String, String> headers, String body, long bodyBytesSent,
                           Throwable senderEnd) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + (body.length() > 400 ? body.substring(0, 400) + "..." : body);
        }
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public String cookie(String name) {
        return cookies.get(name);
    }

    /** A request with a body of known length (Content-Length), or none. */
    public Response send(String method, String path, Map<String, String> headers, byte[] body) {
        return exchange(method, path, headers, body == null ? null : List.of(body), false, 0, body == null ? 0 : body.length);
    }

    /** A request whose body goes out chunked (no Content-Length), in {@code chunks} pieces of the given bytes. */
    public Response sendChunked(String method, String path, Map<String, String> headers, byte[] chunk, long chunks) {
        List<byte[]> one = List.of(chunk);
        return exchange(method, path, headers, one, true, chunks, -1);
    }

    /**
     * Headers announcing {@code declaredLength} bytes, then only the first {@code sent} bytes of the body; the
     * answer is read while the rest never comes. A server that waited for the whole body would not answer at all.
     */
    public Response sendPartial(String method, String path, Map<String, String> headers, long declaredLength, int sent) {
        byte[] part = new byte[sent];
        java.util.Arrays.fill(part, (byte) 'x');
        return exchange(method, path, headers, List.of(part), false, 0, declaredLength);
    }

    private Response exchange(String method, String path, Map<String, String> headers, List<byte[]> body,
                              boolean chunked, long chunks, long contentLength) {
        ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "raw-http-sender");
            t.setDaemon(true);
            return t;
        });
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            socket.setSoTimeout(60_000);
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nConnection: close\r\n");
            if (!cookies.isEmpty()) {
                head.append("Cookie: ").append(String.join("; ", cookies.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).toList())).append("\r\n");
            }
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            if (chunked) {
                head.append("Transfer-Encoding: chunked\r\n");
            } else if (body != null) {
                head.append("Content-Length: ").append(contentLength).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            AtomicLong sent = new AtomicLong();
            Future<?> writing = sender.submit(() -> {
                if (body == null) {
                    return null;
                }
                if (chunked) {
                    byte[] chunk = body.get(0);
                    byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
                    for (long i = 0; i < chunks; i++) {
                        out.write(size);
                        out.write(chunk);
                        out.write(new byte[] {'\r', '\n'});
                        sent.addAndGet(chunk.length);
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                } else {
                    for (byte[] b : body) {
                        out.write(b);
                        sent.addAndGet(b.length);
                    }
                }
                out.flush();
                return null;
            });
            InputStream in = socket.getInputStream();
            String statusLine = line(in);
            long sentWhenAnswered = sent.get();
            if (statusLine == null || !statusLine.startsWith("HTTP/1.1 ")) {
                throw new IOException("no HTTP answer: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            Map<String, String> answerHeaders = new LinkedHashMap<>();
            for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                answerHeaders.merge(name, value, (a, b) -> a + ", " + b);
                if (name.equals("set-cookie")) {
                    String pair = value.split(";", 2)[0];
                    int eq = pair.indexOf('=');
                    cookies.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
            byte[] answer = readBody(in, answerHeaders);
            Throwable senderEnd = null;
            try {
                writing.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                senderEnd = e.getCause(); // the server closed the connection before the body was sent
            } catch (java.util.concurrent.TimeoutException e) {
                senderEnd = e;
                writing.cancel(true);
            }
            return new Response(status, answerHeaders, new String(answer, StandardCharsets.UTF_8), sentWhenAnswered,
                    senderEnd);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            sender.shutdownNow();
        }
    }

    private static byte[] readBody(InputStream in, Map<String, String> headers) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (String size = line(in); size != null; size = line(in)) {
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    break;
                }
                body.write(in.readNBytes(n));
                line(in);
            }
        } else if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else {
            body.write(in.readAllBytes());
        }
        return body.toByteArray();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return c < 0 && b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    public static Map<String, String> headers(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
