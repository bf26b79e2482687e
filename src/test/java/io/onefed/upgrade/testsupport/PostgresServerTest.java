package io.onefed.upgrade.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** A private server: real PostgreSQL, not as root, on loopback, gone after close. */
class PostgresServerTest {

    @Test
    void startsAnswersAsAnUnprivilegedUserAndStopsCleanly() throws Exception {
        Path dataDir;
        String url;
        try (PostgresServer server = PostgresServer.start()) {
            dataDir = server.dataDirectory();
            assertThat(dataDir).startsWithRaw(Path.of("target").toAbsolutePath());
            url = server.createDatabase("probe");
            try (Connection c = DriverManager.getConnection(url, server.username(), server.password());
                 Statement s = c.createStatement()) {
                ResultSet version = s.executeQuery("SELECT current_setting('server_version_num')::int,"
                        + " current_setting('listen_addresses'), current_database()");
                assertThat(version.next()).isTrue();
                assertThat(version.getInt(1)).isGreaterThan(100000);
                assertThat(version.getString(2)).isEqualTo("127.0.0.1");
                assertThat(version.getString(3)).isEqualTo("probe");
            }
            // the server process does not run as root (it would refuse to), whoever runs the tests
            long postmasterPid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
            String owner = ProcessHandle.of(postmasterPid).orElseThrow().info().user().orElseThrow();
            assertThat(owner).isNotEqualTo("root");
            // the password is required: scram-sha-256, not trust
            assertThatThrownBy(() -> DriverManager.getConnection(url, server.username(), "wrong"))
                    .isInstanceOf(SQLException.class);
        }
        assertThat(dataDir).doesNotExist();
        assertThatThrownBy(() -> DriverManager.getConnection(url, PostgresServer.SUPERUSER, "x"))
                .isInstanceOf(SQLException.class);
    }
}
