package io.onefed.upgrade.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.onefed.upgrade.federation.FederationFixture.Db;
import io.onefed.upgrade.federation.FederationFixture.Server;
import io.onefed.upgrade.federation.FederationFixture.Zone;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FederationConfigValidatorTest {

    @TempDir
    Path dir;

    FederationFixture fed;

    @BeforeEach
    void setUp() throws IOException {
        fed = new FederationFixture(dir);
    }

    @Test
    void theGuidesThreeZonesAreAccepted() {
        List<ConfigProblem> problems = fed.validate();

        assertThat(problems).isEmpty();
        FederationConfig config = FederationConfig.of(fed.build(), new FederationConfigValidator(fed.env::get));
        assertThat(config.isConfigured()).isTrue();
        assertThat(config.master().name()).isEqualTo("M-EU-FR");
        assertThat(config.slaves()).extracting(ZoneProperties::id).containsExactly(100, 101);
        assertThat(config.zone(101).name()).isEqualTo("S-US-CA");
        assertThat(config.osFamily(config.zone(101))).isEqualTo(OsFamily.ALMALINUX);
    }

    /** A mutation of the valid federation that breaks exactly one thing. */
    interface Breakage {
        void apply(FederationFixture fed) throws IOException;
    }

    static Arguments bad(String what, Breakage breakage, String field, String inMessage, String inFix) {
        return Arguments.of(what, breakage, field, inMessage, inFix);
    }

    static Stream<Arguments> badInputs() {
        String expected = "http(s)://host:port/RPC2";
        return Stream.of(
                // federation
                bad("federation without name", f -> f.name = " ", "federation.name", "no name", "federation.name"),
                bad("federation name with a line break", f -> f.name = "prod\nINFO fake log line", "federation.name", "one line", "line breaks"),
                bad("no zones", f -> f.zones.clear(), "federation.zones", "no zones", "role: master"),
                bad("no master", f -> f.zone(0).role = "slave", "federation.zones", "no zone has role: master", "role: master"),
                bad("two masters", f -> f.zone(2).role = "MASTER", "federation.zones[2].role", "second master", "exactly one master"),
                bad("unknown role", f -> f.zone(1).role = "primary", "federation.zones[1].role", "'primary' is neither master nor slave", "role: master or role: slave"),
                bad("missing role", f -> f.zone(1).role = null, "federation.zones[1].role", "no role", "role: master or role: slave"),
                // zone ids and names
                bad("duplicate zone id", f -> f.zone(2).id = 100, "federation.zones[2].id", "also used by federation.zones[1]", "onezone list"),
                bad("negative zone id", f -> f.zone(1).id = -1, "federation.zones[1].id", "negative", "onezone list"),
                bad("missing zone id", f -> f.zone(1).id = null, "federation.zones[1].id", "no id", "onezone list"),
                bad("duplicate zone name", f -> f.zone(2).name = "S-EU-GE", "federation.zones[2].name", "also used by federation.zones[1]", "onezone list"),
                bad("empty zone name", f -> f.zone(1).name = "", "federation.zones[1].name", "empty", "letters, digits"),
                bad("zone name with shell metacharacters", f -> f.zone(1).name = "GE;rm -rf /", "federation.zones[1].name", "contains characters", "letters, digits"),
                bad("zone name with command substitution", f -> f.zone(1).name = "$(reboot)", "federation.zones[1].name", "contains characters", "letters, digits"),
                bad("zone name with a space", f -> f.zone(1).name = "S EU GE", "federation.zones[1].name", "contains characters", "letters, digits"),
                bad("zone name with a slash", f -> f.zone(1).name = "../../etc/passwd", "federation.zones[1].name", "contains characters", "letters, digits"),
                bad("zone name '..'", f -> f.zone(1).name = "..", "federation.zones[1].name", "path or an option", "letters, digits"),
                bad("zone name starting with '-'", f -> f.zone(1).name = "-rf", "federation.zones[1].name", "path or an option", "letters, digits"),
                // endpoints
                bad("endpoint missing", f -> f.zone(1).endpoint = null, "federation.zones[1].endpoint", "no XML-RPC endpoint", expected),
                bad("endpoint without scheme", f -> f.zone(1).endpoint = "192.168.150.2:2633/RPC2", "federation.zones[1].endpoint", "", expected),
                bad("endpoint with another scheme", f -> f.zone(1).endpoint = "ftp://192.168.150.2:2633/RPC2", "federation.zones[1].endpoint", "scheme 'ftp'", expected),
                bad("endpoint without host", f -> f.zone(1).endpoint = "http://:2633/RPC2", "federation.zones[1].endpoint", "no valid host", expected),
                bad("endpoint with a bad IPv4 address", f -> f.zone(1).endpoint = "http://192.168.150.300:2633/RPC2", "federation.zones[1].endpoint", "no valid host", expected),
                bad("endpoint without path", f -> f.zone(1).endpoint = "http://192.168.150.2:2633", "federation.zones[1].endpoint", "no path", "/RPC2"),
                bad("endpoint port out of range", f -> f.zone(1).endpoint = "http://192.168.150.2:99999/RPC2", "federation.zones[1].endpoint", "invalid port", expected),
                bad("endpoint with empty port", f -> f.zone(1).endpoint = "http://192.168.150.2:/RPC2", "federation.zones[1].endpoint", "invalid port", expected),
                bad("endpoint with shell characters", f -> f.zone(1).endpoint = "http://h`id`:2633/RPC2", "federation.zones[1].endpoint", "shell characters", expected),
                bad("endpoint with a query", f -> f.zone(1).endpoint = "http://192.168.150.2:2633/RPC2?x=1", "federation.zones[1].endpoint", "query", expected),
                bad("endpoint with path traversal", f -> f.zone(1).endpoint = "http://192.168.150.2:2633/a/../RPC2", "federation.zones[1].endpoint", "not normalized", expected),
                bad("same endpoint in two zones", f -> f.zone(2).endpoint = "http://192.168.150.2:2633/RPC2", "federation.zones[2].endpoint", "also used by federation.zones[1]", "own XML-RPC endpoint"),
                // servers
                bad("no servers", f -> f.zone(0).servers.clear(), "federation.zones[0].servers", "no front-end server", "host"),
                bad("server endpoint that is not a URL", f -> f.zone(0).servers.get(0).endpoint = "fe1:2633", "federation.zones[0].servers[0].endpoint", "uses scheme", "http(s)://host:port/RPC2"),
                bad("server endpoint with credentials", f -> f.zone(0).servers.get(0).endpoint = "http://u:p@fe1:2633/RPC2", "federation.zones[0].servers[0].endpoint", "'@' credentials", "http(s)://host:port/RPC2"),
                bad("server without host", f -> f.zone(0).servers.get(0).host = "", "federation.zones[0].servers[0].host", "no host", "DNS name or IP address"),
                bad("server host with shell metacharacters", f -> f.zone(0).servers.get(0).host = "fe1;reboot", "federation.zones[0].servers[0].host", "not a host name", "DNS name"),
                bad("server host that is an ssh option", f -> f.zone(0).servers.get(0).host = "-oProxyCommand=id", "federation.zones[0].servers[0].host", "not a host name", "DNS name"),
                bad("server host with user and port", f -> f.zone(0).servers.get(0).host = "root@fe1:22", "federation.zones[0].servers[0].host", "not a host name", "without user, port"),
                bad("server host a bad IPv6 address", f -> f.zone(2).servers.get(0).host = "2001:db8:::1:zz", "federation.zones[2].servers[0].host", "not a host name", "IPv4/IPv6"),
                bad("server host an IPv4 address with port", f -> f.zone(0).servers.get(0).host = "192.168.150.1:22", "federation.zones[0].servers[0].host", "not a host name", "without user, port"),
                bad("server port 0", f -> f.zone(0).servers.get(0).port = 0, "federation.zones[0].servers[0].port", "outside 1-65535", "usually 22"),
                bad("server port 70000", f -> f.zone(0).servers.get(0).port = 70000, "federation.zones[0].servers[0].port", "outside 1-65535", "usually 22"),
                bad("server user with shell metacharacters", f -> f.zone(0).servers.get(0).user = "root;id", "federation.zones[0].servers[0].user", "not a valid user name", "POSIX user name"),
                bad("server user that is an option", f -> f.zone(0).servers.get(0).user = "-oProxyCommand", "federation.zones[0].servers[0].user", "not a valid user name", "POSIX user name"),
                bad("server user too long", f -> f.zone(0).servers.get(0).user = "u".repeat(40), "federation.zones[0].servers[0].user", "not a valid user name", "at most 32"),
                // a server without a name used to reach run keys ("...-null"), the leader match and the report as null (NPE)
                bad("server without a name", f -> f.zone(1).servers.get(0).name = null, "federation.zones[1].servers[0].name", "has no name", "SERVER_POOL"),
                bad("server with a blank name", f -> f.zone(0).servers.get(0).name = "  ", "federation.zones[0].servers[0].name", "has no name", "onezone show M-EU-FR"),
                bad("server name with a slash", f -> f.zone(1).servers.get(0).name = "ge/1", "federation.zones[1].servers[0].name", "contains characters", "letters, digits"),
                bad("HA zone with one server", f -> f.zone(1).servers.subList(1, 3).clear(), "federation.zones[1].servers", "ha: true", "set ha: false"),
                bad("single zone with two servers", f -> f.zone(0).servers.add(new Server(null, "192.168.150.9", 22, "root")), "federation.zones[0].ha", "not marked HA", "ha: true"),
                bad("duplicate server in a zone", f -> f.zone(1).servers.get(2).host = "FE1.ge.example.org", "federation.zones[1].servers[2]", "listed twice", "once"),
                bad("server shared by two zones", f -> f.zone(2).servers.get(0).host = "192.168.150.1", "federation.zones[2].servers[0]", "already a server of federation.zones[0]", "one zone"),
                // OS family
                bad("unknown OS family", f -> f.zone(0).osFamily = "gentoo", "federation.zones[0].os-family", "unknown OS family 'gentoo'", OsFamily.accepted()),
                bad("missing OS family", f -> f.zone(0).osFamily = null, "federation.zones[0].os-family", "no OS family", OsFamily.accepted()),
                // database
                bad("unknown database backend", f -> f.zone(1).db.backend = "oracle", "federation.zones[1].database.backend", "unknown database backend 'oracle'", "sqlite or mysql"),
                bad("mysql without host", f -> f.zone(1).db.host = null, "federation.zones[1].database.host", "needs the database host", "host"),
                bad("mysql without password", f -> f.zone(1).db.password = null, "federation.zones[1].database.password", "no source", ".env"),
                bad("mysql password env unset", f -> f.env.clear(), "federation.zones[1].database.password.env", "ONE_DB_PASSWORD_GE is not set", "export ONE_DB_PASSWORD_GE"),
                bad("mysql password file missing", f -> f.zone(1).db.password = new SecretRef(null, f.dir.resolve("nope").toString()), "federation.zones[1].database.password.file", "does not exist", "readable"),
                bad("mysql database host hostile", f -> f.zone(1).db.host = "db;id", "federation.zones[1].database.host", "not a host name", "DNS name"),
                bad("mysql database port 0", f -> f.zone(1).db.port = 0, "federation.zones[1].database.port", "outside 1-65535", "3306"),
                bad("mysql user hostile", f -> f.zone(1).db.user = "one admin", "federation.zones[1].database.user", "not a valid database user", "oneadmin"),
                bad("mysql database name hostile", f -> f.zone(1).db.name = "one;drop", "federation.zones[1].database.name", "not a valid database name", "opennebula"),
                bad("sqlite with a database host", f -> f.zone(2).db.host = "db.example.org", "federation.zones[2].database.host", "backend is sqlite", "backend: mysql"),
                bad("no backend but a password", f -> f.zone(0).db = new Db(null, null, null, null, null, new SecretRef("X", null)), "federation.zones[0].database.password", "no backend", "backend: mysql"),
                // credentials
                bad("credentials missing", f -> f.credentials = null, "federation.credentials", "no source", "federation.credentials.env"),
                bad("credentials with env and file", f -> f.credentials = new SecretRef("ONE_AUTH", f.credentials.file()), "federation.credentials", "both env and file", "exactly one"),
                bad("credentials env unset", f -> f.credentials = new SecretRef("ONE_AUTH_UNSET", null), "federation.credentials.env", "ONE_AUTH_UNSET is not set", "export ONE_AUTH_UNSET"),
                bad("credentials env empty", f -> { f.env.put("ONE_AUTH_EMPTY", ""); f.credentials = new SecretRef("ONE_AUTH_EMPTY", null); }, "federation.credentials.env", "not set or empty", "export"),
                bad("credentials env name invalid", f -> f.credentials = new SecretRef("one auth", null), "federation.credentials.env", "not an environment variable name", "not its value"),
                bad("credentials file missing", f -> f.credentials = new SecretRef(null, f.dir.resolve("missing_auth").toString()), "federation.credentials.file", "does not exist", "readable"),
                bad("credentials file is a directory", f -> f.credentials = new SecretRef(null, f.dir.toString()), "federation.credentials.file", "not a regular file", "readable"),
                bad("credentials file empty", f -> f.credentials = new SecretRef(null, f.write("empty_auth", "\n").toString()), "federation.credentials.file", "is empty", "write the secret"),
                bad("credentials without colon", f -> f.write("one_auth", "oneadmin\n"), "federation.credentials.file", "user:password", "single line user:password"),
                bad("credentials on two lines", f -> f.write("one_auth", "oneadmin:a\noneadmin:b\n"), "federation.credentials.file", "more than one line", "single line"),
                bad("credentials without password", f -> f.write("one_auth", "oneadmin:\n"), "federation.credentials.file", "no password", "user:password"),
                bad("credentials without user", f -> f.write("one_auth", ":secret\n"), "federation.credentials.file", "no user name", "user:password"),
                bad("credentials env not in one_auth form", f -> { f.env.put("ONE_AUTH", "justapassword"); f.credentials = new SecretRef("ONE_AUTH", null); }, "federation.credentials.env", "environment variable ONE_AUTH is not in one_auth form", "user:password"),
                // ssh
                bad("private key not configured", f -> f.privateKey = null, "federation.ssh.private-key", "no SSH private key", "federation.ssh.private-key"),
                bad("private key missing", f -> f.privateKey = f.dir.resolve("id_missing").toString(), "federation.ssh.private-key", "does not exist", "existing private key"),
                bad("private key is a public key", f -> f.privateKey = f.write("id_ed25519.pub", "ssh-ed25519 AAAAC3Nza me@host\n").toString(), "federation.ssh.private-key", "not a private key", ".pub"),
                bad("encrypted key without passphrase", f -> f.write("id_ed25519", FederationFixture.openSshKey("aes256-ctr")), "federation.ssh.passphrase", "protected by a passphrase", "federation.ssh.passphrase.env"),
                bad("encrypted PEM key without passphrase", f -> f.write("id_ed25519", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n"), "federation.ssh.passphrase", "protected by a passphrase", "passphrase"),
                bad("passphrase env unset", f -> f.passphrase = new SecretRef("KEY_PASSPHRASE", null), "federation.ssh.passphrase.env", "KEY_PASSPHRASE is not set", "export KEY_PASSPHRASE"),
                bad("known_hosts not configured", f -> f.knownHosts = " ", "federation.ssh.known-hosts", "no known_hosts file", "known_hosts file"),
                bad("known_hosts missing", f -> f.knownHosts = f.dir.resolve("kh_missing").toString(), "federation.ssh.known-hosts", "does not exist", "accept-new-host-keys: true"),
                bad("known_hosts without entries", f -> f.write("known_hosts", "# nothing yet\n\n"), "federation.ssh.known-hosts", "holds no host key", "ssh-keyscan"),
                bad("accept-new-host-keys into a missing directory", f -> { f.acceptNewHostKeys = true; f.knownHosts = f.dir.resolve("no/such/dir/known_hosts").toString(); }, "federation.ssh.known-hosts", "cannot be recorded", "create the directory"),
                bad("accept-new-host-keys onto a directory", f -> { f.acceptNewHostKeys = true; f.knownHosts = f.dir.toString(); }, "federation.ssh.known-hosts", "not a writable file", "regular file"),
                bad("ssh connect timeout zero", f -> f.sshConnectTimeout = Duration.ZERO, "federation.ssh.connect-timeout", "positive duration", "10s"),
                bad("ssh command timeout negative", f -> f.sshCommandTimeout = Duration.ofSeconds(-5), "federation.ssh.command-timeout", "positive duration", "2m"),
                bad("xmlrpc read timeout negative", f -> f.xmlrpcReadTimeout = Duration.ofSeconds(-1), "federation.xmlrpc.read-timeout", "positive duration", "30s"),
                bad("xmlrpc connect timeout zero", f -> f.xmlrpcConnectTimeout = Duration.ZERO, "federation.xmlrpc.connect-timeout", "positive duration", "5s"),
                // paths
                bad("relative etc path", f -> f.zone(0).etc = "etc/one", "federation.zones[0].paths.etc", "not absolute", "/etc/one"),
                bad("var path with traversal", f -> f.zone(0).var = "/var/lib/one/../../../root", "federation.zones[0].paths.var", "path traversal", "/var/lib/one"),
                bad("run dir with shell metacharacters", f -> f.zone(0).runDir = "/var/lib/runs;rm -rf /", "federation.zones[0].paths.run-dir", "shell characters", "/var/lib/one-fed-upgrade/runs"),
                bad("etc path with an option-like name", f -> f.zone(0).etc = "/etc/-rf", "federation.zones[0].paths.etc", "starting with '-'", "/etc/one"),
                bad("backup dir is the root", f -> f.zone(0).backupDir = "/", "federation.zones[0].paths.backup-dir", "root directory", "/var/lib/one-fed-upgrade/backups"),
                bad("lock file with double slash", f -> f.zone(0).lockFile = "/var/lock//one", "federation.zones[0].paths.lock-file", "not normalized", "/var/lock/one/one"),
                bad("backup dir equals run dir", f -> { f.zone(0).runDir = "/srv/x"; f.zone(0).backupDir = "/srv/x"; }, "federation.zones[0].paths.backup-dir", "same directory as run-dir", "separate"),
                // extra services
                bad("extra service with shell metacharacters", f -> f.zone(0).extraServices.add("nginx;reboot"), "federation.zones[0].extra-services[1]", "not a systemd unit name", "systemctl list-units"),
                bad("extra service that is an option", f -> f.zone(0).extraServices.add("--all"), "federation.zones[0].extra-services[1]", "not a systemd unit name", "systemctl list-units"),
                bad("extra service empty", f -> f.zone(0).extraServices.add(" "), "federation.zones[0].extra-services[1]", "empty", "remove the entry"),
                bad("extra service twice", f -> f.zone(0).extraServices.add("apache2"), "federation.zones[0].extra-services[1]", "listed twice", "once"),
                // repository
                bad("repository with a second line", f -> f.zone(2).repository = "https://repo.example.org/{version}\n[evil]\nbaseurl=http://evil", "federation.zones[2].repository", "line breaks", "base URL"),
                bad("repository with shell characters", f -> f.zone(2).repository = "https://repo.example.org/$(id)", "federation.zones[2].repository", "characters", "base URL"),
                bad("repository with another scheme", f -> f.zone(2).repository = "ftp://repo.example.org/{version}", "federation.zones[2].repository", "not a plain http(s) URL", "base URL"),
                bad("repository without URL", f -> f.zone(0).repository = "deb stable opennebula", "federation.zones[0].repository", "no http(s) URL", "deb [signed-by"),
                bad("repository with unknown placeholder", f -> f.zone(2).repository = "https://repo.example.org/{release}", "federation.zones[2].repository", "placeholder other than {version}", "base URL"),
                bad("APT line for a dnf zone", f -> f.zone(2).repository = "deb https://repo.example.org/{version} stable opennebula", "federation.zones[2].repository", "base URL only", "base URL"),
                // hypervisor hosts (federation.zones[].nodes)
                bad("node user invalid", f -> f.zone(0).nodes = nodes("-root", null, null, null, null, null), "federation.zones[0].nodes.user", "not a valid user name", "root"),
                bad("node key missing", f -> f.zone(0).nodes = nodes(null, f.dir.resolve("id_nodes").toString(), null, null, null, null), "federation.zones[0].nodes.private-key", "does not exist", "federation.ssh.private-key"),
                bad("node key encrypted", f -> f.zone(0).nodes = nodes(null, f.write("id_nodes", FederationFixture.openSshKey("aes256-ctr")).toString(), null, null, null, null), "federation.zones[0].nodes.private-key", "passphrase", "ssh-keygen -p"),
                bad("node concurrency zero", f -> f.zone(0).nodes = nodes(null, null, 0, null, null, null), "federation.zones[0].nodes.concurrency", "outside 1-200", "10"),
                bad("node os family unknown", f -> f.zone(0).nodes = nodes(null, null, null, "gentoo", null, null), "federation.zones[0].nodes.os-family", "unknown OS family", "debian"),
                bad("node repository file relative", f -> f.zone(0).nodes = nodes(null, null, null, null, "sources.list", null), "federation.zones[0].nodes.repository-file", "not absolute", "/etc/apt/sources.list.d/opennebula.list"),
                bad("node address with a bad port", f -> f.zone(0).nodes = nodes(null, null, null, null, null, java.util.Map.of("kvm1", "10.0.0.5:99999")), "federation.zones[0].nodes.addresses[kvm1]", "not host or host:port", "DNS name or IP address"),
                bad("node via unknown", f -> f.zone(0).nodes = new NodeProperties(null, null, null, null, null, null, null, null, null, "bastion"), "federation.zones[0].nodes.via", "neither direct nor front-end", "via: front-end"),
                bad("plain URL for an apt zone", f -> f.zone(0).repository = "https://repo.example.org/{version}/Ubuntu/22.04", "federation.zones[0].repository", "full APT line", "deb [signed-by"));
    }

    private static NodeProperties nodes(String user, String key, Integer concurrency, String osFamily, String repoFile,
            java.util.Map<String, String> addresses) {
        return new NodeProperties(user, key, null, concurrency, osFamily, repoFile, null, null, addresses);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void eachBadInputIsRefusedNamingTheFieldAndTheFix(String what, Breakage breakage, String field, String inMessage,
                                                       String inFix) throws IOException {
        assertThat(fed.validate()).as("the fixture itself is valid").isEmpty();

        breakage.apply(fed);
        List<ConfigProblem> problems = fed.validate();

        List<ConfigProblem> onField = problems.stream().filter(p -> p.field().equals(field)).toList();
        if (onField.isEmpty()) {
            fail(what + ": no problem reported on " + field + "; got " + problems.stream()
                    .map(p -> p.field() + ": " + p.message()).collect(Collectors.joining(" | ")));
        }
        assertThat(onField).anySatisfy(p -> {
            assertThat(p.message()).contains(inMessage).isNotBlank();
            assertThat(p.fix()).contains(inFix).isNotBlank();
        });
        // every problem is actionable, not just the one looked for
        assertThat(problems).allSatisfy(p -> {
            assertThat(p.field()).startsWith("federation");
            assertThat(p.message()).isNotBlank();
            assertThat(p.fix()).isNotBlank();
        });
        // start-up refuses it
        FederationConfigValidator validator = new FederationConfigValidator(fed.env::get);
        InvalidFederationConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                InvalidFederationConfigException.class, () -> FederationConfig.of(fed.build(), validator));
        assertThat(e.getMessage()).contains(field);
    }

    @Test
    void thereAreAtLeastThirtyDistinctBadInputs() {
        assertThat(badInputs().map(a -> a.get()[0]).distinct().count()).isGreaterThanOrEqualTo(30);
    }

    @Test
    void secretValuesNeverAppearInProblems() throws IOException {
        String secret = "Hunter2-Sup3rSecret";
        String[] hostile = {
                secret,                                 // no colon: not one_auth form
                "oneadmin:" + secret + "\nsecond line", // two lines
                " oneadmin:" + secret,                  // leading blank
        };
        for (String content : hostile) {
            fed.write("one_auth", content);
            fed.env.put("ONE_AUTH", content);
            fed.credentials = new SecretRef(null, fed.dir.resolve("one_auth").toString());
            assertNoSecretIn(fed.validate(), secret, 1);
            fed.credentials = new SecretRef("ONE_AUTH", null);
            assertNoSecretIn(fed.validate(), secret, 1);
        }
        // a value pasted where a name belongs, credentials in URLs: refused without echo
        fed.credentials = new SecretRef("oneadmin:" + secret, null);
        fed.zone(1).endpoint = "http://oneadmin:" + secret + "@192.168.150.2:2633/RPC2";
        fed.zone(2).repository = "https://user:" + secret + "@repo.example.org/{version}";
        List<ConfigProblem> problems = fed.validate();
        assertNoSecretIn(problems, secret, 3);
        assertThat(new InvalidFederationConfigException(problems).getMessage()).doesNotContain(secret);
        String analysis = new FederationConfigFailureAnalyzer().analyze(new InvalidFederationConfigException(problems)).toString();
        assertThat(analysis).doesNotContain(secret);

        // a valid configuration with secrets in env and files: the accepted config's description has none
        fed = new FederationFixture(dir);
        FederationConfig ok = FederationConfig.of(fed.build(), new FederationConfigValidator(fed.env::get));
        assertThat(ok.toString() + fed.build()).doesNotContain(FederationFixture.ONE_PASSWORD)
                .doesNotContain(FederationFixture.DB_PASSWORD);
    }

    private static void assertNoSecretIn(List<ConfigProblem> problems, String secret, int atLeast) {
        assertThat(problems).hasSizeGreaterThanOrEqualTo(atLeast);
        for (ConfigProblem p : problems) {
            assertThat(p.field() + p.message() + p.fix()).as(p.field()).doesNotContain(secret);
        }
    }

    @Test
    void warningsAreReportedButDoNotStopStartUp() throws IOException {
        fed.zone(1).servers.remove(2);          // HA with two servers: works, no fault tolerance
        fed.zone(2).repository = "https://repo.example.org/7.0";
        fed.acceptNewHostKeys = true;
        Path key = Path.of(fed.privateKey);
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

        FederationConfigValidator validator = new FederationConfigValidator(fed.env::get);
        assertThat(validator.validate(fed.build())).isEmpty();
        assertThat(validator.warnings(fed.build())).extracting(ConfigProblem::field).containsExactlyInAnyOrder(
                "federation.zones[1].servers", "federation.zones[2].repository",
                "federation.ssh.accept-new-host-keys", "federation.ssh.private-key",
                "federation.xmlrpc.allow-plain-http");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        fed.name = null;
        fed.zone(0).role = "boss";
        fed.zone(1).endpoint = "not a url";
        fed.zone(2).osFamily = "beos";
        fed.privateKey = null;

        assertThat(fed.validate()).extracting(ConfigProblem::field).contains("federation.name",
                "federation.zones[0].role", "federation.zones[1].endpoint", "federation.zones[2].os-family",
                "federation.ssh.private-key", "federation.zones");
    }

    @Test
    void acceptedVariants() throws IOException {
        fed.zone(0).role = "Master";
        fed.zone(1).role = "SLAVE";
        fed.zone(1).db = new Db("MySQL", "db.ge.example.org", null, null, null,
                new SecretRef(null, fed.write("db_pw", FederationFixture.DB_PASSWORD).toString()));
        fed.zone(2).db = new Db("postgresql", null, null, null, null, null);
        fed.zone(2).endpoint = "https://one.ca.example.org/RPC2";
        fed.credentials = new SecretRef("ONE_AUTH", null);
        fed.env.put("ONE_AUTH", "oneadmin:pass:with:colons");
        fed.passphrase = new SecretRef(null, fed.write("passphrase", "pp").toString());
        fed.write("id_ed25519", FederationFixture.openSshKey("aes256-ctr"));
        fed.acceptNewHostKeys = true;
        fed.knownHosts = dir.resolve("new_known_hosts").toString();
        fed.zone(0).etc = "/opt/one/etc";
        fed.zone(0).nodes = nodes(null, null, 50, "ubuntu", "/etc/apt/sources.list.d/one.list",
                java.util.Map.of("kvm1.example.org", "10.0.0.5", "kvm2", "10.0.0.6:2222"));
        fed.zone(1).nodes = nodes(null, null, null, null, null, null);

        assertThat(fed.validate()).isEmpty();
    }

    @Test
    void unknownZoneAndNoFederationAreClearErrors() {
        FederationConfig config = FederationConfig.of(fed.build(), new FederationConfigValidator(fed.env::get));
        UnknownZoneException e = org.junit.jupiter.api.Assertions.assertThrows(UnknownZoneException.class, () -> config.zone(7));
        assertThat(e.getMessage()).contains("zone 7").contains("0 (M-EU-FR), 100 (S-EU-GE), 101 (S-US-CA)");

        FederationProperties none = new FederationProperties(null, null, null, null, null);
        FederationConfig empty = FederationConfig.of(none, new FederationConfigValidator(k -> null));
        assertThat(empty.isConfigured()).isFalse();
        FederationNotConfiguredException n = org.junit.jupiter.api.Assertions.assertThrows(FederationNotConfiguredException.class, empty::master);
        assertThat(n.getMessage()).contains("FEDERATION_CONFIG");
        assertTrue(empty.toString().contains("no federation"));
    }
}
