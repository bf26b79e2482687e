package io.onefed.upgrade.audit;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Records every refused request on the APIs ({@code /api}, {@code /engine-rest}, the webapps' {@code /camunda/api})
 * in the {@link RefusalLog}: each 403, and each completion the approval rules refused (the engine answers those
 * with its own status). Sits outside every other filter, so it sees the final status whoever refused. Keeps the
 * first {@value #KEPT} bytes of an error answer for the message; bodies of answers that succeed are passed on
 * untouched and never kept.
 */
public class RefusalRecordingFilter extends OncePerRequestFilter {

    static final int KEPT = 4096;
    /** The refusals of our own rules (ApprovalListener, ApprovedPlanGuard, TaskAuthorizations), whatever the status. */
    private static final Pattern OWN_REFUSAL = Pattern.compile("four eyes:|refused: completing|not approved:"
            + "|may claim task");
    private static final Pattern MESSAGE = Pattern.compile("\"(?:message|detail)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    /** Who, as the refusing party named them (the webapps' session user is not visible outside their filters). */
    private static final Pattern NAMED_USER = Pattern.compile("user with id '([^']+)'|four eyes: (\\S+) started"
            + "|^(\\S+) may claim task|refused by (\\S+):");

    private final RefusalLog refusals;

    public RefusalRecordingFilter(RefusalLog refusals) {
        this.refusals = refusals;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Capture capture = new Capture(response);
        Throwable failure = null;
        try {
            chain.doFilter(request, capture);
        } catch (IOException | ServletException | RuntimeException e) {
            // the webapps let some engine exceptions escape: the container answers 500 after this filter
            failure = e;
            throw e;
        } finally {
            capture.finish();
            int status = failure != null ? HttpServletResponse.SC_INTERNAL_SERVER_ERROR : capture.getStatus();
            if (status >= 400) {
                String message = failure != null ? rootMessage(failure) : message(capture.kept());
                if (status == HttpServletResponse.SC_FORBIDDEN || OWN_REFUSAL.matcher(message).find()) {
                    refusals.record(user(request, message), request.getMethod(), request.getRequestURI(), status,
                            message);
                }
            }
        }
    }

    private static String rootMessage(Throwable t) {
        String message = String.valueOf(t.getMessage());
        for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
            if (c.getMessage() != null && OWN_REFUSAL.matcher(c.getMessage()).find()) {
                return c.getMessage();
            }
        }
        return message;
    }

    static String message(String body) {
        Matcher m = MESSAGE.matcher(body);
        String text = m.find() ? m.group(1).replace("\\\"", "\"").replace("\\n", " ").replace("\\\\", "\\") : body;
        return text.strip();
    }

    /** The user the refusal names, else the HTTP Basic user name (never the password), else "unknown". */
    static String user(HttpServletRequest request, String message) {
        Matcher m = NAMED_USER.matcher(message);
        if (m.find()) {
            for (int g = 1; g <= m.groupCount(); g++) {
                if (m.group(g) != null) {
                    return m.group(g);
                }
            }
        }
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return colon > 0 ? decoded.substring(0, colon) : "unknown";
            } catch (IllegalArgumentException e) {
                return "unknown";
            }
        }
        return request.getRemoteUser() != null ? request.getRemoteUser() : "unknown";
    }

    /** Passes everything through; keeps the head of an error answer. */
    private static final class Capture extends HttpServletResponseWrapper {
        private final ByteArrayOutputStream head = new ByteArrayOutputStream();
        private String errorMessage;
        private ServletOutputStream stream;
        private PrintWriter writer;

        Capture(HttpServletResponse response) {
            super(response);
        }

        /** Our writer buffers: what the application wrote through it must reach the client. */
        void finish() {
            if (writer != null) {
                writer.flush();
            }
        }

        String kept() {
            String body = head.toString(StandardCharsets.UTF_8);
            return body.isEmpty() && errorMessage != null ? errorMessage : body;
        }

        private void keep(byte[] b, int off, int len) {
            if (getStatus() >= 400 && head.size() < KEPT) {
                head.write(b, off, Math.min(len, KEPT - head.size()));
            }
        }

        @Override
        public void sendError(int sc, String msg) throws IOException {
            errorMessage = msg;
            super.sendError(sc, msg);
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (stream == null) {
                ServletOutputStream out = super.getOutputStream();
                stream = new ServletOutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        keep(new byte[] {(byte) b}, 0, 1);
                        out.write(b);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        keep(b, off, len);
                        out.write(b, off, len);
                    }

                    @Override
                    public void flush() throws IOException {
                        out.flush();
                    }

                    @Override
                    public void close() throws IOException {
                        out.close();
                    }

                    @Override
                    public boolean isReady() {
                        return out.isReady();
                    }

                    @Override
                    public void setWriteListener(WriteListener listener) {
                        out.setWriteListener(listener);
                    }
                };
            }
            return stream;
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            if (writer == null) {
                String charset = getCharacterEncoding() == null ? "UTF-8" : getCharacterEncoding();
                writer = new PrintWriter(new OutputStreamWriter(getOutputStream(), charset), false);
            }
            return writer;
        }

        @Override
        public void flushBuffer() throws IOException {
            if (writer != null) {
                writer.flush();
            }
            super.flushBuffer();
        }
    }
}
