package io.onefed.upgrade.opennebula;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.onefed.upgrade.opennebula.OneException.ErrorCode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XmlRpcOneClientTest {

    private static final String PASSWORD = "s3cr3t-Pa55word";
    private static final String SESSION = "oneadmin:" + PASSWORD;
    private static final OneCallLimits LIMITS =
            new OneCallLimits(Duration.ofSeconds(2), Duration.ofSeconds(2), 1024 * 1024, Duration.ofSeconds(10));

    private final FakeOned oned = new FakeOned();
    private final AtomicInteger sessionReads = new AtomicInteger();
    private final List<char[]> handedOut = new ArrayList<>();

    @AfterEach
    void stop() {
        oned.close();
    }

    private XmlRpcOneClient client(OneCallLimits limits) {
        return new XmlRpcOneClient(oned.endpoint(), limits, () -> {
            sessionReads.incrementAndGet();
            char[] s = SESSION.toCharArray();
            handedOut.add(s);
            return s;
        });
    }

    private XmlRpcOneClient client() {
        return client(LIMITS);
    }

    @Test
    void zonePoolIsReadWithTheSessionAsFirstParameter() {
        oned.success("one.zonepool.info", Fixtures.read("zonepool-guide.xml"));

        List<OneZone> zones = client().zonePool();

        assertThat(zones).extracting(OneZone::name).containsExactly("M-EU-FR", "S-EU-GE", "S-US-CA");
        assertThat(oned.methodsCalled()).containsExactly("one.zonepool.info");
        String request = oned.requests().get(0);
        assertThat(request.indexOf(SESSION)).isGreaterThan(request.indexOf("<params>"));
    }

    @Test
    void sessionIsReadAtEveryCallAndWipedAfterwards() {
        oned.success("one.system.version", "6.10.0");
        XmlRpcOneClient client = client();

        assertThat(client.systemVersion()).isEqualTo("6.10.0");
        assertThat(client.systemVersion()).isEqualTo("6.10.0");

        assertThat(sessionReads).hasValue(2);
        assertThat(handedOut).allSatisfy(chars -> assertThat(new String(chars)).isEqualTo("\0".repeat(SESSION.length())));
    }

    @Test
    void raftStatusZoneInfoHostsAndVms() {
        oned.success("one.zone.raftstatus", Fixtures.read("raft-solo-empty-fedlog.xml"))
                .success("one.zone.info", Fixtures.read("zone-before-6.2.xml"))
                .success("one.hostpool.info", Fixtures.read("hostpool.xml"))
                .success("one.vmpool.info", Fixtures.read("vmpool.xml"));
        XmlRpcOneClient client = client();

        assertThat(client.raftStatus().fedlogIndex()).isEqualTo(FedIndex.NONE);
        assertThat(client.zoneInfo(0).name()).isEqualTo("OpenNebula");
        assertThat(client.hostPool()).hasSize(2);
        assertThat(client.vmPool()).extracting(OneVm::lcmState).containsExactly(3, 1);

        List<String> requests = oned.requests();
        assertThat(requests.get(1)).contains("<i4>0</i4>");
        // all VMs of all users (-2), whole range (-1, -1), any state but DONE (-1)
        assertThat(requests.get(3).replaceAll("\\s", ""))
                .contains("<param><value><i4>-2</i4></value></param><param><value><i4>-1</i4></value></param>"
                        + "<param><value><i4>-1</i4></value></param><param><value><i4>-1</i4></value></param>");
    }

    @Test
    void enableAndHostStatusSendTheirArguments() {
        oned.body("one.zone.enable", Fixtures.read("response-success-int.xml"))
                .body("one.host.status", Fixtures.read("response-success-int.xml"));
        XmlRpcOneClient client = client();

        client.zoneEnable(100, false);
        client.hostStatus(3, OneHost.Status.DISABLED);

        assertThat(oned.requests().get(0).replaceAll("\\s", ""))
                .contains("<value><i4>100</i4></value>").contains("<value><boolean>0</boolean></value>");
        assertThat(oned.requests().get(1).replaceAll("\\s", ""))
                .contains("<value><i4>3</i4></value></param><param><value><i4>1</i4></value>");
    }

    @Test
    void failureArrayEndingWithI8BecomesOneExceptionWithItsCode() {
        oned.body("one.host.status", Fixtures.read("response-error-no-exists-i8.xml"));

        assertThatThrownBy(() -> client().hostStatus(42, OneHost.Status.DISABLED))
                .isInstanceOfSatisfying(OneException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.NO_EXISTS);
                    assertThat(e.method()).isEqualTo("one.host.status");
                    assertThat(e.endpoint()).isEqualTo(oned.endpoint());
                })
                .hasMessageContaining("[one.host.status] Error getting host [42].");
    }

    @Test
    void authenticationFailure() {
        oned.body("one.zonepool.info", Fixtures.read("response-error-authentication.xml"));

        assertThatThrownBy(() -> client().zonePool())
                .isInstanceOfSatisfying(OneException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.AUTHENTICATION))
                .hasMessageContaining("User couldn't be authenticated");
    }

    @Test
    void unknownCodeIsKeptInTheMessage() {
        oned.on("one.zonepool.info", (ex, o) -> FakeOned.send(ex, 200, FakeOned.errorXml("odd", 0x7777, -1, 5)));

        assertThatThrownBy(() -> client().zonePool())
                .isInstanceOfSatisfying(OneException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN))
                .hasMessageContaining("error code 30583");
    }

    @Test
    void xmlRpcFaultBecomesOneException() {
        oned.body("one.zone.raftstatus", Fixtures.read("response-fault-unknown-method.xml"));

        assertThatThrownBy(() -> client().raftStatus())
                .isInstanceOfSatisfying(OneException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.FAULT))
                .hasMessageContaining("-506").hasMessageContaining("not defined");
    }

    @Test
    void methodTheServerLacksIsAFault() {
        // FakeOned answers unknown methods as xmlrpc-c does
        assertThatThrownBy(() -> client().systemVersion())
                .isInstanceOfSatisfying(OneException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.FAULT));
    }

    @Test
    void httpErrorIsUnreachable() {
        oned.on("one.zonepool.info", (ex, o) -> FakeOned.send(ex, 503, "busy"));

        assertThatThrownBy(() -> client().zonePool())
                .isInstanceOf(OneUnreachableException.class).hasMessageContaining("HTTP 503");
    }

    @Test
    void answerThatIsNotOpenNebulasArrayIsRefused() {
        oned.on("one.system.version", (ex, o) -> FakeOned.send(ex, 200, FakeOned.successXml("x")
                .replace("<array><data>", "").replace("</data></array>", "")
                .replaceFirst("<value><boolean>1</boolean></value>", "")));

        assertThatThrownBy(() -> client().systemVersion()).isInstanceOf(OneUnreachableException.class);
    }

    @Test
    void answerThatIsNotXmlRpcIsUnreachable() {
        oned.on("one.system.version", (ex, o) -> FakeOned.send(ex, 200, "<html><body>proxy error</body></html>"));

        assertThatThrownBy(() -> client().systemVersion())
                .isInstanceOf(OneUnreachableException.class).hasMessageContaining("not valid XML-RPC");
    }

    @Test
    void readTimeoutEndsAHungCall() {
        oned.hang("one.zone.raftstatus");
        XmlRpcOneClient client = client(LIMITS.withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300)));

        assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
                assertThatThrownBy(client::raftStatus)
                        .isInstanceOf(OneUnreachableException.class)
                        .hasMessageContaining("read timeout of PT0.3S"));
    }

    @Test
    void callDeadlineEndsAServerThatDripsBytes() {
        oned.on("one.zonepool.info", (ex, o) -> {
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            byte[] head = "<?xml version=\"1.0\"?><methodResponse><params><param><value><string>".getBytes(StandardCharsets.UTF_8);
            out.write(head);
            out.flush();
            try {
                for (int i = 0; i < 200; i++) { // one byte every 50 ms, well inside the read timeout
                    out.write(' ');
                    out.flush();
                    // the pacing is the fault under test (a server that drips), not a wait for a condition
                    java.util.concurrent.TimeUnit.MILLISECONDS.sleep(50);
                }
            } catch (InterruptedException | IOException e) {
                // the client hung up, or the server is closing
            }
        });
        XmlRpcOneClient client = client(new OneCallLimits(Duration.ofSeconds(2), Duration.ofSeconds(2), 1024 * 1024,
                Duration.ofMillis(600)));

        assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
                assertThatThrownBy(client::zonePool)
                        .isInstanceOf(OneUnreachableException.class)
                        .hasMessageContaining("not complete within PT0.6S"));
    }

    @Test
    void connectionRefusedIsUnreachable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        XmlRpcOneClient client = new XmlRpcOneClient("http://127.0.0.1:" + port + "/RPC2", LIMITS, SESSION::toCharArray);

        assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
                assertThatThrownBy(client::systemVersion)
                        .isInstanceOf(OneUnreachableException.class)
                        .hasMessageContaining("connection refused"));
    }

    @Test
    void oversizedAnswerWithContentLengthIsCut() {
        String big = "x".repeat(200_000);
        oned.success("one.vmpool.info", "<VM_POOL>" + big + "</VM_POOL>");
        XmlRpcOneClient client = client(new OneCallLimits(Duration.ofSeconds(2), Duration.ofSeconds(2), 64 * 1024,
                Duration.ofSeconds(10)));

        assertThatThrownBy(client::vmPool)
                .isInstanceOf(OneUnreachableException.class)
                .hasMessageContaining("larger than 65536 bytes")
                .hasMessageContaining("onefed.xmlrpc.max-response-size");
    }

    @Test
    void oversizedChunkedAnswerIsCutWhileReading() {
        String big = "x".repeat(200_000);
        oned.on("one.vmpool.info", (ex, o) -> FakeOned.sendChunked(ex, FakeOned.successXml("<VM_POOL>" + big + "</VM_POOL>")));
        XmlRpcOneClient client = client(new OneCallLimits(Duration.ofSeconds(2), Duration.ofSeconds(2), 64 * 1024,
                Duration.ofSeconds(10)));

        assertThatThrownBy(client::vmPool)
                .isInstanceOf(OneUnreachableException.class).hasMessageContaining("larger than 65536 bytes");
    }

    @Test
    void answerJustUnderTheCapIsRead() {
        oned.success("one.system.version", "6.10.0");
        int size = FakeOned.successXml("6.10.0").getBytes(StandardCharsets.UTF_8).length;

        assertThat(client(new OneCallLimits(Duration.ofSeconds(2), Duration.ofSeconds(2), size, Duration.ofSeconds(10)))
                .systemVersion()).isEqualTo("6.10.0");
    }

    @Test
    void externalEntityInTheEnvelopeIsNeitherReadNorFetched(@TempDir Path dir) throws IOException {
        Path secret = dir.resolve("passwd");
        Files.writeString(secret, "ROOT-SECRET-MARKER");
        try (FakeOned attacker = new FakeOned()) {
            oned.on("one.system.version", (ex, o) -> FakeOned.send(ex, 200,
                    "<?xml version=\"1.0\"?><!DOCTYPE methodResponse [<!ENTITY f SYSTEM \"" + secret.toUri() + "\">"
                            + "<!ENTITY h SYSTEM \"" + attacker.endpoint() + "\">]><methodResponse><params><param><value>"
                            + "<array><data><value><boolean>1</boolean></value><value><string>&f;&h;</string></value>"
                            + "<value><i4>0</i4></value></data></array></value></param></params></methodResponse>"));

            assertThatThrownBy(() -> client().systemVersion())
                    .isInstanceOf(OneUnreachableException.class)
                    .hasMessageContaining("DOCTYPE")
                    .hasMessageNotContaining("ROOT-SECRET-MARKER");
            assertThat(attacker.requests()).isEmpty();
        }
    }

    @Test
    void billionLaughsInTheEnvelopeFailsFast() {
        StringBuilder dtd = new StringBuilder("<!DOCTYPE methodResponse [<!ENTITY l0 \"lol\">");
        for (int i = 1; i <= 12; i++) {
            dtd.append("<!ENTITY l").append(i).append(" \"").append(("&l" + (i - 1) + ";").repeat(10)).append("\">");
        }
        dtd.append("]>");
        oned.on("one.system.version", (ex, o) -> FakeOned.send(ex, 200, "<?xml version=\"1.0\"?>" + dtd
                + FakeOned.successXml("&l12;").replace("&amp;l12;", "&l12;").replaceFirst("<\\?xml[^>]*>", "")));

        assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
                assertThatThrownBy(() -> client().systemVersion()).isInstanceOf(OneUnreachableException.class));
    }

    @Test
    void hostileXmlInsideTheValueIsRefused(@TempDir Path dir) throws IOException {
        Path secret = dir.resolve("passwd");
        Files.writeString(secret, "ROOT-SECRET-MARKER");
        oned.success("one.zonepool.info", "<?xml version=\"1.0\"?><!DOCTYPE ZONE_POOL [<!ENTITY f SYSTEM \""
                + secret.toUri() + "\">]><ZONE_POOL><ZONE><ID>0</ID><NAME>&f;</NAME></ZONE></ZONE_POOL>");

        assertThatThrownBy(() -> client().zonePool())
                .isInstanceOf(OneUnreachableException.class)
                .hasMessageContaining("invalid answer")
                .hasMessageNotContaining("ROOT-SECRET-MARKER");
    }

    @Test
    void sessionEchoedByTheServerNeverReachesAnException() {
        oned.on("one.zonepool.info", (ex, o) -> FakeOned.send(ex, 200,
                FakeOned.errorXml("[one.zonepool.info] bad session " + SESSION, 256, -1, 0)))
            .on("one.zone.raftstatus", (ex, o) -> FakeOned.send(ex, 200,
                FakeOned.faultXml(-501, "type error for " + SESSION + " / " + PASSWORD)))
            .on("one.system.version", (ex, o) -> FakeOned.send(ex, 200, "<methodResponse>" + PASSWORD));
        XmlRpcOneClient client = client();

        List<RuntimeException> failures = new ArrayList<>();
        for (Runnable call : List.<Runnable>of(client::zonePool, client::raftStatus, client::systemVersion)) {
            try {
                call.run();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }

        assertThat(failures).hasSize(3).allSatisfy(e -> {
            assertThat(e.getMessage()).doesNotContain(PASSWORD);
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(PASSWORD);
            }
        });
        assertThat(failures.get(0).getMessage()).contains("bad session ****");
        // the requests did carry it: the scrubbing is what kept it out
        assertThat(oned.requests()).allSatisfy(r -> assertThat(r).contains(SESSION));
    }

    @Test
    void badEndpointsAreRefusedWithTheFix() {
        assertThatThrownBy(() -> new XmlRpcOneClient("ftp://host/RPC2", LIMITS, SESSION::toCharArray))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://<front-end>:2633/RPC2");
        assertThatThrownBy(() -> new XmlRpcOneClient("http://oneadmin:pw@host:2633/RPC2", LIMITS, SESSION::toCharArray))
                .hasMessageContaining("federation.credentials").hasMessageNotContaining("pw@");
        assertThatThrownBy(() -> new XmlRpcOneClient(" ", LIMITS, SESSION::toCharArray))
                .hasMessageContaining("empty");
    }
}
