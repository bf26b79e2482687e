package io.onefed.upgrade.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bodies sent to {@code /api} are small JSON objects: a larger one ({@code onefed.web.max-request-body}, 1 MiB by
 * default) is refused with 413 before it is read, so nobody fills the service's memory with one request. A body
 * without a declared length is cut at the same size (the JSON reader then fails with a 400).
 */
@Configuration
public class RequestBodyLimit {

    @Bean
    FilterRegistrationBean<OncePerRequestFilter> requestBodyLimitFilter(
            @Value("${onefed.web.max-request-body:1048576}") long maxBytes) {
        FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(new Filter(maxBytes));
        registration.addUrlPatterns("/api/*");
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
            if (request.getContentLengthLong() > maxBytes) {
                response.setStatus(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
                response.setContentType("application/json");
                response.setCharacterEncoding("UTF-8");
                response.setHeader("Connection", "close");
                response.getOutputStream().write(("{\"field\":\"body\",\"message\":\"body: " + request.getContentLengthLong()
                        + " bytes; send " + maxBytes + " bytes at most (a JSON object like {\\\"targetVersion\\\":"
                        + " \\\"7.0.0\\\"})\"}").getBytes(StandardCharsets.UTF_8));
                return;
            }
            chain.doFilter(request.getContentLengthLong() < 0 ? new Limited(request, maxBytes) : request, response);
        }
    }

    private static final class Limited extends HttpServletRequestWrapper {
        private final long maxBytes;

        Limited(HttpServletRequest request, long maxBytes) {
            super(request);
            this.maxBytes = maxBytes;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            ServletInputStream in = super.getInputStream();
            return new ServletInputStream() {
                private long read;

                @Override
                public int read() throws IOException {
                    if (read >= maxBytes) {
                        throw new IOException("request body longer than " + maxBytes + " bytes");
                    }
                    int b = in.read();
                    if (b >= 0) {
                        read++;
                    }
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    if (read >= maxBytes) {
                        throw new IOException("request body longer than " + maxBytes + " bytes");
                    }
                    int n = in.read(buf, off, (int) Math.min(len, maxBytes - read));
                    if (n > 0) {
                        read += n;
                    }
                    return n;
                }

                @Override
                public boolean isFinished() {
                    return in.isFinished();
                }

                @Override
                public boolean isReady() {
                    return in.isReady();
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    in.setReadListener(listener);
                }
            };
        }
    }
}
