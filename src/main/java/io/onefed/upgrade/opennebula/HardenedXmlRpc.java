package io.onefed.upgrade.opennebula;

import io.onefed.upgrade.tls.ClientTls;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.net.URLConnection;
import javax.net.ssl.HttpsURLConnection;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import org.apache.ws.commons.util.NamespaceContextImpl;
import org.apache.xmlrpc.XmlRpcException;
import org.apache.xmlrpc.XmlRpcRequest;
import org.apache.xmlrpc.client.XmlRpcClient;
import org.apache.xmlrpc.client.XmlRpcClientException;
import org.apache.xmlrpc.client.XmlRpcClientConfigImpl;
import org.apache.xmlrpc.client.XmlRpcSunHttpTransport;
import org.apache.xmlrpc.client.XmlRpcTransport;
import org.apache.xmlrpc.client.XmlRpcTransportFactoryImpl;
import org.apache.xmlrpc.common.TypeFactoryImpl;
import org.apache.xmlrpc.common.XmlRpcController;
import org.apache.xmlrpc.common.XmlRpcStreamRequestConfig;
import org.apache.xmlrpc.common.XmlRpcStreamConfig;
import org.apache.xmlrpc.parser.I8Parser;
import org.apache.xmlrpc.parser.TypeParser;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.XMLReader;

/**
 * Apache XML-RPC 3.1.3 set up for OpenNebula and for a server that may be hostile: extensions stay off, but
 * {@code <i8>} (the replication index OpenNebula appends to every error array) parses as in OpenNebula's own Java
 * OCA; the envelope is parsed with DTDs refused (3.1.3's own parser would expand entities); answers are cut at a
 * size cap and a whole-call deadline; timeouts are set on every connection. Nothing in an answer is ever read
 * with Java deserialization: 3.1.3 does it in two places (javap of xmlrpc-common-3.1.3.jar: the fault's
 * {@code faultCause} in {@code XmlRpcResponseParser.addResult}, and {@code SerializableParser} for the extension
 * type {@code <ex:serializable>}); the transport parses with {@link SafeResponseParser} instead of the first, and
 * the type factory refuses every extension type, so neither is reachable.
 */
final class HardenedXmlRpc {

    private HardenedXmlRpc() {
    }

    /** One client for all endpoints: the endpoint and limits travel with each call's {@link CallConfig}. */
    static XmlRpcClient newClient() {
        XmlRpcClient client = new XmlRpcClient();
        client.setTypeFactory(new I8TypeFactory(client));
        client.setTransportFactory(new TransportFactory(client));
        return client;
    }

    /** Per-call configuration: standard settings plus the size cap and deadline. */
    static final class CallConfig extends XmlRpcClientConfigImpl {
        private final transient OneCallLimits limits;
        private final transient ClientTls tls;

        CallConfig(URL url, OneCallLimits limits) {
            this(url, limits, null);
        }

        /** @param tls trust and host name verification for an https URL; null: the JVM's default CAs */
        CallConfig(URL url, OneCallLimits limits, ClientTls tls) {
            this.limits = limits;
            this.tls = tls == null ? DEFAULT_TLS : tls;
            setServerURL(url);
            setEnabledForExtensions(false);
            setGzipCompressing(false);
            setGzipRequesting(false);
            setConnectionTimeout(limits.connectMillis());
            setReplyTimeout(limits.readMillis());
            setEncoding("UTF-8");
        }

        OneCallLimits limits() {
            return limits;
        }

        ClientTls tls() {
            return tls;
        }
    }

    /** Built once: loading the JVM's CA certificates is not free. */
    private static final ClientTls DEFAULT_TLS = ClientTls.jvmDefault();

    /** The answer exceeded the configured cap. */
    static final class ResponseTooLargeException extends IOException {
        ResponseTooLargeException(long limit) {
            super("answer larger than " + limit + " bytes");
        }
    }

    /** The whole call took longer than allowed (a server feeding bytes slowly). */
    static final class CallDeadlineException extends SocketTimeoutException {
        CallDeadlineException(OneCallLimits limits) {
            super("answer not complete within " + limits.maxCallDuration());
        }
    }

    static final class I8TypeFactory extends TypeFactoryImpl {
        I8TypeFactory(XmlRpcController controller) {
            super(controller);
        }

        @Override
        public TypeParser getParser(XmlRpcStreamConfig config, NamespaceContextImpl context, String uri, String localName) {
            if ((uri == null || uri.isEmpty()) && "i8".equals(localName)) {
                return new I8Parser();
            }
            if (uri != null && !uri.isEmpty()) {
                // the extension types (serializable, dom, nil ...): refused even if a config enabled extensions;
                // null makes the parser fail with "Unknown type"
                return null;
            }
            return super.getParser(config, context, uri, localName);
        }
    }

    static final class TransportFactory extends XmlRpcTransportFactoryImpl {
        TransportFactory(XmlRpcClient client) {
            super(client);
        }

        @Override
        public XmlRpcTransport getTransport() {
            return new Transport(getClient());
        }
    }

    /** A new instance per call (the factory hands out one per request), so the fields are call-local. */
    static final class Transport extends XmlRpcSunHttpTransport {
        private OneCallLimits limits;
        private ClientTls tls;
        private long deadlineNanos;

        Transport(XmlRpcClient client) {
            super(client);
        }

        @Override
        public Object sendRequest(XmlRpcRequest request) throws XmlRpcException {
            CallConfig config = (CallConfig) request.getConfig();
            limits = config.limits();
            tls = config.tls();
            deadlineNanos = System.nanoTime() + limits.maxCallDuration().toNanos();
            return super.sendRequest(request);
        }

        @Override
        protected URLConnection newURLConnection(URL url) throws IOException {
            URLConnection conn = super.newURLConnection(url);
            // the Sun transport of 3.1.3 never applies the configured timeouts itself
            conn.setConnectTimeout(limits.connectMillis());
            conn.setReadTimeout(limits.readMillis());
            if (conn instanceof HttpURLConnection http) {
                http.setInstanceFollowRedirects(false);
            }
            if (conn instanceof HttpsURLConnection https) {
                // per connection, never the JVM-wide default: only these calls trust the configured CAs
                https.setSSLSocketFactory(tls.socketFactory());
                // the handshake verifies the host name (ClientTls); a mismatch it let through is not accepted here
                https.setHostnameVerifier((host, session) -> false);
            }
            return conn;
        }

        @Override
        protected InputStream getInputStream() throws XmlRpcException {
            long declared = getURLConnection().getContentLengthLong();
            if (declared > limits.maxResponseBytes()) {
                throw new XmlRpcException("Failed to read server's response",
                        new ResponseTooLargeException(limits.maxResponseBytes()));
            }
            return new CappedInputStream(super.getInputStream(), limits, deadlineNanos);
        }

        @Override
        protected XMLReader newXMLReader() throws XmlRpcException {
            return hardenedReader();
        }

        /** As 3.1.3's readResponse, with {@link SafeResponseParser}: a fault becomes its code and string only. */
        @Override
        protected Object readResponse(XmlRpcStreamRequestConfig config, InputStream stream) throws XmlRpcException {
            XMLReader reader = newXMLReader();
            SafeResponseParser parser = new SafeResponseParser(config, getClient().getTypeFactory());
            reader.setContentHandler(parser);
            try {
                reader.parse(new InputSource(stream));
            } catch (SAXException e) {
                throw new XmlRpcClientException("Failed to parse server's response: " + e.getMessage(), e);
            } catch (IOException e) {
                throw new XmlRpcClientException("Failed to read server's response: " + e.getMessage(), e);
            }
            if (parser.isSuccess()) {
                return parser.getResult();
            }
            throw new XmlRpcException(parser.faultCode(), parser.faultString());
        }
    }

    static XMLReader hardenedReader() throws XmlRpcException {
        try {
            // the JDK's own parser, whose hardening features are known: newInstance() would also search the
            // classpath for another one on every call (ServiceLoader), 1-2 % of the service's CPU at 100 zones
            SAXParserFactory spf = SAXParserFactory.newDefaultInstance();
            spf.setNamespaceAware(true); // as Apache XML-RPC's own SAXParsers
            spf.setValidating(false);
            spf.setXIncludeAware(false);
            spf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            spf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            spf.setFeature("http://xml.org/sax/features/external-general-entities", false);
            spf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            spf.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            XMLReader reader = spf.newSAXParser().getXMLReader();
            reader.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("external entity " + systemId + " refused");
            });
            return reader;
        } catch (ParserConfigurationException | SAXException e) {
            throw new XmlRpcException("XML parser lacks the features needed to refuse DTDs", e);
        }
    }

    /** Counts bytes and time; fails the read that crosses the cap or the deadline. */
    static final class CappedInputStream extends FilterInputStream {
        private final OneCallLimits limits;
        private final long deadlineNanos;
        private long count;

        CappedInputStream(InputStream in, OneCallLimits limits, long deadlineNanos) {
            super(in);
            this.limits = limits;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public int read() throws IOException {
            check(0);
            int b = super.read();
            if (b >= 0) {
                check(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            check(0);
            int n = super.read(buf, off, len);
            if (n > 0) {
                check(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            check(skipped);
            return skipped;
        }

        private void check(long more) throws IOException {
            count += more;
            if (count > limits.maxResponseBytes()) {
                throw new ResponseTooLargeException(limits.maxResponseBytes());
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new CallDeadlineException(limits);
            }
        }
    }
}
