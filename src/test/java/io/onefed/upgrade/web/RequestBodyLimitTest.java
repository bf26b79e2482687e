package io.onefed.upgrade.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/** The pieces of {@link RequestBodyLimit} a chunked body goes through (the HTTP paths: RequestBodyLimitHttpTest). */
class RequestBodyLimitTest {

    @Test
    void aChunkedBodyIsReadOneByteOverTheLimitAtMost() throws Exception {
        // an endless body: reading stops after limit + 1 bytes, whatever follows
        byte[] read = RequestBodyLimit.readAtMost(new java.io.InputStream() {
            @Override
            public int read() {
                return 'x';
            }
        }, 1001);
        assertThat(read).hasSize(1001);
        assertThat(RequestBodyLimit.readAtMost(new ByteArrayInputStream(new byte[10]), 1001)).hasSize(10);
    }

    @Test
    void aBufferedFormKeepsItsParametersAfterTheQueryStringOnes() throws Exception {
        // a login form sent chunked: Tomcat's own parsing would find the stream already read
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/camunda/api/admin/auth/user/default/login/x");
        request.setContentType("application/x-www-form-urlencoded; charset=UTF-8");
        request.setCharacterEncoding("UTF-8");
        request.addParameter("from", "query");
        byte[] body = "username=j%C3%BCrgen&password=a%26b%3Dc&from=body&empty".getBytes(StandardCharsets.US_ASCII);
        RequestBodyLimit.Buffered buffered = new RequestBodyLimit.Buffered(request, body);
        assertThat(buffered.getParameter("username")).isEqualTo("jürgen");
        assertThat(buffered.getParameter("password")).isEqualTo("a&b=c");
        assertThat(buffered.getParameterValues("from")).containsExactly("query", "body");
        assertThat(buffered.getParameter("empty")).isEmpty();
        assertThat(buffered.getContentLengthLong()).isEqualTo(body.length);
        assertThat(buffered.getInputStream().readAllBytes()).isEqualTo(body);
        assertThat(buffered.getInputStream().readAllBytes()).as("served again").isEqualTo(body);
    }

    @Test
    void aBufferedJsonBodyHasNoFormParameters() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/engine-rest/task/1/complete");
        request.setContentType("application/json");
        RequestBodyLimit.Buffered buffered = new RequestBodyLimit.Buffered(request,
                "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(buffered.getParameterMap()).isEmpty();
    }
}
