package io.onefed.upgrade.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.onefed.upgrade.security.SecuredAppTestBase;
import io.onefed.upgrade.testsupport.RawHttp;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Issue 12, part 6: request bodies are bounded on every path the service serves. The attack: fill the service's
 * memory (or tie up its threads) with one huge request body, declared or sent chunked without a length, on any
 * path, authenticated or not. Before this, only /api was bounded: /engine-rest, the webapps' /camunda/api
 * (Tasklist's submit-form, the login form) and the rest read whatever came. Now every one answers 413 with a
 * JSON message naming the field {@code body}, before reading a declared body and as soon as a chunked one goes
 * over; bodies under the limit, chunked ones included, still work.
 */
class RequestBodyLimitHttpTest extends SecuredAppTestBase {

    static final int LIMIT = 1 << 20; // onefed.web.max-request-body's default
    static final ObjectMapper JSON = new ObjectMapper();

    @LocalServerPort
    int port;

    @Autowired
    RuntimeService runtime;

    @Autowired
    TaskService tasks;

    record Target(String method, String path, String contentType, String authorization) {
    }

    List<Target> targets() {
        String op = RawHttp.basic(OPERATOR, OPERATOR_PASSWORD);
        return List.of(
                new Target("POST", "/api/test-probe/start", "application/json", op),
                new Target("POST", "/api/upgrades", "application/json", null),
                new Target("POST", "/engine-rest/task/some-task/complete", "application/json", op),
                new Target("POST", "/engine-rest/task/some-task/submit-form", "application/json", null),
                new Target("POST", "/engine-rest/deployment/create", "multipart/form-data; boundary=x", op),
                new Target("POST", "/camunda/api/engine/engine/default/task/some-task/submit-form", "application/json", null),
                new Target("POST", "/camunda/api/admin/auth/user/default/login/tasklist",
                        "application/x-www-form-urlencoded", null),
                new Target("POST", "/camunda/app/tasklist/default/", "text/plain", null),
                new Target("PUT", "/no/such/path", "application/octet-stream", null));
    }

    static Map<String, String> headers(Target t) {
        Map<String, String> h = RawHttp.headers("Content-Type", t.contentType());
        if (t.authorization() != null) {
            h.put("Authorization", t.authorization());
        }
        return h;
    }

    static void assertRefused(RawHttp.Response r, String what) throws Exception {
        assertThat(r.status()).as(what + ": " + r).isEqualTo(413);
        JsonNode answer = JSON.readTree(r.body());
        assertThat(answer.path("field").asText()).as(what).isEqualTo("body");
        assertThat(answer.path("message").asText()).as(what).startsWith("body: ")
                .contains(LIMIT + " bytes at most");
    }

    @Test
    void aDeclaredBodyOverTheLimitIsRefusedOnEveryPathBeforeItIsRead() throws Exception {
        for (Target t : targets()) {
            // 50 MB announced, 1000 bytes sent: the answer comes although the rest never does
            RawHttp.Response r = new RawHttp(port, "127.0.0.1").sendPartial(t.method(), t.path(), headers(t),
                    50L * LIMIT, 1000);
            assertRefused(r, t.method() + " " + t.path() + " with Content-Length");
            assertThat(r.body()).contains("body: " + (50L * LIMIT) + " bytes");
        }
        // one byte over, all of it sent (the client reads its answer after sending everything)
        byte[] body = new byte[LIMIT + 1];
        Arrays.fill(body, (byte) ' ');
        for (Target t : targets()) {
            assertRefused(new RawHttp(port, "127.0.0.1").send(t.method(), t.path(), headers(t), body),
                    t.method() + " " + t.path() + " one byte over");
        }
    }

    @Test
    void aChunkedBodyIsRefusedAsSoonAsItGoesOverTheLimit() throws Exception {
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) ' ');
        long chunks = 4096; // 256 MiB, if the server kept reading
        for (Target t : targets()) {
            RawHttp.Response r = new RawHttp(port, "127.0.0.1").sendChunked(t.method(), t.path(), headers(t), chunk,
                    chunks);
            String what = t.method() + " " + t.path() + " chunked";
            assertRefused(r, what);
            assertThat(r.body()).as(what).contains("sent without a length");
            // answered long before the end, and the server cut the connection rather than read the rest
            assertThat(r.bodyBytesSent()).as(what + ": bytes sent when answered").isLessThan(64L * LIMIT);
            assertThat(r.senderEnd()).as(what + ": the body could not be sent to its end").isNotNull();
        }
    }

    @Test
    void bodiesUnderTheLimitStillWorkChunkedOrNot() throws Exception {
        // our API: chunked JSON under the limit
        RawHttp.Response api = new RawHttp(port, "127.0.0.1").sendChunked("POST", "/api/test-probe/start",
                RawHttp.headers("Content-Type", "application/json", "Authorization",
                        RawHttp.basic(OPERATOR, OPERATOR_PASSWORD)), "{}".getBytes(StandardCharsets.UTF_8), 1);
        assertThat(api.status()).as(api.toString()).isEqualTo(200);

        // the engine REST API: a completion sent chunked reaches the engine whole
        String first = runtime.startProcessInstanceByKey(TEST_PROCESS, "body-limit-rest").getId();
        String task = tasks.createTaskQuery().processInstanceId(first).singleResult().getId();
        RawHttp.Response rest = new RawHttp(port, "127.0.0.1").sendChunked("POST", "/engine-rest/task/" + task
                        + "/complete", RawHttp.headers("Content-Type", "application/json", "Authorization",
                        RawHttp.basic(OPERATOR, OPERATOR_PASSWORD)),
                "{\"variables\":{\"note\":{\"value\":\"chunked\"}}}".getBytes(StandardCharsets.UTF_8), 1);
        assertThat(rest.status()).as(rest.toString()).isEqualTo(204);
        assertThat(tasks.createTaskQuery().taskId(task).count()).as("completed").isZero();

        // Tasklist: the login form sent chunked (its parameters come from the buffered body), then submit-form
        String second = runtime.startProcessInstanceByKey(TEST_PROCESS, "body-limit-tasklist").getId();
        String task2 = tasks.createTaskQuery().processInstanceId(second).singleResult().getId();
        RawHttp browser = new RawHttp(port, "127.0.0.1");
        assertThat(browser.send("GET", "/camunda/app/tasklist/default/", Map.of(), null).status()).isEqualTo(200);
        byte[] form = ("username=" + OPERATOR + "&password=" + OPERATOR_PASSWORD).getBytes(StandardCharsets.UTF_8);
        RawHttp.Response login = browser.sendChunked("POST", "/camunda/api/admin/auth/user/default/login/tasklist",
                RawHttp.headers("Content-Type", "application/x-www-form-urlencoded", "X-XSRF-TOKEN",
                        browser.cookie("XSRF-TOKEN")), form, 1);
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        RawHttp.Response read = browser.send("GET", "/camunda/api/engine/engine/default/task/" + task2, Map.of(), null);
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        RawHttp.Response submit = browser.sendChunked("POST", "/camunda/api/engine/engine/default/task/" + task2
                        + "/submit-form", RawHttp.headers("Content-Type", "application/json", "X-XSRF-TOKEN",
                        browser.cookie("XSRF-TOKEN")), "{\"variables\":{}}".getBytes(StandardCharsets.UTF_8), 1);
        assertThat(submit.status()).as(submit.toString()).isEqualTo(204);
        assertThat(tasks.createTaskQuery().taskId(task2).count()).as("completed in Tasklist").isZero();

        // and a body just under the limit, with its length, is read as usual: a completion padded with spaces
        String third = runtime.startProcessInstanceByKey(TEST_PROCESS, "body-limit-padded").getId();
        String task3 = tasks.createTaskQuery().processInstanceId(third).singleResult().getId();
        byte[] padded = new byte[LIMIT - 10];
        Arrays.fill(padded, (byte) ' ');
        byte[] json = "{\"variables\":{}".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(json, 0, padded, 0, json.length);
        padded[padded.length - 1] = '}';
        RawHttp.Response under = new RawHttp(port, "127.0.0.1").send("POST", "/engine-rest/task/" + task3 + "/complete",
                RawHttp.headers("Content-Type", "application/json", "Authorization",
                        RawHttp.basic(OPERATOR, OPERATOR_PASSWORD)), padded);
        assertThat(under.status()).as(under.toString()).isEqualTo(204);
    }
}
