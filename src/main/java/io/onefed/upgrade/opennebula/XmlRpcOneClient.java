package io.onefed.upgrade.opennebula;

import io.onefed.upgrade.opennebula.OneException.ErrorCode;
import io.onefed.upgrade.tls.ClientTls;
import java.io.IOException;
import java.net.ConnectException;
import java.net.MalformedURLException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.apache.xmlrpc.XmlRpcException;
import org.apache.xmlrpc.client.XmlRpcClient;
import org.apache.xmlrpc.client.XmlRpcClientException;
import org.apache.xmlrpc.client.XmlRpcHttpTransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xml.sax.SAXException;

/**
 * {@link OneClient} over Apache XML-RPC. The session ({@code user:password}) is asked from the supplier at every
 * call, lives only for that call, and is cut out of every message a server sends back before it can reach an
 * exception (a hostile or buggy server may echo it).
 */
public class XmlRpcOneClient implements OneClient {

    private static final Logger log = LoggerFactory.getLogger(XmlRpcOneClient.class);

    private final String endpoint;
    private final URL url;
    private final OneCallLimits limits;
    private final Supplier<char[]> session;
    private final XmlRpcClient rpc;
    private final ClientTls tls;

    /**
     * @param session returns a fresh {@code user:password} array per call; the client wipes it after use
     */
    public XmlRpcOneClient(String endpoint, OneCallLimits limits, Supplier<char[]> session) {
        this(endpoint, limits, session, HardenedXmlRpc.newClient(), ClientTls.jvmDefault());
    }

    /** @param tls what an https endpoint's certificate is checked against (federation.xmlrpc.trust-store) */
    public XmlRpcOneClient(String endpoint, OneCallLimits limits, Supplier<char[]> session, ClientTls tls) {
        this(endpoint, limits, session, HardenedXmlRpc.newClient(), tls);
    }

    XmlRpcOneClient(String endpoint, OneCallLimits limits, Supplier<char[]> session, XmlRpcClient rpc) {
        this(endpoint, limits, session, rpc, ClientTls.jvmDefault());
    }

    XmlRpcOneClient(String endpoint, OneCallLimits limits, Supplier<char[]> session, XmlRpcClient rpc, ClientTls tls) {
        this.endpoint = endpoint;
        this.url = parseEndpoint(endpoint);
        this.limits = limits;
        this.session = session;
        this.rpc = rpc;
        this.tls = tls;
    }

    static URL parseEndpoint(String endpoint) {
        if (endpoint == null || endpoint.isBlank()) {
            throw new IllegalArgumentException("XML-RPC endpoint is empty; set it like http://<front-end>:2633/RPC2");
        }
        try {
            URI uri = new URI(endpoint.trim());
            String scheme = uri.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || uri.getHost() == null) {
                throw new IllegalArgumentException("XML-RPC endpoint '" + endpoint
                        + "' is not an http(s) URL with a host; set it like http://<front-end>:2633/RPC2");
            }
            if (uri.getUserInfo() != null) {
                throw new IllegalArgumentException("XML-RPC endpoint '" + uri.getHost()
                        + "' carries user info; credentials belong in federation.credentials, not in the URL");
            }
            return uri.toURL();
        } catch (URISyntaxException | MalformedURLException e) {
            throw new IllegalArgumentException("XML-RPC endpoint '" + endpoint
                    + "' is not a valid URL; set it like http://<front-end>:2633/RPC2");
        }
    }

    @Override
    public String endpoint() {
        return endpoint;
    }

    public OneCallLimits limits() {
        return limits;
    }

    @Override
    public List<OneZone> zonePool() {
        return parse("one.zonepool.info", OneXmlParser::zonePool, text("one.zonepool.info"));
    }

    @Override
    public OneZone zoneInfo(int zoneId) {
        return parse("one.zone.info", OneXmlParser::zone, text("one.zone.info", zoneId));
    }

    @Override
    public RaftStatus raftStatus() {
        return parse("one.zone.raftstatus", OneXmlParser::raftStatus, text("one.zone.raftstatus"));
    }

    @Override
    public void zoneEnable(int zoneId, boolean enable) {
        call("one.zone.enable", zoneId, enable);
    }

    @Override
    public String systemVersion() {
        return text("one.system.version").trim();
    }

    @Override
    public List<OneHost> hostPool() {
        return parse("one.hostpool.info", OneXmlParser::hostPool, text("one.hostpool.info"));
    }

    @Override
    public void hostStatus(int hostId, OneHost.Status status) {
        // one.host.status takes 0 enabled, 1 disabled, 2 offline: the enum's order
        call("one.host.status", hostId, status.ordinal());
    }

    /** All VMs of every user ({@code -2}), whole range ({@code -1, -1}), any state but DONE ({@code -1}). */
    @Override
    public List<OneVm> vmPool() {
        return parse("one.vmpool.info", OneXmlParser::vmPool, text("one.vmpool.info", -2, -1, -1, -1));
    }

    private String text(String method, Object... args) {
        Object value = call(method, args);
        if (!(value instanceof String s)) {
            throw new OneUnreachableException(endpoint, method, "answer value is "
                    + (value == null ? "empty" : value.getClass().getSimpleName()) + " where a string was expected");
        }
        return s;
    }

    private <T> T parse(String method, java.util.function.Function<String, T> parser, String xml) {
        try {
            return parser.apply(xml);
        } catch (OneXmlParser.InvalidOneXmlException e) {
            throw new OneUnreachableException(endpoint, method, "invalid answer: " + e.getMessage());
        }
    }

    /** One call: the value of OpenNebula's {@code [true, value, 0]}, or the failure as an exception. */
    Object call(String method, Object... args) {
        char[] secret = session.get();
        String sessionString = new String(secret);
        Arrays.fill(secret, '\0');
        Scrubber scrub = new Scrubber(sessionString);
        Object[] params = new Object[args.length + 1];
        params[0] = sessionString;
        System.arraycopy(args, 0, params, 1, args.length);
        Object result;
        long start = System.nanoTime();
        try {
            result = rpc.execute(new HardenedXmlRpc.CallConfig(url, limits, tls), method, params);
        } catch (XmlRpcException e) {
            RuntimeException failure = translate(method, e, scrub);
            log.debug("{} failed after {} ms: {}", method, (System.nanoTime() - start) / 1_000_000, failure.getMessage());
            throw failure;
        } finally {
            params[0] = null;
        }
        // method and endpoint only: the parameters start with the session
        log.debug("{} on {} answered in {} ms", method, endpoint, (System.nanoTime() - start) / 1_000_000);
        if (!(result instanceof Object[] array) || array.length < 2 || !(array[0] instanceof Boolean success)) {
            throw new OneUnreachableException(endpoint, method,
                    "answer is not OpenNebula's [success, value, code] array");
        }
        if (success) {
            return array[1];
        }
        String message = scrub.apply(String.valueOf(array[1]));
        int code = array.length > 2 && array[2] instanceof Integer i ? i : ErrorCode.UNKNOWN.code();
        ErrorCode errorCode = ErrorCode.of(code);
        if (errorCode == ErrorCode.UNKNOWN || errorCode == ErrorCode.SUCCESS) {
            errorCode = ErrorCode.UNKNOWN;
            message = message + " (error code " + code + ")";
        }
        throw new OneException(endpoint, method, errorCode, message);
    }

    private RuntimeException translate(String method, XmlRpcException e, Scrubber scrub) {
        Throwable transportCause = transportCause(e);
        if (e instanceof XmlRpcHttpTransportException http) {
            return new OneUnreachableException(endpoint, method,
                    "HTTP " + http.getStatusCode() + " " + scrub.apply(String.valueOf(http.getStatusMessage())));
        }
        if (transportCause != null || e instanceof XmlRpcClientException) {
            return new OneUnreachableException(endpoint, method, scrub.apply(reason(transportCause, e)));
        }
        // what is left is a fault the server sent: unknown method, wrong parameter types
        return new OneException(endpoint, method, ErrorCode.FAULT,
                "XML-RPC fault " + e.code + ": " + scrub.apply(String.valueOf(e.getMessage())));
    }

    /** The I/O or XML cause of a failed call, if any (a fault has none). */
    private static Throwable transportCause(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof IOException || t instanceof SAXException) {
                return t;
            }
        }
        return null;
    }

    private String reason(Throwable cause, XmlRpcException e) {
        Throwable deepest = cause;
        for (Throwable t = cause; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof IOException) {
                deepest = t;
            }
        }
        if (deepest instanceof HardenedXmlRpc.ResponseTooLargeException) {
            return deepest.getMessage() + "; the cap is onefed.xmlrpc.max-response-size";
        }
        if (deepest instanceof HardenedXmlRpc.CallDeadlineException) {
            return deepest.getMessage() + "; the limit is onefed.xmlrpc.max-call-duration";
        }
        String tlsReason = tlsReason(cause);
        if (tlsReason != null) {
            return tlsReason;
        }
        if (deepest instanceof SocketTimeoutException) {
            return "no answer within the read timeout of " + limits.readTimeout()
                    + " (federation.xmlrpc.read-timeout) or the connect timeout of " + limits.connectTimeout();
        }
        if (deepest instanceof ConnectException) {
            return "connection refused or not possible: " + deepest.getMessage();
        }
        if (deepest instanceof UnknownHostException) {
            return "unknown host " + deepest.getMessage();
        }
        if (deepest instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (deepest instanceof SAXException || cause instanceof SAXException) {
            return "answer is not valid XML-RPC: " + (cause != null ? cause.getMessage() : e.getMessage());
        }
        if (deepest != null) {
            return deepest.getClass().getSimpleName() + ": " + deepest.getMessage();
        }
        return String.valueOf(e.getMessage());
    }

    /**
     * Why the TLS handshake failed, with the setting to fix, or null when it was not TLS. The JDK's messages
     * ("PKIX path building failed", "No subject alternative names matching ...") say what but not where to act.
     */
    private String tlsReason(Throwable cause) {
        SSLException ssl = null;
        boolean untrusted = false;
        String nameMismatch = null;
        for (Throwable t = cause; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SSLException s && ssl == null) {
                ssl = s;
            }
            if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
                untrusted = true;
            }
            if (t instanceof CertificateException && t.getMessage() != null
                    && (t.getMessage().startsWith("No subject alternative") || t.getMessage().startsWith("No name matching"))) {
                nameMismatch = t.getMessage();
            }
        }
        if (ssl == null) {
            return null;
        }
        String host = url.getHost();
        if (nameMismatch != null) {
            return "TLS: the certificate of " + host + " is not issued for that name (" + nameMismatch
                    + "); write the endpoint with the host name the certificate names, or reissue the certificate"
                    + " with '" + host + "' as a subjectAltName (host name verification stays on)";
        }
        if (untrusted) {
            return "TLS: the certificate presented by " + host + " is not trusted by " + tls.trustSource()
                    + "; import the CA that signed it into the trust store and set federation.xmlrpc.trust-store"
                    + " (path, type, password)";
        }
        return "TLS handshake failed (" + ssl.getClass().getSimpleName() + ": " + ssl.getMessage()
                + "); check that the endpoint really speaks https on that port (oned itself speaks plain http:"
                + " https needs a TLS proxy in front of it)";
    }

    /** Cuts the session and the password out of text that came from the server. */
    static final class Scrubber {
        private static final String MASK = "****";
        private final String session;
        private final String password;

        Scrubber(String session) {
            this.session = session;
            int colon = session.indexOf(':');
            this.password = colon >= 0 ? session.substring(colon + 1) : session;
        }

        String apply(String text) {
            if (text == null) {
                return null;
            }
            String out = session.isEmpty() ? text : text.replace(session, MASK);
            return password.isEmpty() ? out : out.replace(password, MASK);
        }
    }
}
