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

/**
 * There is no Docker engine to try docker/ on, so this keeps it honest: the compose file sets every variable the
 * postgres profile reads, the ports match server.port, and the Dockerfile builds and runs what the README says.
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
        assertThat(services).as("compose services").containsOnlyKeys("app", "db");
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
}
