package io.onefed.upgrade.opennebula;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.onefed.upgrade.testsupport.SerialPayloads;
import io.onefed.upgrade.opennebula.OneException.ErrorCode;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CVE-2019-17570: Apache XML-RPC 3.1.3 deserializes a fault's {@code faultCause}. A hostile oned (or whoever sits
 * on its plain-HTTP path) answers a fault carrying a serialized object; the call must fail with the fault's code
 * and string and nothing may be deserialized. With the old HardenedXmlRpc (3.1.3's XmlRpcResponseParser) the
 * canary's readObject ran (flag on) and the serial bomb kept the caller's thread hashing for ever (timeout).
 */
class FaultDeserializationTest {

    /** Flips {@link #DESERIALIZED} when anything reads it back: the sign that readObject ran. */
    static final class Canary extends RuntimeException {
        static final AtomicBoolean DESERIALIZED = new AtomicBoolean();
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            DESERIALIZED.set(true);
        }
    }

    /** A plain serializable value for the extension-type attack, same flag. */
    static final class CanaryValue implements Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            Canary.DESERIALIZED.set(true);
        }
    }

    private static final OneCallLimits LIMITS =
            new OneCallLimits(Duration.ofSeconds(2), Duration.ofSeconds(2), 1024 * 1024, Duration.ofSeconds(10));
    /** Far below what the bomb would take (2^100 hash calls); an honest client answers in milliseconds. */
    private static final Duration FAST = Duration.ofSeconds(10);

    private final FakeOned oned = new FakeOned();

    @BeforeEach
    void reset() {
        Canary.DESERIALIZED.set(false);
    }

    @AfterEach
    void stop() {
        oned.close();
    }

    private XmlRpcOneClient client() {
        return new XmlRpcOneClient(oned.endpoint(), LIMITS, "oneadmin:pw"::toCharArray);
    }

    @Test
    void faultCauseHoldingACanaryIsNeverDeserialized() {
        oned.body("one.zone.raftstatus", faultWithCause(-501, "bad parameter", serialize(new Canary())));

        assertTimeoutPreemptively(FAST, () -> assertThatThrownBy(() -> client().raftStatus())
                .isInstanceOfSatisfying(OneException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.FAULT))
                .hasMessageContaining("-501").hasMessageContaining("bad parameter")
                .hasNoCause());
        assertThat(Canary.DESERIALIZED).as("the canary's readObject ran").isFalse();
    }

    @Test
    void faultCauseHoldingASerialBombFailsFast() {
        oned.body("one.zone.raftstatus", faultWithCause(-500, "boom", serialize(SerialPayloads.bomb(100))));

        assertTimeoutPreemptively(FAST, () -> assertThatThrownBy(() -> client().raftStatus())
                .isInstanceOfSatisfying(OneException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.FAULT))
                .hasMessageContaining("-500").hasMessageContaining("boom"));
    }

    @Test
    void serializableExtensionTypeIsRefused() {
        String ex = "http://ws.apache.org/xmlrpc/namespaces/extensions";
        oned.body("one.system.version", "<?xml version=\"1.0\"?><methodResponse><params><param><value>"
                + "<ex:serializable xmlns:ex=\"" + ex + "\">" + serialize(new CanaryValue()) + "</ex:serializable>"
                + "</value></param></params></methodResponse>");

        assertThatThrownBy(() -> client().systemVersion()).isInstanceOf(OneUnreachableException.class)
                .hasMessageContaining("not valid XML-RPC");
        assertThat(Canary.DESERIALIZED).isFalse();
    }

    @Test
    void deeplyNestedAnswerIsRefusedNotAStackOverflow() {
        int depth = 20_000;
        String body = "<?xml version=\"1.0\"?><methodResponse><params><param><value>"
                + "<array><data><value>".repeat(depth) + "</value></data></array>".repeat(depth)
                + "</value></param></params></methodResponse>";
        oned.body("one.system.version", body);

        assertThatThrownBy(() -> client().systemVersion()).isInstanceOf(OneUnreachableException.class)
                .hasMessageContaining("nested deeper than");
    }

    static String serialize(Object o) {
        return Base64.getEncoder().encodeToString(SerialPayloads.bytes(o));
    }

    /** A fault as 3.1.3's server writes one with extensions on: faultCode, faultString, faultCause (base64). */
    static String faultWithCause(int code, String message, String base64Cause) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<methodResponse><fault><value><struct>"
                + "<member><name>faultCode</name><value><i4>" + code + "</i4></value></member>"
                + "<member><name>faultString</name><value><string>" + message + "</string></value></member>"
                + "<member><name>faultCause</name><value><base64>" + base64Cause + "</base64></value></member>"
                + "</struct></value></fault></methodResponse>\r\n";
    }
}
