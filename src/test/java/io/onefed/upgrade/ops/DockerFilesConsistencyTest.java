package io.onefed.upgrade.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.onefed.upgrade.metrics.UpgradeMetrics;

/**
 * There is no Docker engine to try docker/ on, so this keeps it honest: the compose file sets every variable the
 * postgres profile reads, the ports match server.port, and the Dockerfile builds and runs what the README says;
 * the optional monitoring pair (profile {@code monitoring}) scrapes the service where it serves its metrics, and the
 * Grafana dashboard queries only metrics the service exports ({@link UpgradeMetrics}).
 */
class DockerFilesConsistencyTest {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.\\-]+)(?::([^}]*))?}");

    static Map<String, Object> compose;
    static Map<String, Object> app;
    static Map<String, Object> db;
    static Map<String, String> appEnv;
    static Map<String, String> dbEnv;
    static List<String> dockerfile;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        compose = new Yaml().load(Files.readString(Path.of("docker/compose.yaml")));
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        assertThat(services).as("compose services").containsOnlyKeys("app", "db", "prometheus", "grafana");
        app = (Map<String, Object>) services.get("app");
        db = (Map<String, Object>) services.get("db");
        appEnv = stringMap(app.get("environment"));
        dbEnv = stringMap(db.get("environment"));
        dockerfile = Files.readAllLines(Path.of("docker/Dockerfile"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> stringMap(Object environment) {
        Map<String, String> result = new LinkedHashMap<>();
        ((Map<String, Object>) environment).forEach((k, v) -> result.put(k, String.valueOf(v)));
        return result;
    }

    /** Placeholders of a YAML file: name -> default (null when it has none). */
    private static Map<String, String> placeholders(Path yaml) throws IOException {
        Map<String, String> found = new LinkedHashMap<>();
        Matcher m = PLACEHOLDER.matcher(Files.readString(yaml));
        while (m.find()) {
            found.put(m.group(1), m.group(2));
        }
        return found;
    }

    private static int defaultServerPort() throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> server = (Map<String, Object>) new Yaml()
                .<Map<String, Object>>load(Files.readString(Path.of("src/main/resources/application.yaml"))).get("server");
        Matcher m = PLACEHOLDER.matcher(String.valueOf(server.get("port")));
        return Integer.parseInt(m.matches() ? m.group(2) : String.valueOf(server.get("port")));
    }

    /** Instruction arguments, continuation lines joined. */
    private static List<String> instructions(String keyword) {
        List<String> logical = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : dockerfile) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#") && current.isEmpty()) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
            } else {
                logical.add(current.append(trimmed).toString());
                current.setLength(0);
            }
        }
        List<String> result = new ArrayList<>();
        for (String trimmed : logical) {
            if (trimmed.toUpperCase().startsWith(keyword + " ")) {
                result.add(trimmed.substring(keyword.length()).trim());
            }
        }
        return result;
    }

    @Test
    void appGetsEveryVariableThePostgresProfileReads() throws IOException {
        Map<String, String> read = placeholders(Path.of("src/main/resources/application-postgres.yaml"));
        assertThat(read).containsKeys("ONEFED_DB_URL", "ONEFED_DB_USER", "ONEFED_DB_PASSWORD");
        read.forEach((name, defaultValue) -> {
            if (defaultValue == null) {
                assertThat(appEnv).as("app environment sets %s (read by application-postgres.yaml)", name)
                        .containsKey(name);
            }
        });
        assertThat(appEnv.get("SPRING_PROFILES_ACTIVE")).contains("postgres");
    }

    @Test
    void databaseSettingsOfAppAndDbAgree() {
        Matcher url = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/(\\w+)").matcher(appEnv.get("ONEFED_DB_URL"));
        assertThat(url.matches()).as("ONEFED_DB_URL %s", appEnv.get("ONEFED_DB_URL")).isTrue();
        assertThat(url.group(1)).as("database host is the db service").isEqualTo("db");
        assertThat(url.group(2)).isEqualTo("5432");
        assertThat(url.group(3)).isEqualTo(dbEnv.get("POSTGRES_DB"));
        assertThat(appEnv.get("ONEFED_DB_USER")).isEqualTo(dbEnv.get("POSTGRES_USER"));
        // one secret, taken from the operator's environment, never written here
        assertThat(appEnv.get("ONEFED_DB_PASSWORD")).startsWith("${ONEFED_DB_PASSWORD")
                .isEqualTo(dbEnv.get("POSTGRES_PASSWORD"));
        assertThat(String.valueOf(db.get("image"))).startsWith("postgres:16");
        @SuppressWarnings("unchecked")
        Map<String, Object> dependsOn = (Map<String, Object>) app.get("depends_on");
        assertThat(dependsOn).containsKey("db");
    }

    @Test
    void portsMatchServerPortAndExpose() throws IOException {
        int port = defaultServerPort();
        assertThat(port).isEqualTo(8080);
        assertThat(instructions("EXPOSE")).containsExactly(String.valueOf(port));
        @SuppressWarnings("unchecked")
        List<Object> ports = (List<Object>) app.get("ports");
        assertThat(ports).hasSize(1);
        String[] mapping = String.valueOf(ports.get(0)).split(":");
        assertThat(mapping[mapping.length - 1]).as("container port").isEqualTo(String.valueOf(port));
        assertThat(appEnv).doesNotContainKey("PORT");
    }

    @Test
    void federationConfigIsMountedWhereTheAppLooks() {
        String config = appEnv.get("FEDERATION_CONFIG");
        assertThat(config).isNotBlank();
        String dir = Path.of(config).getParent().toString();
        @SuppressWarnings("unchecked")
        List<Object> volumes = (List<Object>) app.get("volumes");
        assertThat(volumes).anySatisfy(v -> assertThat(String.valueOf(v)).contains(":" + dir + ":ro"));
        assertThat(instructions("ENV")).anySatisfy(env -> assertThat(env).contains("FEDERATION_CONFIG=" + config));
    }

    @Test
    void dockerfileBuildsWithTheWrapperAndRunsAsAnOrdinaryUserWithThePostgresProfile() {
        assertThat(instructions("FROM")).containsExactly("maven:3.9-eclipse-temurin-17 AS build", "eclipse-temurin:17-jre");
        assertThat(String.join("\n", dockerfile)).contains("./mvnw -B -q package -DskipTests");
        assertThat(instructions("USER")).hasSize(1).allSatisfy(u -> assertThat(u).isNotIn("root", "0"));
        assertThat(instructions("ENV")).anySatisfy(env -> assertThat(env).contains("SPRING_PROFILES_ACTIVE=postgres"));
        @SuppressWarnings("unchecked")
        Map<String, Object> build = (Map<String, Object>) app.get("build");
        Path context = Path.of("docker").resolve(String.valueOf(build.get("context"))).normalize();
        assertThat(context.resolve(String.valueOf(build.get("dockerfile")))).exists();
        assertThat(context.resolve("mvnw")).exists();
    }

    @Test
    void imageStartsTheJvmWithTheDeserializationFilter() {
        List<String> entrypoint = instructions("ENTRYPOINT");
        assertThat(entrypoint).hasSize(1);
        List<String> argv = new Yaml().load(entrypoint.get(0)); // exec form: a JSON array, no shell in between
        assertThat(argv).as("ENTRYPOINT of docker/Dockerfile")
                .containsSubsequence("java", "-Djdk.serialFilter=" + DeserializationFilter.PATTERN, "-jar");
        assertThat(argv.indexOf("-Djdk.serialFilter=" + DeserializationFilter.PATTERN)).isLessThan(argv.indexOf("-jar"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(String name) {
        return (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get(name);
    }

    /** Host paths (relative to docker/) mounted into a service: container path -> host path. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> mounts(String serviceName) {
        Map<String, String> result = new LinkedHashMap<>();
        for (Object v : (List<Object>) service(serviceName).get("volumes")) {
            String[] parts = String.valueOf(v).split(":(?!-)");
            result.put(parts[1], parts[0]);
        }
        return result;
    }

    @Test
    void monitoringIsAnOptionalProfileWithPinnedImages() {
        for (String name : List.of("prometheus", "grafana")) {
            assertThat(service(name).get("profiles")).as("%s profiles", name).isEqualTo(List.of("monitoring"));
            String image = String.valueOf(service(name).get("image"));
            assertThat(image).as("%s image pinned to a version", name).matches("[a-z/]+:v?\\d+\\.\\d+\\.\\d+");
        }
        // a plain "docker compose up" starts the service and its database only
        assertThat(app).doesNotContainKey("profiles");
        assertThat(db).doesNotContainKey("profiles");
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesTheServiceWhereItServesItsMetrics() throws IOException {
        Map<String, String> prometheusMounts = mounts("prometheus");
        String configHostPath = prometheusMounts.get("/etc/prometheus/prometheus.yml");
        assertThat(configHostPath).isNotNull();
        Path configFile = Path.of("docker").resolve(configHostPath).normalize();
        assertThat(configFile).exists();
        assertThat(String.join(" ", (List<String>) service("prometheus").get("command")))
                .contains("--config.file=/etc/prometheus/prometheus.yml");
        Map<String, Object> config = new Yaml().load(Files.readString(configFile));
        List<Map<String, Object>> jobs = (List<Map<String, Object>>) config.get("scrape_configs");
        assertThat(jobs).hasSize(1);
        Map<String, Object> job = jobs.get(0);

        // the path Spring Boot serves: the actuator base path plus an endpoint application.yaml exposes
        Map<String, Object> appYaml = new Yaml().load(Files.readString(Path.of("src/main/resources/application.yaml")));
        Map<String, Object> web = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) appYaml
                .get("management")).get("endpoints")).get("web");
        assertThat(String.valueOf(((Map<String, Object>) web.get("exposure")).get("include"))).contains("prometheus");
        assertThat(web).doesNotContainKey("base-path");
        assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");

        // the app service, on the port the service listens on inside its container
        List<Map<String, Object>> statics = (List<Map<String, Object>>) job.get("static_configs");
        List<String> targets = (List<String>) statics.get(0).get("targets");
        assertThat(targets).containsExactly("app:" + defaultServerPort());
        assertThat(String.valueOf(((List<Object>) app.get("ports")).get(0))).endsWith(":" + defaultServerPort());

        // the endpoint needs a login: the password file the config names is mounted there
        Map<String, Object> auth = (Map<String, Object>) job.get("basic_auth");
        assertThat(auth.get("username")).isNotNull();
        assertThat(prometheusMounts).containsKey(String.valueOf(auth.get("password_file")));
        assertThat(String.valueOf(auth)).doesNotContain("password=");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDashboardQueriesOnlyMetricsTheServiceExports() throws IOException {
        Map<String, String> grafanaMounts = mounts("grafana");
        Path dashboards = Path.of("docker").resolve(grafanaMounts.get("/var/lib/grafana/dashboards")).normalize();
        Path provisioning = Path.of("docker").resolve(grafanaMounts.get("/etc/grafana/provisioning")).normalize();
        Path dashboardFile = dashboards.resolve("one-fed-upgrade.json");
        assertThat(dashboardFile).exists();
        JsonNode dashboard = new ObjectMapper().readTree(dashboardFile.toFile());

        List<String> exprs = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> exprs.add(e.asText()));
        assertThat(exprs).isNotEmpty();
        Pattern metric = Pattern.compile("\\bonefed_[a-z0-9_]+");
        List<String> queried = new ArrayList<>();
        for (String expr : exprs) {
            Matcher m = metric.matcher(expr);
            boolean any = false;
            while (m.find()) {
                queried.add(m.group());
                any = true;
            }
            assertThat(any).as("query %s reads an upgrade metric", expr).isTrue();
        }
        assertThat(queried).as("every metric the dashboard queries is exported (UpgradeMetrics)")
                .allSatisfy(name -> assertThat(UpgradeMetrics.PROMETHEUS_NAMES).contains(name));
        // and each exported metric has a panel (a histogram through any of its series)
        for (String exported : List.of(UpgradeMetrics.UPGRADES, UpgradeMetrics.ZONES, UpgradeMetrics.COMMAND_DURATION,
                UpgradeMetrics.APPROVALS_WAITING, UpgradeMetrics.APPROVALS_OLDEST_AGE, UpgradeMetrics.INCIDENTS_OPEN,
                UpgradeMetrics.LAST_API_FREEZE, UpgradeMetrics.LAST_API_FROZEN, UpgradeMetrics.REFRESH_AGE)) {
            String prefix = exported.replace('.', '_');
            assertThat(queried).as("a panel shows %s", exported).anySatisfy(q -> assertThat(q).startsWith(prefix));
        }

        // every panel reads the provisioned data source, and the provisioned dashboards are the mounted ones
        Map<String, Object> datasources = new Yaml().load(Files.readString(provisioning.resolve("datasources/prometheus.yaml")));
        Map<String, Object> ds = ((List<Map<String, Object>>) datasources.get("datasources")).get(0);
        assertThat(ds.get("url")).isEqualTo("http://prometheus:9090");
        dashboard.findValues("datasource").forEach(d -> assertThat(d.path("uid").asText()).isEqualTo(ds.get("uid")));
        Map<String, Object> providers = new Yaml().load(Files.readString(provisioning.resolve("dashboards/one-fed-upgrade.yaml")));
        Map<String, Object> provider = ((List<Map<String, Object>>) providers.get("providers")).get(0);
        assertThat(((Map<String, Object>) provider.get("options")).get("path")).isEqualTo("/var/lib/grafana/dashboards");
        assertThat(String.valueOf(service("grafana").get("environment"))).doesNotContain("GF_SECURITY_ADMIN_PASSWORD=");
    }
}
