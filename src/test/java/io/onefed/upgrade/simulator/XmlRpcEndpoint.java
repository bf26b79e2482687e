package io.onefed.upgrade.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * oned's XML-RPC API on one simulated front-end: the calls the orchestrator makes, answered from the server's
 * state files in OpenNebula's formats (src/rm/Request.cc: {@code [true, value, 0]} or
 * {@code [false, "[method] message", code, id, <i8>index</i8>]}; unknown methods are xmlrpc-c's fault -506
 * "Method 'x' not defined" (xmlrpc_registry.c), bad parameter types fault -501).
 */
final class XmlRpcEndpoint implements HttpHandler {

    static final int AUTHENTICATION = 0x0100;
    static final int NO_EXISTS = 0x0400;
    static final int ACTION = 0x0800;
    static final int INTERNAL = 0x2000;

    /** Calls a disabled zone still serves (Request::execute, zone_disabled flag). */
    private static final Set<String> ALLOWED_WHEN_DISABLED = Set.of("one.zonepool.info", "one.zone.info",
            "one.zone.raftstatus", "one.zone.enable", "one.system.version", "one.system.config",
            "one.hostpool.info", "one.vmpool.info");

    private final SimulatedFederation federation;
    private final SimServer server;

    XmlRpcEndpoint(SimulatedFederation federation, SimServer server) {
        this.federation = federation;
        this.server = server;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (server.apiDrops.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                // connection cut before any answer: the client reads no status line
                exchange.close();
                return;
            }
            if (!delay()) {
                return;
            }
            String response = answer(body);
            byte[] bytes = response.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/xml; charset=utf-8");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Applies the latency and hang faults; false when the simulation closed meanwhile. */
    private boolean delay() {
        try {
            if (server.apiLatencyMs > 0) {
                Thread.sleep(server.apiLatencyMs);
            }
            while (server.apiHang && !federation.isClosed()) {
                Thread.sleep(20);
            }
            return !federation.isClosed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    String answer(byte[] body) {
        Call call;
        try {
            call = Call.parse(body);
        } catch (RuntimeException e) {
            return fault(-503, "Call XML not a proper XML-RPC call.  " + e.getMessage());
        }
        String m = call.method();
        if (!KNOWN.contains(m)) {
            return fault(-506, "Method '" + m + "' not defined");
        }
        if (call.params().isEmpty() || !(call.params().get(0) instanceof String session)) {
            return fault(-501, "Type mismatch: parameter 0 (session) is not a string");
        }
        if (!federation.sessionValid(session) || server.rejectCredentials) {
            return failure(m, "User couldn't be authenticated, aborting call.", AUTHENTICATION, -1);
        }
        SimZone zone = server.zone();
        if (zone.disabled() && !ALLOWED_WHEN_DISABLED.contains(m)) {
            return failure(m, "Cannot process request, zone disabled", INTERNAL, -1);
        }
        try {
            return switch (m) {
                case "one.system.version" -> success(string(SimFiles.read(server.state().resolve("running_version"), "")));
                case "one.zonepool.info" -> success(string(zonePool()));
                case "one.zone.info" -> {
                    int id = intParam(call, 1);
                    SimZone z = federation.zoneOrNull(id);
                    yield z == null ? failure(m, "Error getting zone [" + id + "].", NO_EXISTS, id)
                            : success(string(zoneXml(z)));
                }
                case "one.zone.raftstatus" -> success(string(raftXml()));
                case "one.zone.enable" -> zoneEnable(m, intParam(call, 1), boolParam(call, 2));
                case "one.hostpool.info" -> success(string(hostPool()));
                case "one.host.status" -> hostStatus(m, intParam(call, 1), intParam(call, 2));
                case "one.vmpool.info" -> success(string(vmPool()));
                default -> fault(-506, "Method '" + m + "' not defined");
            };
        } catch (ParamException e) {
            return fault(-501, e.getMessage());
        }
    }

    private static final Set<String> KNOWN = Set.of("one.system.version", "one.zonepool.info", "one.zone.info",
            "one.zone.raftstatus", "one.zone.enable", "one.hostpool.info", "one.host.status", "one.vmpool.info");

    // --- calls -------------------------------------------------------------------------------------------------

    private String zoneEnable(String m, int id, boolean enable) {
        SimZone own = server.zone();
        if (id != own.id()) {
            return failure(m, "Zone " + id + " is not the local zone (" + own.id()
                    + "): enable or disable a zone through its own endpoint", ACTION, id);
        }
        if (!own.spec().master()) {
            // a slave forwards the change to the federation master (master_update_zone)
            SimZone master = federation.masterZone();
            if (!master.leader().apiOpen()) {
                return failure(m, "Cannot update zone at federation master: Unable to transport XML to server and get"
                        + " XML response back.  libcurl failed to execute the HTTP POST transaction, explaining:"
                        + "  Failed to connect to master: Connection refused", ACTION, id);
            }
            if (master.disabled()) {
                return failure(m, "Cannot update zone at federation master: [one.zone.updatedb] Cannot process"
                        + " request, zone disabled", ACTION, id);
            }
        }
        federation.setZoneState(own, enable ? 0 : 1);
        return success("<i4>" + id + "</i4>");
    }

    private String hostStatus(String m, int id, int status) {
        Path file = server.state().resolve("db/hosts/" + id);
        if (!Files.exists(file) || status < 0 || status > 2) {
            if (!Files.exists(file)) {
                return failure(m, "Error getting host [" + id + "].", NO_EXISTS, id);
            }
            return failure(m, "Wrong status value " + status, ACTION, id);
        }
        // 0 enable -> MONITORED (2), 1 disable -> DISABLED (4), 2 offline -> OFFLINE (8)
        int state = switch (status) {
            case 0 -> 2;
            case 1 -> 4;
            default -> 8;
        };
        federation.setHostState(server.zone(), id, state);
        return success("<i4>" + id + "</i4>");
    }

    // --- XML bodies (OpenNebula's to_xml) --------------------------------------------------------------------

    private String zonePool() {
        StringBuilder b = new StringBuilder("<ZONE_POOL>");
        for (SimZone z : federation.zonesInternal()) {
            b.append(zoneXml(z));
        }
        return b.append("</ZONE_POOL>").toString();
    }

    static String zoneXml(SimZone z) {
        StringBuilder b = new StringBuilder("<ZONE><ID>").append(z.id()).append("</ID><NAME>").append(esc(z.name()))
                .append("</NAME><STATE>").append(z.disabled() ? 1 : 0).append("</STATE><TEMPLATE><ENDPOINT>")
                .append(cdata(z.endpoint())).append("</ENDPOINT></TEMPLATE>");
        if (z.spec().ha()) {
            b.append("<SERVER_POOL>");
            for (SimServer s : z.servers) {
                b.append("<SERVER><ENDPOINT>").append(cdata(s.endpoint())).append("</ENDPOINT><ID>")
                        .append(cdata(Integer.toString(s.serverId()))).append("</ID><NAME>").append(cdata(s.name()))
                        .append("</NAME></SERVER>");
            }
            b.append("</SERVER_POOL>");
        } else {
            b.append("<SERVER_POOL/>");
        }
        return b.append("</ZONE>").toString();
    }

    /**
     * RaftManager::to_xml (OpenNebula/one src/raft/RaftManager.cc, one-7.0): SERVER_ID is the one oned read from
     * its oned.conf at start (systemctl records it), -1 meaning solo (STATE 0, LOG_INDEX -1). The simulated
     * leader is the zone's first server; a follower replicates the leader's log (LOG_INDEX equal to the leader's)
     * unless {@link Faults#raftLag} holds it behind.
     */
    private String raftXml() {
        boolean ha = server.zone().spec().ha();
        long fedIndex = federation.fedIndexOf(server.zone());
        int serverId = ha ? Integer.parseInt(SimFiles.read(server.state().resolve("server_id"),
                Integer.toString(server.serverId())).trim()) : -1;
        boolean solo = serverId < 0;
        SimServer leader = server.zone().leader();
        long leaderIndex = Long.parseLong(SimFiles.read(leader.state().resolve("db/log_index"), "0").trim());
        long lag = server == leader ? 0 : Long.parseLong(SimFiles.read(server.state().resolve("faults/raft_lag"), "0").trim());
        long logIndex = Math.max(0, leaderIndex - lag);
        int state = solo ? 0 : server == leader ? 3 : 2;
        StringBuilder b = new StringBuilder("<RAFT><SERVER_ID>").append(serverId)
                .append("</SERVER_ID><STATE>").append(state)
                .append("</STATE><TERM>").append(solo ? 0 : 1).append("</TERM><VOTEDFOR>").append(solo ? -1 : 0)
                .append("</VOTEDFOR><COMMIT>").append(solo ? 0 : logIndex).append("</COMMIT>");
        if (!solo) {
            b.append("<LOG_INDEX>").append(logIndex).append("</LOG_INDEX><LOG_TERM>1</LOG_TERM>");
        } else {
            b.append("<LOG_INDEX>-1</LOG_INDEX><LOG_TERM>-1</LOG_TERM>");
        }
        return b.append("<FEDLOG_INDEX>").append(Long.toUnsignedString(fedIndex)).append("</FEDLOG_INDEX></RAFT>")
                .toString();
    }

    private String hostPool() {
        StringBuilder b = new StringBuilder("<HOST_POOL>");
        for (String[] h : records("hosts")) {
            // line: name state cluster_id cluster
            int id = Integer.parseInt(h[0]);
            b.append("<HOST><ID>").append(id).append("</ID><NAME>").append(esc(h[1])).append("</NAME><STATE>")
                    .append(h[2]).append("</STATE><PREV_STATE>").append(h[2]).append("</PREV_STATE><IM_MAD>")
                    .append(cdata("kvm")).append("</IM_MAD><VM_MAD>").append(cdata("kvm"))
                    .append("</VM_MAD><CLUSTER_ID>").append(h[3]).append("</CLUSTER_ID><CLUSTER>").append(esc(h[4]))
                    .append("</CLUSTER><VMS>");
            for (String[] vm : records("vms")) {
                if (vm[4].equals(h[0])) {
                    b.append("<ID>").append(vm[0]).append("</ID>");
                }
            }
            b.append("</VMS><TEMPLATE><HYPERVISOR>").append(cdata("kvm")).append("</HYPERVISOR></TEMPLATE></HOST>");
        }
        return b.append("</HOST_POOL>").toString();
    }

    private String vmPool() {
        StringBuilder b = new StringBuilder("<VM_POOL>");
        for (String[] vm : records("vms")) {
            // line: name state lcm_state host_id
            if ("6".equals(vm[2])) {
                continue; // DONE VMs are not listed by default
            }
            b.append("<VM><ID>").append(vm[0]).append("</ID><UID>0</UID><GID>0</GID><UNAME>oneadmin</UNAME>")
                    .append("<GNAME>oneadmin</GNAME><NAME>").append(esc(vm[1])).append("</NAME><LAST_POLL>0</LAST_POLL>")
                    .append("<STATE>").append(vm[2]).append("</STATE><LCM_STATE>").append(vm[3])
                    .append("</LCM_STATE><PREV_STATE>").append(vm[2]).append("</PREV_STATE><PREV_LCM_STATE>")
                    .append(vm[3]).append("</PREV_LCM_STATE><RESCHED>0</RESCHED><STIME>0</STIME><ETIME>0</ETIME>")
                    .append("<DEPLOY_ID>").append(cdata("one-" + vm[0])).append("</DEPLOY_ID><TEMPLATE/>")
                    .append("<USER_TEMPLATE/><HISTORY_RECORDS/></VM>");
        }
        return b.append("</VM_POOL>").toString();
    }

    /** {id, fields...} of every file in db/&lt;kind&gt;, by id. */
    private List<String[]> records(String kind) {
        Path d = server.state().resolve("db").resolve(kind);
        List<String[]> out = new ArrayList<>();
        if (!Files.isDirectory(d)) {
            return out;
        }
        try (Stream<Path> files = Files.list(d)) {
            files.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .sorted((a, c) -> Integer.compare(Integer.parseInt(a.getFileName().toString()),
                            Integer.parseInt(c.getFileName().toString())))
                    .forEach(p -> {
                        String[] f = SimFiles.read(p, "").split("\\s+");
                        String[] row = new String[f.length + 1];
                        row[0] = p.getFileName().toString();
                        System.arraycopy(f, 0, row, 1, f.length);
                        out.add(row);
                    });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    // --- XML-RPC encoding -------------------------------------------------------------------------------------

    static String success(String valueXml) {
        return response("<value><boolean>1</boolean></value><value>" + valueXml + "</value><value><i4>0</i4></value>");
    }

    /** Request::failure_response: [false, "[method] msg", code, resp_id, replication index as i8]; the index defaults
     * to UINT64_MAX (RequestAttributes), which xmlrpc-c writes as the signed i8 -1. */
    static String failure(String method, String message, int code, int id) {
        return response("<value><boolean>0</boolean></value><value>" + string("[" + method + "] " + message)
                + "</value><value><i4>" + code + "</i4></value><value><i4>" + id
                + "</i4></value><value><i8>-1</i8></value>");
    }

    private static String response(String arrayValues) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<methodResponse>\r\n<params>\r\n<param><value><array><data>\r\n"
                + arrayValues + "\r\n</data></array></value></param>\r\n</params>\r\n</methodResponse>\r\n";
    }

    static String fault(int code, String message) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<methodResponse>\r\n<fault>\r\n<value><struct>\r\n"
                + "<member><name>faultCode</name>\r\n<value><i4>" + code + "</i4></value></member>\r\n"
                + "<member><name>faultString</name>\r\n<value><string>" + esc(message) + "</string></value></member>\r\n"
                + "</struct></value>\r\n</fault>\r\n</methodResponse>\r\n";
    }

    static String string(String s) {
        return "<string>" + esc(s) + "</string>";
    }

    static String cdata(String s) {
        return "<![CDATA[" + s.replace("]]>", "]]]]><![CDATA[>") + "]]>";
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static int intParam(Call c, int i) {
        Object v = i < c.params().size() ? c.params().get(i) : null;
        if (v instanceof Integer n) {
            return n;
        }
        throw new ParamException("Type mismatch: parameter " + i + " of " + c.method() + " is not an integer");
    }

    private static boolean boolParam(Call c, int i) {
        Object v = i < c.params().size() ? c.params().get(i) : null;
        if (v instanceof Boolean b) {
            return b;
        }
        throw new ParamException("Type mismatch: parameter " + i + " of " + c.method() + " is not a boolean");
    }

    private static final class ParamException extends RuntimeException {
        ParamException(String message) {
            super(message);
        }
    }

    /** A parsed methodCall; DTDs and external entities are refused. */
    record Call(String method, List<Object> params) {

        static Call parse(byte[] body) {
            Document doc;
            try {
                DocumentBuilder builder = secureFactory().newDocumentBuilder();
                builder.setErrorHandler(null);
                doc = builder.parse(new ByteArrayInputStream(body));
            } catch (Exception e) {
                throw new IllegalArgumentException("unparsable XML (" + e.getClass().getSimpleName() + ")");
            }
            Element root = doc.getDocumentElement();
            if (!"methodCall".equals(root.getTagName())) {
                throw new IllegalArgumentException("root element is not methodCall");
            }
            Element name = child(root, "methodName");
            if (name == null) {
                throw new IllegalArgumentException("no methodName");
            }
            List<Object> params = new ArrayList<>();
            Element ps = child(root, "params");
            if (ps != null) {
                for (Node n = ps.getFirstChild(); n != null; n = n.getNextSibling()) {
                    if (n instanceof Element p && p.getTagName().equals("param")) {
                        params.add(value(child(p, "value")));
                    }
                }
            }
            return new Call(name.getTextContent().trim(), params);
        }

        private static Object value(Element v) {
            if (v == null) {
                return null;
            }
            Element typed = null;
            for (Node n = v.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e) {
                    typed = e;
                    break;
                }
            }
            if (typed == null) {
                return v.getTextContent(); // untyped value is a string
            }
            String text = typed.getTextContent();
            return switch (typed.getTagName()) {
                case "string" -> text;
                case "int", "i4" -> Integer.parseInt(text.trim());
                case "i8", "ex:i8" -> Long.parseLong(text.trim());
                case "boolean" -> "1".equals(text.trim());
                case "double" -> Double.parseDouble(text.trim());
                case "array" -> {
                    List<Object> list = new ArrayList<>();
                    Element data = child(typed, "data");
                    if (data != null) {
                        for (Node n = data.getFirstChild(); n != null; n = n.getNextSibling()) {
                            if (n instanceof Element e && e.getTagName().equals("value")) {
                                list.add(value(e));
                            }
                        }
                    }
                    yield list;
                }
                default -> text;
            };
        }

        private static Element child(Element parent, String tag) {
            for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && e.getTagName().equals(tag)) {
                    return e;
                }
            }
            return null;
        }

        static DocumentBuilderFactory secureFactory() throws ParserConfigurationException {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            f.setNamespaceAware(false);
            return f;
        }
    }
}
