package io.onefed.upgrade.federation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A valid federation (the guide's three zones: 0 M-EU-FR master, 100 S-EU-GE slave in HA, 101 S-US-CA slave)
 * with its secret files in a temp directory, as mutable builders so that each test breaks one thing.
 */
final class FederationFixture {

    static final String DB_PASSWORD = "db-Pa55word-never-shown";
    static final String ONE_PASSWORD = "one-Pa55word-never-shown";

    final Path dir;
    final Map<String, String> env = new HashMap<>();

    String name = "guide-federation";
    SecretRef credentials;
    String privateKey;
    SecretRef passphrase;
    String knownHosts;
    boolean acceptNewHostKeys;
    Duration sshConnectTimeout;
    Duration sshCommandTimeout;
    Duration xmlrpcConnectTimeout;
    Duration xmlrpcReadTimeout;
    TrustStoreProperties trustStore;
    /** The guide's zones use plain http to LAN addresses: accepted here; the refusal has tests of its own. */
    Boolean allowPlainHttp = true;
    final List<Zone> zones = new ArrayList<>();

    FederationFixture(Path dir) throws IOException {
        this.dir = dir;
        credentials = new SecretRef(null, write("one_auth", "oneadmin:" + ONE_PASSWORD + "\n").toString());
        privateKey = write("id_ed25519", openSshKey("none")).toString();
        knownHosts = write("known_hosts", "192.168.150.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample\n").toString();
        env.put("ONE_DB_PASSWORD_GE", DB_PASSWORD);

        Zone master = new Zone(0, "M-EU-FR", "master", "http://192.168.150.1:2633/RPC2", "ubuntu");
        master.servers.add(new Server("fe-fr", "192.168.150.1", 22, "root"));
        master.extraServices.add("apache2");
        master.repository = "deb [signed-by=/etc/apt/keyrings/opennebula.gpg] https://downloads.opennebula.io/repo/{version}/Ubuntu/22.04 stable opennebula";

        Zone geneva = new Zone(100, "S-EU-GE", "slave", "http://192.168.150.2:2633/RPC2", "debian");
        geneva.ha = true;
        geneva.servers.add(new Server("ge-1", "fe1.ge.example.org", 22, "oneadmin"));
        geneva.servers.add(new Server("ge-2", "fe2.ge.example.org", 2222, "oneadmin"));
        geneva.servers.add(new Server("ge-3", "fe3.ge.example.org", 22, "oneadmin"));
        geneva.db = new Db("mysql", "localhost", 3306, "oneadmin", "opennebula", new SecretRef("ONE_DB_PASSWORD_GE", null));

        Zone california = new Zone(101, "S-US-CA", "slave", "https://[2001:db8::1]:2633/RPC2", "almalinux");
        california.servers.add(new Server("ca-1", "2001:db8::1", 22, "root"));
        california.extraServices.add("nginx.service");
        california.repository = "https://downloads.opennebula.io/repo/{version}/AlmaLinux/$releasever/$basearch";
        california.db = new Db("sqlite", null, null, null, null, null);
        zones.add(master);
        zones.add(geneva);
        zones.add(california);
    }

    Path write(String file, String content) throws IOException {
        Path path = dir.resolve(file);
        Files.writeString(path, content, StandardCharsets.UTF_8);
        return path;
    }

    Zone zone(int index) {
        return zones.get(index);
    }

    FederationProperties build() {
        List<ZoneProperties> built = new ArrayList<>();
        for (Zone z : zones) {
            built.add(z == null ? null : z.build());
        }
        return new FederationProperties(name, credentials,
                new SshProperties(privateKey, passphrase, knownHosts, acceptNewHostKeys, sshConnectTimeout, sshCommandTimeout),
                new XmlRpcProperties(xmlrpcConnectTimeout, xmlrpcReadTimeout, trustStore, allowPlainHttp), built);
    }

    List<ConfigProblem> validate() {
        return new FederationConfigValidator(env::get).validate(build());
    }

    /** A syntactically real openssh-key-v1 container with the given cipher (only the header matters here). */
    static String openSshKey(String cipher) {
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        blob.writeBytes("openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII));
        byte[] c = cipher.getBytes(StandardCharsets.US_ASCII);
        blob.writeBytes(ByteBuffer.allocate(4).putInt(c.length).array());
        blob.writeBytes(c);
        blob.writeBytes(new byte[48]);
        String body = Base64.getMimeEncoder(70, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(blob.toByteArray());
        return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + body + "\n-----END OPENSSH PRIVATE KEY-----\n";
    }

    static final class Zone {
        Integer id;
        String name;
        String role;
        String endpoint;
        boolean ha;
        String osFamily;
        Db db;
        final List<String> extraServices = new ArrayList<>();
        String repository;
        String etc;
        String var;
        String lockFile;
        String runDir;
        String backupDir;
        final List<Server> servers = new ArrayList<>();
        NodeProperties nodes;

        Zone(Integer id, String name, String role, String endpoint, String osFamily) {
            this.id = id;
            this.name = name;
            this.role = role;
            this.endpoint = endpoint;
            this.osFamily = osFamily;
        }

        ZoneProperties build() {
            List<ServerProperties> built = new ArrayList<>();
            for (Server s : servers) {
                built.add(s == null ? null : new ServerProperties(s.name, s.host, s.port, s.user, s.endpoint));
            }
            return new ZoneProperties(id, name, role, endpoint, ha, osFamily,
                    db == null ? null : new DatabaseProperties(db.backend, db.host, db.port, db.user, db.name, db.password),
                    new ArrayList<>(extraServices), repository, new ZonePaths(etc, var, lockFile, runDir, backupDir), built,
                    nodes);
        }
    }

    static final class Server {
        String name;
        String host;
        Integer port;
        String user;
        String endpoint;

        Server(String name, String host, Integer port, String user) {
            this.name = name;
            this.host = host;
            this.port = port;
            this.user = user;
        }
    }

    static final class Db {
        String backend;
        String host;
        Integer port;
        String user;
        String name;
        SecretRef password;

        Db(String backend, String host, Integer port, String user, String name, SecretRef password) {
            this.backend = backend;
            this.host = host;
            this.port = port;
            this.user = user;
            this.name = name;
            this.password = password;
        }
    }
}
