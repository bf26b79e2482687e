package io.onefed.upgrade.opennebula;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Reads the XML documents OpenNebula returns inside its XML-RPC answers (zone pool, zone, raft status, host pool,
 * VM pool). The shapes follow {@code share/doc/xsd/} and the {@code to_xml} methods of OpenNebula's core.
 * A DOCTYPE is refused outright, so neither entity expansion nor external entities can happen: OpenNebula never
 * sends one, and a server that does is not to be trusted.
 */
public final class OneXmlParser {

    /** The answer is not the XML OpenNebula sends; the message names the element or value at fault. */
    public static class InvalidOneXmlException extends RuntimeException {
        public InvalidOneXmlException(String message) {
            super(message);
        }
    }

    private OneXmlParser() {
    }

    private static DocumentBuilderFactory newFactory() {
        try {
            // the JDK's own parser (no classpath search per parse, as newInstance() does; see HardenedXmlRpc)
            DocumentBuilderFactory f = DocumentBuilderFactory.newDefaultInstance();
            f.setNamespaceAware(false);
            f.setValidating(false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            f.setCoalescing(true); // CDATA sections come back as plain text
            return f;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("XML parser lacks the features needed to refuse DTDs", e);
        }
    }

    public static List<OneZone> zonePool(String xml) {
        Element root = root(xml, "ZONE_POOL");
        List<OneZone> zones = new ArrayList<>();
        for (Element zone : children(root, "ZONE")) {
            zones.add(zone(zone));
        }
        return List.copyOf(zones);
    }

    public static OneZone zone(String xml) {
        return zone(root(xml, "ZONE"));
    }

    public static RaftStatus raftStatus(String xml) {
        Element raft = root(xml, "RAFT");
        int state = intValue(raft, "STATE");
        RaftStatus.State[] states = RaftStatus.State.values();
        if (state < 0 || state >= states.length) {
            throw new InvalidOneXmlException("RAFT/STATE " + state + " is not one of 0 solo, 1 candidate, 2 follower, 3 leader");
        }
        return new RaftStatus(intValue(raft, "SERVER_ID"), states[state], uint64(raft, "TERM"),
                intValue(raft, "VOTEDFOR"), uint64(raft, "COMMIT"), uint64(raft, "LOG_INDEX"),
                uint64(raft, "LOG_TERM"), new FedIndex(uint64(raft, "FEDLOG_INDEX")));
    }

    public static List<OneHost> hostPool(String xml) {
        Element root = root(xml, "HOST_POOL");
        List<OneHost> hosts = new ArrayList<>();
        for (Element host : children(root, "HOST")) {
            int id = intValue(host, "ID");
            hosts.add(new OneHost(id, name(host, "HOST " + id, "name the host in OpenNebula ('onehost list'; a host"
                    + " keeps the name it was created with, so delete and re-create a nameless one)"), intValue(host, "STATE"),
                    optionalText(host, "CLUSTER")));
        }
        return List.copyOf(hosts);
    }

    public static List<OneVm> vmPool(String xml) {
        Element root = root(xml, "VM_POOL");
        List<OneVm> vms = new ArrayList<>();
        for (Element vm : children(root, "VM")) {
            vms.add(new OneVm(intValue(vm, "ID"), text(vm, "NAME"), intValue(vm, "STATE"), intValue(vm, "LCM_STATE")));
        }
        return List.copyOf(vms);
    }

    private static OneZone zone(Element zone) {
        // STATE exists since 6.2; older zones are always enabled (Zone::from_xml defaults it to 0)
        String stateText = optionalText(zone, "STATE");
        OneZone.State state;
        if (stateText == null || stateText.equals("0")) {
            state = OneZone.State.ENABLED;
        } else if (stateText.equals("1")) {
            state = OneZone.State.DISABLED;
        } else {
            throw new InvalidOneXmlException("ZONE/STATE '" + stateText + "' is not 0 (enabled) or 1 (disabled)");
        }
        Element template = child(zone, "TEMPLATE");
        String endpoint = template == null ? null : optionalText(template, "ENDPOINT");
        int id = intValue(zone, "ID");
        String name = name(zone, "ZONE " + id, "give the zone a name ('onezone rename " + id + " <name>')");
        List<OneZone.Server> servers = new ArrayList<>();
        Element pool = child(zone, "SERVER_POOL");
        if (pool != null) {
            for (Element server : children(pool, "SERVER")) {
                int serverId = intValue(server, "ID");
                // a nameless HA server would reach run keys, the leader match and the report as null
                servers.add(new OneZone.Server(serverId, name(server, "ZONE " + id + " (" + name + ") SERVER_POOL/SERVER "
                        + serverId, "every HA server needs the name it was added with: 'onezone show " + id
                        + "' lists them; re-add this one with 'onezone server-del " + id + " " + serverId
                        + "' and 'onezone server-add " + id + " --name <name> --rpc <endpoint>'"), text(server, "ENDPOINT")));
            }
        }
        return new OneZone(id, name, state, endpoint, servers);
    }

    /** NAME of an element, refused when missing or blank: names key runs, match servers and label reports. */
    private static String name(Element parent, String what, String fix) {
        String value = optionalText(parent, "NAME");
        if (value == null || value.isEmpty()) {
            throw new InvalidOneXmlException(what + " has " + (value == null ? "no NAME element" : "an empty NAME")
                    + ": " + fix);
        }
        return value;
    }

    private static Element root(String xml, String expected) {
        if (xml == null || xml.isBlank()) {
            throw new InvalidOneXmlException("empty answer where <" + expected + "> was expected");
        }
        Document doc;
        try {
            // a factory per parse: DocumentBuilderFactory is not thread-safe
            DocumentBuilder builder = newFactory().newDocumentBuilder();
            builder.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("external entity " + systemId + " refused");
            });
            builder.setErrorHandler(null);
            doc = builder.parse(new InputSource(new StringReader(xml)));
        } catch (SAXException | IOException e) {
            throw new InvalidOneXmlException("not well-formed XML where <" + expected + "> was expected: " + e.getMessage());
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
        Element root = doc.getDocumentElement();
        if (!expected.equals(root.getTagName())) {
            throw new InvalidOneXmlException("root element <" + root.getTagName() + "> where <" + expected + "> was expected");
        }
        return root;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getTagName())) {
                out.add(e);
            }
        }
        return out;
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    private static String optionalText(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }

    private static String text(Element parent, String name) {
        String value = optionalText(parent, name);
        if (value == null) {
            throw new InvalidOneXmlException(parent.getTagName() + "/" + name + " is missing");
        }
        return value;
    }

    private static int intValue(Element parent, String name) {
        String value = text(parent, name);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new InvalidOneXmlException(parent.getTagName() + "/" + name + " '" + value + "' is not an integer");
        }
    }

    /** Raft indexes are unsigned 64-bit in oned; a solo server writes -1. */
    private static long uint64(Element parent, String name) {
        String value = text(parent, name);
        try {
            return value.startsWith("-") ? Long.parseLong(value) : Long.parseUnsignedLong(value);
        } catch (NumberFormatException e) {
            throw new InvalidOneXmlException(parent.getTagName() + "/" + name + " '" + value + "' is not a 64-bit integer");
        }
    }
}
