package io.onefed.upgrade.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.ArrayList;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The one bound on request bodies, for every path the service serves: our {@code /api}, Camunda's
 * {@code /engine-rest}, the webapps' {@code /camunda/api} (Tasklist's submit-form, the login form) and the rest.
 * A body larger than {@code onefed.web.max-request-body} (1 MiB by default) is refused with 413 and a JSON message
 * naming the field {@code body}, before anything reads it. A body sent without a length (chunked) is read up to
 * the limit and refused with the same 413 as soon as it goes over; under the limit it is served from that buffer.
 * <p>
 * It runs first of all filters: before Spring Security, Camunda's REST authentication, {@link TaskFormCheckFilter}
 * (which reads whole completion bodies and relies on this bound) and the webapps' own filters (registered after
 * every Spring filter). Tomcat's own limits (server.tomcat.max-http-form-post-size, max-swallow-size in
 * application.yaml) are set to agree with it.
 */
@Configuration
public class RequestBodyLimit {

    public static final String PROPERTY = "onefed.web.max-request-body";

    @Bean
    FilterRegistrationBean<OncePerRequestFilter> requestBodyLimitFilter(
            @Value("${" + PROPERTY + ":1048576}") long maxBytes) {
        if (maxBytes <= 0 || maxBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(PROPERTY + " is " + maxBytes + ": give a size in bytes between 1 and "
                    + (Integer.MAX_VALUE - 8) + " (default 1048576)");
        }
        FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(new Filter(maxBytes));
        registration.setName("onefed-request-body-limit");
        registration.addUrlPatterns("/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    static final class Filter extends OncePerRequestFilter {
        private final long maxBytes;

        Filter(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            long declared = request.getContentLengthLong();
            if (declared > maxBytes) {
                refuse(request, response, declared + " bytes");
                return;
            }
            if (declared >= 0 || !hasBody(request)) {
                chain.doFilter(request, response);
                return;
            }
            // no declared length (chunked): read at most one byte more than allowed, never the whole of it
            byte[] body = readAtMost(request.getInputStream(), maxBytes + 1);
            if (body.length > maxBytes) {
                refuse(request, response, "more than " + maxBytes + " bytes (sent without a length)");
                return;
            }
            chain.doFilter(new Buffered(request, body), response);
        }

        private void refuse(HttpServletRequest request, HttpServletResponse response, String size) throws IOException {
            String hint = request.getRequestURI().startsWith(request.getContextPath() + "/api/")
                    ? " (a JSON object like {\\\"targetVersion\\\": \\\"7.0.0\\\"})"
                    : " (the limit is " + PROPERTY + ")";
            response.setStatus(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            // the rest of the body is not read: the connection cannot carry another request
            response.setHeader("Connection", "close");
            byte[] answer = ("{\"type\":\"RequestBodyTooLarge\",\"field\":\"body\",\"message\":\"body: " + size
                    + "; send " + maxBytes + " bytes at most" + hint + "\"}").getBytes(StandardCharsets.UTF_8);
            response.setContentLength(answer.length);
            response.getOutputStream().write(answer);
            // complete on the wire now: Tomcat then discards (or cuts off) the unread rest, the client has its answer
            response.flushBuffer();
        }
    }

    /** Without a Content-Length, an HTTP/1.1 request has a body only if it names a transfer encoding (chunked). */
    private static boolean hasBody(HttpServletRequest request) {
        String te = request.getHeader("Transfer-Encoding");
        return te != null && !te.isBlank();
    }

    static byte[] readAtMost(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        byte[] buf = new byte[8192];
        long left = limit;
        int n;
        while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
            out.write(buf, 0, n);
            left -= n;
        }
        return out.toByteArray();
    }

    /**
     * A chunked body under the limit, read once and served again, with its length now known. Form parameters of a
     * URL-encoded body are parsed from the buffer too (Tomcat's own parsing would find the stream already read).
     */
    static final class Buffered extends HttpServletRequestWrapper {
        private final byte[] body;
        private Map<String, String[]> parameters;

        Buffered(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("synchronous reads only");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(getInputStream(), charset()));
        }

        @Override
        public String getParameter(String name) {
            String[] values = parameters().get(name);
            return values == null || values.length == 0 ? null : values[0];
        }

        @Override
        public Map<String, String[]> getParameterMap() {
            return Collections.unmodifiableMap(parameters());
        }

        @Override
        public Enumeration<String> getParameterNames() {
            return Collections.enumeration(parameters().keySet());
        }

        @Override
        public String[] getParameterValues(String name) {
            String[] values = parameters().get(name);
            return values == null ? null : values.clone();
        }

        private Charset charset() {
            String encoding = getCharacterEncoding();
            try {
                return encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            } catch (RuntimeException e) {
                return StandardCharsets.UTF_8;
            }
        }

        /** The query string's parameters (the wrapped request's: its body is already read), then the form's. */
        private synchronized Map<String, String[]> parameters() {
            if (parameters == null) {
                Map<String, List<String>> all = new LinkedHashMap<>();
                super.getParameterMap().forEach((k, v) -> all.computeIfAbsent(k, x -> new ArrayList<>()).addAll(List.of(v)));
                String type = getContentType();
                if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
                    Charset cs = charset();
                    for (String pair : new String(body, StandardCharsets.ISO_8859_1).split("&")) {
                        if (pair.isEmpty()) {
                            continue;
                        }
                        int eq = pair.indexOf('=');
                        String k = decode(eq < 0 ? pair : pair.substring(0, eq), cs);
                        String v = eq < 0 ? "" : decode(pair.substring(eq + 1), cs);
                        all.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
                    }
                }
                Map<String, String[]> map = new LinkedHashMap<>();
                all.forEach((k, v) -> map.put(k, v.toArray(String[]::new)));
                parameters = map;
            }
            return parameters;
        }

        private static String decode(String s, Charset cs) {
            try {
                return URLDecoder.decode(s, cs);
            } catch (IllegalArgumentException e) {
                return s;
            }
        }
    }
}
