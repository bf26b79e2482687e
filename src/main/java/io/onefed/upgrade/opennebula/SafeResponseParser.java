package io.onefed.upgrade.opennebula;

import java.util.Map;
import org.apache.ws.commons.util.NamespaceContextImpl;
import org.apache.xmlrpc.common.TypeFactory;
import org.apache.xmlrpc.common.XmlRpcStreamConfig;
import org.apache.xmlrpc.parser.RecursiveTypeParserImpl;
import org.xml.sax.Attributes;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * The {@code methodResponse} parser used instead of Apache XML-RPC 3.1.3's {@code XmlRpcResponseParser}, whose
 * {@code addResult} turns a fault's {@code faultCause} (base64) into an object with
 * Java object deserialization whether extensions are on or not (CVE-2019-17570; 3.1.3 is the last
 * release, there is no fixed one). A fault here yields its {@code faultCode} and {@code faultString} only: any other
 * member, {@code faultCause} included, is dropped as the bytes it is and never read as an object. Same element
 * checks as 3.1.3's parser (xmlrpc-common-3.1.3.jar, org/apache/xmlrpc/parser/XmlRpcResponseParser), plus a nesting
 * limit: each level of {@code <array>}/{@code <struct>} is one more delegating parser on the stack, so a capped but
 * deeply nested answer must not end in a StackOverflowError.
 */
final class SafeResponseParser extends RecursiveTypeParserImpl {

    /** OpenNebula answers {@code [bool, string, int, int, i8]}: four levels; a fault struct three. */
    static final int MAX_DEPTH = 32;

    private int level;
    private boolean success;
    private int faultCode;
    private String faultString;

    SafeResponseParser(XmlRpcStreamConfig config, TypeFactory types) {
        super(config, new NamespaceContextImpl(), types);
    }

    boolean isSuccess() {
        return success;
    }

    int faultCode() {
        return faultCode;
    }

    String faultString() {
        return faultString;
    }

    @Override
    protected void addResult(Object result) throws SAXException {
        if (success) {
            setResult(result);
            return;
        }
        if (!(result instanceof Map<?, ?> fault)) {
            throw new SAXParseException("fault value is not a struct", getDocumentLocator());
        }
        if (!(fault.get("faultCode") instanceof Integer code)) {
            throw new SAXParseException("fault without an int faultCode", getDocumentLocator());
        }
        faultCode = code;
        Object text = fault.get("faultString");
        faultString = text instanceof String s ? s : "(fault without faultString)";
        // faultCause and any other member: ignored, never deserialized
    }

    @Override
    public void startDocument() throws SAXException {
        super.startDocument();
        level = 0;
        success = false;
        faultCode = 0;
        faultString = null;
    }

    @Override
    public void startElement(String uri, String localName, String qName, Attributes attrs) throws SAXException {
        if (level >= MAX_DEPTH) {
            throw new SAXParseException("answer nested deeper than " + MAX_DEPTH + " elements", getDocumentLocator());
        }
        switch (level++) {
            case 0 -> expect(uri, localName, "methodResponse");
            case 1 -> {
                if (isPlain(uri, "params", localName)) {
                    success = true;
                } else if (isPlain(uri, "fault", localName)) {
                    success = false;
                } else {
                    throw unexpected("params or fault", localName);
                }
            }
            case 2 -> {
                if (success) {
                    expect(uri, localName, "param");
                } else {
                    expect(uri, localName, "value");
                    startValueTag();
                }
            }
            case 3 -> {
                if (success) {
                    expect(uri, localName, "value");
                    startValueTag();
                } else {
                    super.startElement(uri, localName, qName, attrs);
                }
            }
            default -> super.startElement(uri, localName, qName, attrs);
        }
    }

    @Override
    public void endElement(String uri, String localName, String qName) throws SAXException {
        switch (--level) {
            case 0 -> expect(uri, localName, "methodResponse");
            case 1 -> expect(uri, localName, success ? "params" : "fault");
            case 2 -> {
                if (success) {
                    expect(uri, localName, "param");
                } else {
                    expect(uri, localName, "value");
                    endValueTag();
                }
            }
            case 3 -> {
                if (success) {
                    expect(uri, localName, "value");
                    endValueTag();
                } else {
                    super.endElement(uri, localName, qName);
                }
            }
            default -> super.endElement(uri, localName, qName);
        }
    }

    private static boolean isPlain(String uri, String expected, String localName) {
        return (uri == null || uri.isEmpty()) && expected.equals(localName);
    }

    private void expect(String uri, String localName, String expected) throws SAXParseException {
        if (!isPlain(uri, expected, localName)) {
            throw unexpected(expected, localName);
        }
    }

    private SAXParseException unexpected(String expected, String localName) {
        return new SAXParseException("expected " + expected + " element, got " + localName, getDocumentLocator());
    }
}
