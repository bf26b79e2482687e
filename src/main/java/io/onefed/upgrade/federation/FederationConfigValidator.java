package io.onefed.upgrade.federation;

import io.onefed.upgrade.ssh.SshFilesCheck;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Checks a {@link FederationProperties} field by field and returns every problem at once, each with the
 * property path as written in YAML, what is wrong and the fix. Secret references are followed (the environment
 * variable must be set, the file readable, the credentials in {@code user:password} form), but no secret value
 * ever reaches a message: only the names of variables and files. Secrets are read by {@link SecretResolver}, as at
 * the moment of use; the SSH key and known_hosts files are checked by {@link SshFilesCheck}.
 */
public class FederationConfigValidator {

    /** Zone and server names end up in file names, reports and commands: no shell or path characters. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    /** POSIX portable user name, not starting with '-' (it would be read as an ssh option). */
    static final Pattern POSIX_USER = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,31}");
    static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
    static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    static final Pattern SYSTEMD_UNIT = Pattern.compile("[A-Za-z0-9@._:-]{1,255}");
    static final Pattern PATH_SEGMENT = Pattern.compile("[A-Za-z0-9._+@-]+");
    static final Pattern DB_USER = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    static final Pattern DB_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** What an endpoint may contain: enough for host names, IPv4/IPv6 literals, ports and a plain path. */
    static final Pattern ENDPOINT_CHARS = Pattern.compile("[A-Za-z0-9._~:/\\[\\]-]+");
    /** Repository lines are written into a file on the host: no control characters (no second line). */
    static final Pattern REPOSITORY_CHARS = Pattern.compile("[A-Za-z0-9 ._~:/\\[\\]=,{}$@+%-]+");
    static final List<String> BACKENDS = List.of("sqlite", "mysql", "postgresql");
    /** https: plain http to a host other than loopback is refused unless allowed (see plainHttpEndpoints). */
    static final String ENDPOINT_EXAMPLE = "https://192.168.150.1:2633/RPC2";

    private final SecretResolver secrets;

    public FederationConfigValidator() {
        this(System::getenv);
    }

    /** For tests: an explicit environment for {@code env:} secret references. */
    public FederationConfigValidator(Function<String, String> environment) {
        this.secrets = SecretResolver.withEnvironment(Objects.requireNonNull(environment, "environment"));
    }

    /** A federation is configured when it has a name or zones; with neither the service runs without one. */
    public static boolean isConfigured(FederationProperties properties) {
        return properties != null && (!isBlank(properties.name()) || !properties.zones().isEmpty());
    }

    /** Every problem that stops the service from upgrading this federation; empty when it is fine. */
    public List<ConfigProblem> validate(FederationProperties properties) {
        Problems out = new Problems();
        if (properties == null) {
            out.add("federation", "no federation is configured",
                    "describe the federation under 'federation:' in the YAML file named by FEDERATION_CONFIG");
            return out.list;
        }
        checkName(out, properties.name());
        checkSecret(out, "federation.credentials", properties.credentials(), true,
                "the OpenNebula credentials (oneadmin's user:password)", FederationConfigValidator::oneAuthProblem);
        checkSsh(out, properties.ssh());
        checkXmlRpc(out, properties.xmlrpc());
        checkZones(out, properties.zones());
        if (!properties.xmlrpc().plainHttpAllowed()) {
            for (String[] e : plainHttpEndpoints(properties)) {
                out.add(e[0], "'" + e[1] + "' is plain http to a host that is not loopback: oneadmin's password"
                                + " would cross the network in clear text with every call",
                        "use https:// (oned speaks plain http: put a TLS proxy in front of it, and trust its CA with"
                                + " federation.xmlrpc.trust-store), or, if this network path is protected otherwise"
                                + " (a dedicated management network, an IPsec/WireGuard tunnel), set"
                                + " federation.xmlrpc.allow-plain-http: true");
            }
        }
        return out.list;
    }

    /** Things that work but deserve the operator's attention; logged at start-up, never fatal. */
    public List<ConfigProblem> warnings(FederationProperties properties) {
        Problems out = new Problems();
        if (properties == null) {
            return out.list;
        }
        if (properties.xmlrpc().plainHttpAllowed()) {
            List<String[]> plain = plainHttpEndpoints(properties);
            if (!plain.isEmpty()) {
                out.add("federation.xmlrpc.allow-plain-http", "oneadmin's password goes in clear text over the network"
                                + " to " + plain.size() + " plain http endpoint(s), e.g. " + plain.get(0)[1],
                        "switch the endpoints to https:// behind a TLS proxy and set allow-plain-http: false");
            }
        }
        out.list.addAll(SshFilesCheck.warnings(properties.ssh()));
        List<ZoneProperties> zones = properties.zones();
        for (int i = 0; i < zones.size(); i++) {
            ZoneProperties zone = zones.get(i);
            if (zone == null) {
                continue;
            }
            String f = "federation.zones[" + i + "]";
            if (zone.ha() && zone.servers().size() >= 2 && zone.servers().size() % 2 == 0) {
                out.add(f + ".servers", "HA zone '" + zone.name() + "' has " + zone.servers().size()
                        + " servers: Raft needs a majority, so an even number tolerates no more failures than one less",
                        "use an odd number of front-ends (3 or 5)");
            }
            URI endpoint = parseUri(zone.endpoint());
            if (endpoint != null && endpoint.getPort() == -1) {
                out.add(f + ".endpoint", "has no port, so " + endpoint.getScheme() + "'s default port is used"
                        + " (oned listens on 2633)", "write the port explicitly, e.g. " + ENDPOINT_EXAMPLE);
            }
            if (!isBlank(zone.repository()) && !zone.repository().contains("{version}")) {
                out.add(f + ".repository", "does not contain {version}, so every upgrade uses the same repository",
                        "put {version} where the OpenNebula series (e.g. 7.0) belongs");
            }
        }
        return out.list;
    }

    // ---------------------------------------------------------------- federation

    private static void checkName(Problems out, String name) {
        if (isBlank(name)) {
            out.add("federation.name", "the federation has no name",
                    "set federation.name, e.g. 'production' (it is shown in reports)");
        } else if (name.length() > 128 || name.chars().anyMatch(Character::isISOControl)) {
            out.add("federation.name", "must be one line of at most 128 characters",
                    "use a short name without control characters or line breaks");
        }
    }

    private void checkSsh(Problems out, SshProperties ssh) {
        out.list.addAll(SshFilesCheck.federationFiles(ssh));
        checkSecret(out, "federation.ssh.passphrase", ssh.passphrase(), false, "the key's passphrase", null);
        checkPositive(out, "federation.ssh.connect-timeout", ssh.connectTimeout(), "10s");
        checkPositive(out, "federation.ssh.command-timeout", ssh.commandTimeout(), "2m");
    }

    private void checkXmlRpc(Problems out, XmlRpcProperties xmlrpc) {
        checkPositive(out, "federation.xmlrpc.connect-timeout", xmlrpc.connectTimeout(), "5s");
        checkPositive(out, "federation.xmlrpc.read-timeout", xmlrpc.readTimeout(), "30s");
        TrustStoreProperties store = xmlrpc.trustStore();
        if (store == null) {
            return;
        }
        String field = io.onefed.upgrade.tls.TrustStores.FIELD;
        int before = out.list.size();
        checkSecret(out, field + ".password", store.password(), false, "the trust store's password", null);
        if (out.list.size() > before) {
            return;
        }
        try {
            // opened as the client will open it: a wrong password or type is found now, not at the first call
            io.onefed.upgrade.tls.TrustStores.load(store, secrets);
        } catch (SettingException e) { // the store itself, or its password
            out.add(e.field(), e.problem(), e.fix());
        }
    }

    /**
     * The zone and server endpoints that are plain http to a host other than loopback, as {field, endpoint}.
     * Why refused by default rather than only warned: every XML-RPC call carries oneadmin's {@code user:password}
     * as its first parameter, so anyone on the path reads the federation's admin password. Why not refused
     * outright: oned itself only speaks plain http (port 2633), and some sites protect that path by other means
     * (a management VLAN, a tunnel); {@code federation.xmlrpc.allow-plain-http: true} is their explicit opt-in,
     * and it is still warned at every start.
     */
    private static List<String[]> plainHttpEndpoints(FederationProperties properties) {
        List<String[]> found = new ArrayList<>();
        List<ZoneProperties> zones = properties.zones();
        for (int i = 0; i < zones.size(); i++) {
            ZoneProperties zone = zones.get(i);
            if (zone == null) {
                continue;
            }
            String f = "federation.zones[" + i + "]";
            if (isPlainHttpToNetwork(zone.endpoint())) {
                found.add(new String[] {f + ".endpoint", zone.endpoint()});
            }
            for (int j = 0; j < zone.servers().size(); j++) {
                ServerProperties server = zone.servers().get(j);
                if (server == null) {
                    continue;
                }
                if (server.endpoint() == null && !zone.ha()) {
                    // a solo zone's SERVER_POOL is empty: its server is never called at an endpoint of its own
                    continue;
                }
                String endpoint = server.xmlRpcEndpoint(zone.endpoint());
                // an HA server without an endpoint of its own is called at the zone's endpoint with its host
                if (isPlainHttpToNetwork(endpoint) && !ConfiguredEndpoints.same(endpoint, zone.endpoint())) {
                    found.add(new String[] {f + ".servers[" + j + "]" + (server.endpoint() != null ? ".endpoint" : ".host"),
                            endpoint});
                }
            }
        }
        return found;
    }

    /** A valid http:// endpoint whose host is not loopback (127.0.0.0/8, ::1, localhost); names are not resolved. */
    static boolean isPlainHttpToNetwork(String endpoint) {
        if (endpoint == null || !isValidEndpoint(endpoint)) {
            return false;
        }
        URI uri = parseUri(endpoint);
        if (!uri.getScheme().equalsIgnoreCase("http")) {
            return false;
        }
        String host = stripBrackets(uri.getHost());
        if (host.equalsIgnoreCase("localhost")) {
            return false;
        }
        if (host.matches("[0-9.]+") || host.contains(":")) {
            try {
                // a literal: no DNS look-up
                return !InetAddress.getByName(host).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return true;
            }
        }
        // a DNS name other than localhost: what it resolves to may change, so it counts as the network
        return true;
    }

    private static void checkPositive(Problems out, String field, Duration value, String example) {
        if (value != null && (value.isZero() || value.isNegative())) {
            out.add(field, "must be a positive duration, got " + value, "set a positive duration, e.g. " + example);
        }
    }

    // ---------------------------------------------------------------- zones

    private void checkZones(Problems out, List<ZoneProperties> zones) {
        if (zones.isEmpty()) {
            out.add("federation.zones", "the federation has no zones",
                    "list every zone under federation.zones, one with role: master and the others role: slave");
            return;
        }
        Map<Integer, Integer> ids = new HashMap<>();
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> endpoints = new HashMap<>();
        Map<String, String> serverOwners = new HashMap<>();
        int firstMaster = -1;
        for (int i = 0; i < zones.size(); i++) {
            String f = "federation.zones[" + i + "]";
            ZoneProperties zone = zones.get(i);
            if (zone == null) {
                out.add(f, "the zone entry is empty", "give the zone its id, name, role, endpoint and servers, or remove the entry");
                continue;
            }
            checkZone(out, f, zone);
            if (zone.id() != null) {
                Integer other = ids.putIfAbsent(zone.id(), i);
                if (other != null) {
                    out.add(f + ".id", "zone id " + zone.id() + " is also used by federation.zones[" + other + "]",
                            "give each zone the id OpenNebula shows for it in 'onezone list'");
                }
            }
            if (!isBlank(zone.name())) {
                Integer other = names.putIfAbsent(zone.name(), i);
                if (other != null) {
                    out.add(f + ".name", "zone name '" + zone.name() + "' is also used by federation.zones[" + other + "]",
                            "give each zone the name OpenNebula shows for it in 'onezone list'");
                }
            }
            URI endpoint = parseUri(zone.endpoint());
            if (endpoint != null && isValidEndpoint(zone.endpoint())) {
                String key = endpoint.getScheme().toLowerCase(Locale.ROOT) + "://" + endpoint.getHost().toLowerCase(Locale.ROOT)
                        + ":" + endpoint.getPort() + endpoint.getPath();
                Integer other = endpoints.putIfAbsent(key, i);
                if (other != null) {
                    out.add(f + ".endpoint", "the endpoint " + zone.endpoint() + " is also used by federation.zones["
                            + other + "]: each zone has its own oned", "set the zone's own XML-RPC endpoint");
                }
            }
            for (int j = 0; j < zone.servers().size(); j++) {
                ServerProperties server = zone.servers().get(j);
                if (server == null || isBlank(server.host()) || server.port() == null) {
                    continue;
                }
                String key = server.host().toLowerCase(Locale.ROOT) + ":" + server.port();
                String owner = serverOwners.putIfAbsent(key, "federation.zones[" + i + "]");
                if (owner != null) {
                    boolean sameZone = owner.equals("federation.zones[" + i + "]");
                    out.add(f + ".servers[" + j + "]", "the server " + server.host() + ":" + server.port()
                                    + (sameZone ? " is listed twice in this zone" : " is already a server of " + owner),
                            sameZone ? "list each front-end once" : "a front-end belongs to one zone: remove it from one of them");
                }
            }
            if (zone.role() != null && zone.isMaster()) {
                if (firstMaster < 0) {
                    firstMaster = i;
                } else {
                    out.add(f + ".role", "zone '" + zone.name() + "' is a second master (federation.zones[" + firstMaster
                                    + "] '" + zones.get(firstMaster).name() + "' is already master)",
                            "a federation has exactly one master: set role: slave on all zones but one");
                }
            }
        }
        if (firstMaster < 0) {
            out.add("federation.zones", "no zone has role: master",
                    "set role: master on the zone that runs the federation master (usually zone 0) and role: slave on the others");
        }
    }

    private void checkZone(Problems out, String f, ZoneProperties zone) {
        if (zone.id() == null) {
            out.add(f + ".id", "the zone has no id", "set id to the zone's ID as 'onezone list' shows it (e.g. 0 or 100)");
        } else if (zone.id() < 0) {
            out.add(f + ".id", "zone id " + zone.id() + " is negative", "set id to the zone's ID as 'onezone list' shows it (0 or more)");
        }
        checkSafeName(out, f + ".name", zone.name(), "zone name", true,
                "use the zone name from 'onezone list' (letters, digits, '.', '_', '-'), e.g. S-EU-GE");
        if (isBlank(zone.role())) {
            out.add(f + ".role", "the zone has no role", "set role: master or role: slave");
        } else if (!zone.role().equalsIgnoreCase("master") && !zone.role().equalsIgnoreCase("slave")) {
            out.add(f + ".role", "role '" + printable(zone.role()) + "' is neither master nor slave", "set role: master or role: slave");
        }
        checkEndpoint(out, f + ".endpoint", zone.endpoint());
        if (isBlank(zone.osFamily())) {
            out.add(f + ".os-family", "the zone has no OS family", "set os-family to one of: " + OsFamily.accepted());
        } else if (OsFamily.parse(zone.osFamily()).isEmpty()) {
            out.add(f + ".os-family", "unknown OS family '" + printable(zone.osFamily()) + "'",
                    "set os-family to one of: " + OsFamily.accepted());
        }
        checkServers(out, f, zone);
        checkDatabase(out, f + ".database", zone.database());
        checkExtraServices(out, f + ".extra-services", zone.extraServices());
        checkRepository(out, f + ".repository", zone.repository(), OsFamily.parse(zone.osFamily()).orElse(null));
        checkPaths(out, f + ".paths", zone.paths());
        if (zone.nodes() != null) {
            checkNodes(out, f + ".nodes", zone.nodes());
        }
    }

    /** The zone's hypervisor hosts (see {@link NodeProperties}). */
    private void checkNodes(Problems out, String f, NodeProperties nodes) {
        if (!POSIX_USER.matcher(nodes.user()).matches()) {
            out.add(f + ".user", "'" + printable(nodes.user()) + "' is not a valid user name",
                    "use a POSIX user name on the hosts, usually root (the package manager and systemctl need it)");
        }
        if (!isBlank(nodes.privateKey())) {
            out.list.addAll(SshFilesCheck.nodeKey(f + ".private-key", Path.of(nodes.privateKey())));
        }
        checkPort(out, f + ".port", nodes.port(), "set port to the hosts' SSH port (1-65535, usually 22)");
        if (nodes.concurrency() < 1 || nodes.concurrency() > 200) {
            out.add(f + ".concurrency", "concurrency " + nodes.concurrency() + " is outside 1-200",
                    "set how many hosts of the zone are upgraded at once, e.g. " + NodeProperties.DEFAULT_CONCURRENCY);
        }
        if (nodes.osFamily() != null && OsFamily.parse(nodes.osFamily()).isEmpty()) {
            out.add(f + ".os-family", "unknown OS family '" + printable(nodes.osFamily()) + "'",
                    "set os-family to one of: " + OsFamily.accepted() + ", or leave it out to use the zone's");
        }
        if (nodes.repositoryFile() != null) {
            String problem = pathProblem(nodes.repositoryFile());
            if (problem != null) {
                out.add(f + ".repository-file", problem, "give the absolute path of the OpenNebula repository file"
                        + " on the hosts, e.g. /etc/apt/sources.list.d/opennebula.list, or leave it out");
            }
        }
        String runDir = pathProblem(nodes.runDir());
        if (runDir != null) {
            out.add(f + ".run-dir", runDir, "give an absolute directory on the hosts, e.g. /var/lib/one-fed-upgrade/runs");
        }
        for (int i = 0; i < nodes.packages().size(); i++) {
            String p = nodes.packages().get(i);
            if (p == null || !p.matches("[a-z0-9][a-z0-9+.-]{1,100}")) {
                out.add(f + ".packages[" + i + "]", "'" + printable(p) + "' is not a package name",
                        "list node package names, e.g. " + NodeProperties.DEFAULT_PACKAGES);
            }
        }
        if (!NodeProperties.VIA_DIRECT.equals(nodes.via()) && !NodeProperties.VIA_FRONT_END.equals(nodes.via())) {
            out.add(f + ".via", "'" + printable(nodes.via()) + "' is neither direct nor front-end",
                    "set via: direct (the orchestrator reaches the hosts) or via: front-end (through the zone's leader)");
        }
        for (Map.Entry<String, String> e : nodes.addresses().entrySet()) {
            String a = e.getValue();
            String[] hp = a == null ? new String[] {""} : nodes.address(e.getKey());
            boolean portOk = hp.length > 1 && hp[1].matches("\\d{1,5}") && Integer.parseInt(hp[1]) >= 1
                    && Integer.parseInt(hp[1]) <= 65535;
            if (!NAME.matcher(e.getKey()).matches() || a == null || !isValidHost(hp[0]) || !portOk) {
                out.add(f + ".addresses[" + printable(e.getKey()) + "]", "'" + printable(a)
                        + "' is not host or host:port for the host OpenNebula names '" + printable(e.getKey()) + "'",
                        "map the host's NAME (onehost list) to its DNS name or IP address, optionally :port");
            }
        }
    }

    private static void checkEndpoint(Problems out, String field, String endpoint) {
        String expected = "set the zone's XML-RPC endpoint as an absolute URL http(s)://host:port/RPC2, e.g. " + ENDPOINT_EXAMPLE;
        if (isBlank(endpoint)) {
            out.add(field, "the zone has no XML-RPC endpoint", expected);
            return;
        }
        if (!ENDPOINT_CHARS.matcher(endpoint).matches()) {
            // not echoed: it may hold credentials (user:password@host)
            out.add(field, "contains characters a plain http(s)://host:port/path URL does not have"
                    + " (spaces, quotes, '@' credentials, '?' query or shell characters)", expected);
            return;
        }
        URI uri = parseUri(endpoint);
        if (uri == null || uri.getScheme() == null) {
            out.add(field, "'" + endpoint + "' is not an absolute URL", expected);
        } else if (!uri.getScheme().equalsIgnoreCase("http") && !uri.getScheme().equalsIgnoreCase("https")) {
            out.add(field, "'" + endpoint + "' uses scheme '" + uri.getScheme() + "'; OpenNebula's XML-RPC API is http or https", expected);
        } else if (uri.getHost() == null || !isValidHost(stripBrackets(uri.getHost()))) {
            out.add(field, "'" + endpoint + "' has no valid host", expected);
        } else if (uri.getPort() == 0 || uri.getPort() > 65535 || (uri.getPort() == -1 && uri.getRawAuthority().endsWith(":"))) {
            out.add(field, "'" + endpoint + "' has an invalid port", expected);
        } else if (uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/")) {
            out.add(field, "'" + endpoint + "' has no path; oned answers on /RPC2", "append /RPC2, e.g. " + ENDPOINT_EXAMPLE);
        } else if (uri.getPath().contains("//") || uri.getPath().contains("/..") || uri.getPath().contains("/./")) {
            out.add(field, "'" + endpoint + "' has a path that is not normalized", expected);
        }
    }

    private static boolean isValidEndpoint(String endpoint) {
        Problems probe = new Problems();
        checkEndpoint(probe, "x", endpoint);
        return probe.list.isEmpty();
    }

    private static void checkServers(Problems out, String f, ZoneProperties zone) {
        List<ServerProperties> servers = zone.servers();
        if (servers.isEmpty()) {
            out.add(f + ".servers", "zone '" + zone.name() + "' lists no front-end server",
                    "list the zone's front-end(s) under servers with host (and port, user if not 22, root)");
            return;
        }
        if (zone.ha() && servers.size() < 2) {
            out.add(f + ".servers", "zone '" + zone.name() + "' is marked ha: true but lists " + servers.size()
                    + " server; an HA (Raft) zone has 3 or more front-ends", "list every front-end of the HA zone, or set ha: false");
        }
        if (!zone.ha() && servers.size() > 1) {
            out.add(f + ".ha", "zone '" + zone.name() + "' lists " + servers.size() + " servers but is not marked HA",
                    "set ha: true if the front-ends form a Raft cluster, otherwise list only the zone's single front-end");
        }
        Set<String> names = new HashSet<>();
        for (int j = 0; j < servers.size(); j++) {
            String s = f + ".servers[" + j + "]";
            ServerProperties server = servers.get(j);
            if (server == null) {
                out.add(s, "the server entry is empty", "give the server its host, or remove the entry");
                continue;
            }
            if (isBlank(server.host())) {
                out.add(s + ".host", "the server has no host", "set host to the front-end's DNS name or IP address");
            } else if (!isValidHost(server.host())) {
                out.add(s + ".host", "'" + printable(server.host()) + "' is not a host name or IP address",
                        "use a DNS name (letters, digits, '-', '.') or an IPv4/IPv6 address, without user, port or spaces");
            }
            checkPort(out, s + ".port", server.port(), "set port to the front-end's SSH port (1-65535, usually 22)");
            if (!POSIX_USER.matcher(server.user()).matches()) {
                out.add(s + ".user", "'" + printable(server.user()) + "' is not a valid user name",
                        "use a POSIX user name (letters, digits, '_', '.', '-', not starting with '-' or a digit, at most 32), e.g. root or oneadmin");
            }
            if (server.endpoint() != null) {
                // the SERVER_POOL endpoint of an HA server: the session goes only to configured endpoints
                checkEndpoint(out, s + ".endpoint", server.endpoint());
            }
            if (isBlank(server.name())) {
                // the name keys the server's runs (exactly once), picks the HA leader and labels plan, report and status
                out.add(s + ".name", "the server at host '" + printable(String.valueOf(server.host())) + "' has no name",
                        "set name to the server's NAME in the zone's SERVER_POOL ('onezone show " + printable(String.valueOf(zone.name()))
                                + "'), or for a single front-end any short name, e.g. name: fe-1");
            } else {
                checkSafeName(out, s + ".name", server.name(), "server name", true,
                        "use the server name from 'onezone show' (letters, digits, '.', '_', '-')");
                if (!names.add(server.name())) {
                    out.add(s + ".name", "server name '" + server.name() + "' is used twice in this zone", "give each server its own name");
                }
            }
        }
    }

    private static void checkPort(Problems out, String field, Integer port, String fix) {
        if (port != null && (port < 1 || port > 65535)) {
            out.add(field, "port " + port + " is outside 1-65535", fix);
        }
    }

    private void checkDatabase(Problems out, String f, DatabaseProperties db) {
        if (db == null) {
            return;
        }
        String backend = db.backend() == null ? null : db.backend().trim().toLowerCase(Locale.ROOT);
        if (backend != null && !backend.isEmpty() && !BACKENDS.contains(backend)) {
            out.add(f + ".backend", "unknown database backend '" + printable(db.backend()) + "'",
                    "set backend to sqlite or mysql (postgresql only for OpenNebula 6.0-6.8), or leave it out to use oned.conf's DB");
            return;
        }
        boolean server = "mysql".equals(backend) || "postgresql".equals(backend);
        if (!server) {
            // SQLite, or onedb reads DB from oned.conf: connection settings would be silently ignored
            List<String> set = new ArrayList<>();
            if (!isBlank(db.host())) set.add("host");
            if (db.port() != null) set.add("port");
            if (!isBlank(db.user())) set.add("user");
            if (!isBlank(db.name())) set.add("name");
            if (db.password() != null && !db.password().isEmpty()) set.add("password");
            if (!set.isEmpty()) {
                out.add(f + "." + set.get(0), (backend == null || backend.isEmpty() ? "no backend is set" : "backend is sqlite")
                                + " but " + String.join(", ", set) + " " + (set.size() == 1 ? "is" : "are") + " set, which only a database server uses",
                        "set backend: mysql if the zone uses MySQL/MariaDB, otherwise remove " + String.join(", ", set));
            }
            return;
        }
        if ("mysql".equals(backend) && isBlank(db.host())) {
            out.add(f + ".host", "backend mysql needs the database host", "set host to the MySQL/MariaDB server (e.g. localhost)");
        } else if (!isBlank(db.host()) && !isValidHost(db.host())) {
            out.add(f + ".host", "'" + printable(db.host()) + "' is not a host name or IP address", "use a DNS name or an IP address");
        }
        checkPort(out, f + ".port", db.port(), "set port to the database port (1-65535, MySQL: 3306)");
        if (!isBlank(db.user()) && !DB_USER.matcher(db.user()).matches()) {
            out.add(f + ".user", "'" + printable(db.user()) + "' is not a valid database user name",
                    "use letters, digits, '_', '.', '-' (at most 32 characters), e.g. oneadmin");
        }
        if (!isBlank(db.name()) && !DB_NAME.matcher(db.name()).matches()) {
            out.add(f + ".name", "'" + printable(db.name()) + "' is not a valid database name",
                    "use letters, digits, '_', '-' (at most 64 characters), e.g. opennebula");
        }
        checkSecret(out, f + ".password", db.password(), "mysql".equals(backend), "the MySQL password", null);
    }

    private static void checkExtraServices(Problems out, String f, List<String> services) {
        Set<String> seen = new HashSet<>();
        for (int k = 0; k < services.size(); k++) {
            String unit = services.get(k);
            String field = f + "[" + k + "]";
            if (isBlank(unit)) {
                out.add(field, "the service name is empty", "give the systemd unit name (e.g. apache2 or nginx) or remove the entry");
            } else if (!SYSTEMD_UNIT.matcher(unit).matches() || unit.startsWith("-")) {
                out.add(field, "'" + printable(unit) + "' is not a systemd unit name",
                        "use the unit name as 'systemctl list-units' shows it (letters, digits, '@', '.', '_', ':', '-'), e.g. apache2 or nginx.service");
            } else if (!seen.add(unit)) {
                out.add(field, "'" + unit + "' is listed twice", "list each service once");
            }
        }
    }

    private static void checkRepository(Problems out, String field, String repository, OsFamily family) {
        if (repository == null || repository.isEmpty()) {
            return;
        }
        String fix = family != null && family.packageManager() == OsFamily.PackageManager.DNF
                ? "give the base URL, e.g. https://downloads.opennebula.io/repo/{version}/AlmaLinux/$releasever/$basearch"
                : "give the APT line, e.g. deb [signed-by=/etc/apt/keyrings/opennebula.gpg] https://downloads.opennebula.io/repo/{version}/Ubuntu/22.04 stable opennebula";
        if (!REPOSITORY_CHARS.matcher(repository).matches()) {
            out.add(field, "contains characters a repository line does not need (line breaks, quotes, ';', '|', '`', ...)", fix);
            return;
        }
        String withoutPlaceholder = repository.replace("{version}", "7.0");
        if (withoutPlaceholder.contains("{") || withoutPlaceholder.contains("}")) {
            out.add(field, "contains a placeholder other than {version}", fix);
            return;
        }
        List<String> urls = new ArrayList<>();
        for (String token : withoutPlaceholder.trim().split(" +")) {
            if (token.toLowerCase(Locale.ROOT).matches("[a-z0-9+.-]+://.*")) {
                urls.add(token);
            }
        }
        if (urls.size() != 1) {
            out.add(field, urls.isEmpty() ? "has no http(s) URL" : "has more than one URL", fix);
            return;
        }
        URI uri = parseUri(urls.get(0).replace("$", "%24"));
        if (uri == null || uri.getScheme() == null
                || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
                || uri.getHost() == null || uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null
                || uri.getPath().contains("/..")) {
            // not echoed: it may hold credentials (user:password@host)
            out.add(field, "has a URL that is not a plain http(s) URL with a host (no credentials, query or '..')", fix);
            return;
        }
        if (family == null) {
            return; // the form depends on the OS family, reported on its own field
        }
        boolean isUrlOnly = withoutPlaceholder.trim().equals(urls.get(0));
        if (family.packageManager() == OsFamily.PackageManager.DNF && !isUrlOnly) {
            out.add(field, "for os-family " + family.name().toLowerCase(Locale.ROOT) + " the repository is the base URL only", fix);
        } else if (family.packageManager() == OsFamily.PackageManager.APT
                && !withoutPlaceholder.trim().matches("deb (\\[[^\\]]*\\] )?[^ ]+( [^ ]+)+")) {
            out.add(field, "for os-family " + family.name().toLowerCase(Locale.ROOT)
                    + " the repository is a full APT line: deb [options] URL suite component", fix);
        }
    }

    private static void checkPaths(Problems out, String f, ZonePaths paths) {
        Map<String, String> byField = new java.util.LinkedHashMap<>();
        byField.put("etc", paths.etc());
        byField.put("var", paths.var());
        byField.put("lock-file", paths.lockFile());
        byField.put("run-dir", paths.runDir());
        byField.put("backup-dir", paths.backupDir());
        byField.forEach((name, value) -> {
            String problem = pathProblem(value);
            if (problem != null) {
                out.add(f + "." + name, "'" + printable(value) + "' " + problem,
                        "use an absolute, normalized path of plain characters (letters, digits, '.', '_', '-', '+', '@'), e.g. "
                                + switch (name) {
                                    case "etc" -> "/etc/one";
                                    case "var" -> "/var/lib/one";
                                    case "lock-file" -> "/var/lock/one/one";
                                    case "run-dir" -> "/var/lib/one-fed-upgrade/runs";
                                    default -> "/var/lib/one-fed-upgrade/backups";
                                });
            }
        });
        if (Objects.equals(paths.runDir(), paths.backupDir())) {
            out.add(f + ".backup-dir", "is the same directory as run-dir", "keep backups and run state in separate directories");
        }
    }

    /** Why a remote path is refused, or null. Remote hosts are POSIX: checked as text, not as a local Path. */
    static String pathProblem(String path) {
        if (path == null || path.isBlank()) {
            return "is empty";
        }
        if (!path.chars().allMatch(c -> c == '/' || PATH_SEGMENT.matcher(String.valueOf((char) c)).matches())) {
            return "contains characters a path here may not have (spaces, quotes or shell characters)";
        }
        if (!path.startsWith("/")) {
            return "is not absolute";
        }
        if (path.equals("/")) {
            return "is the root directory";
        }
        if (path.endsWith("/") || path.contains("//")) {
            return "is not normalized (trailing or double '/')";
        }
        for (String segment : path.substring(1).split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return "is not normalized ('" + segment + "' segment: no path traversal)";
            }
            if (segment.startsWith("-")) {
                return "has a name starting with '-', which a command would read as an option";
            }
        }
        return null;
    }

    private static void checkSafeName(Problems out, String field, String value, String what, boolean required, String fix) {
        if (isBlank(value)) {
            if (required) {
                out.add(field, "the " + what + " is empty", fix);
            } else if (value != null) {
                out.add(field, "the " + what + " is blank", fix);
            }
        } else if (!NAME.matcher(value).matches()) {
            out.add(field, what + " '" + printable(value) + "' contains characters other than letters, digits, '.', '_', '-'"
                    + " (or is longer than 128)", fix);
        } else if (value.equals(".") || value.contains("..") || value.startsWith("-")) {
            out.add(field, what + " '" + value + "' could be read as a path or an option ('.', '..' or a leading '-')", fix);
        }
    }

    // ---------------------------------------------------------------- hosts and URLs

    static boolean isValidHost(String host) {
        if (host == null || host.isEmpty() || host.length() > 253) {
            return false;
        }
        if (host.contains(":")) {
            return IPV6_CHARS.matcher(host).matches() && isIpv6Literal(host);
        }
        String[] labels = host.endsWith(".") ? host.substring(0, host.length() - 1).split("\\.", -1) : host.split("\\.", -1);
        boolean numeric = true;
        for (String label : labels) {
            if (!HOST_LABEL.matcher(label).matches()) {
                return false;
            }
            numeric &= label.chars().allMatch(Character::isDigit);
        }
        if (numeric) {
            // all-digit labels can only be an IPv4 address
            if (labels.length != 4) {
                return false;
            }
            for (String label : labels) {
                if (label.length() > 3 || Integer.parseInt(label) > 255) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isIpv6Literal(String host) {
        // starting with a hex digit or ':' and containing ':', the JDK parses a literal and never asks DNS
        if (Character.digit(host.charAt(0), 16) == -1 && host.charAt(0) != ':') {
            return false;
        }
        try {
            return InetAddress.getByName(host) instanceof java.net.Inet6Address;
        } catch (UnknownHostException | IllegalArgumentException e) {
            return false;
        }
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static URI parseUri(String text) {
        if (text == null) {
            return null;
        }
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- secrets and files

    /** Checks a secret reference and, if given, the form of its value. Messages name the reference only. */
    private void checkSecret(Problems out, String field, SecretRef ref, boolean required, String what,
                             Function<String, String> formatProblem) {
        if (ref == null || ref.isEmpty()) {
            if (required) {
                out.add(field, "no source is configured for " + what,
                        "set " + field + ".env to the name of an environment variable, or " + field
                                + ".file to a file, that holds it (never the value itself)");
            }
            return;
        }
        boolean hasEnv = !isBlank(ref.env());
        boolean hasFile = !isBlank(ref.file());
        if (hasEnv && hasFile) {
            out.add(field, "sets both env and file", "keep exactly one of " + field + ".env or " + field + ".file");
            return;
        }
        if (hasEnv && !ENV_NAME.matcher(ref.env()).matches()) {
            // not echoed: a value pasted here by mistake must not reach the log
            out.add(field + ".env", "is not an environment variable name",
                    "give the variable's name (letters, digits, '_', not starting with a digit), not its value");
            return;
        }
        String value;
        try {
            // read as the service will read it at the moment of use
            char[] chars = secrets.resolve(ref, field);
            value = new String(chars);
            java.util.Arrays.fill(chars, '\0');
        } catch (SecretResolver.SecretUnavailableException e) {
            out.add(e.field(), e.problem(), e.fix());
            return;
        }
        String source = hasEnv ? "environment variable " + ref.env() : "the file " + ref.file();
        if (formatProblem != null) {
            String problem = formatProblem.apply(value);
            if (problem != null) {
                out.add(field + (hasEnv ? ".env" : ".file"), "the value in " + source + " " + problem,
                        "write oneadmin's credentials as a single line user:password, like an one_auth file");
            }
        }
    }

    /** Why a value is not in one_auth form ({@code user:password}), or null. Never quotes the value. */
    static String oneAuthProblem(String raw) {
        String value = raw.stripTrailing();
        if (value.contains("\n") || value.contains("\r")) {
            return "has more than one line (one_auth holds a single line user:password)";
        }
        int colon = value.indexOf(':');
        if (colon < 0) {
            return "is not in one_auth form user:password (no ':')";
        }
        if (value.substring(0, colon).isBlank()) {
            return "has no user name before the ':'";
        }
        if (value.substring(colon + 1).isEmpty()) {
            return "has no password after the ':'";
        }
        if (!value.equals(value.strip())) {
            return "starts with white space";
        }
        return null;
    }

    // ---------------------------------------------------------------- helpers

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** Echoes an offending non-secret value safely: control characters shown escaped, length bounded. */
    static String printable(String value) {
        StringBuilder b = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (b.length() > 80) {
                b.append("...");
                break;
            }
            b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    private static final class Problems {
        final List<ConfigProblem> list = new ArrayList<>();

        void add(String field, String message, String fix) {
            list.add(new ConfigProblem(field, message, fix));
        }
    }
}
