package io.onefed.upgrade.benchmark;

import io.onefed.upgrade.resilience.ResumeScenario;
import io.onefed.upgrade.simulator.SimulatedFederation;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Issue 15's "resume after a crash" figures for the benchmark's table: with the settings the README gives for
 * production, the service is killed (SIGKILL) during a zone stop, during the master's package upgrade and during a
 * slave batch and restarted at once (restart to the next command on a host), and a two-node cluster loses the node
 * inside the master's package step (its death to the other node's next command). The scenarios are the
 * resilience suite's ({@link ResumeScenario}); this only runs them on a fresh simulated federation each and
 * returns the rows. It needs the PostgreSQL the resilience tests use (their {@code PostgresServer}).
 *
 * <p>Use: {@code List<ResumeMeasurement.Row> rows = new ResumeMeasurement().measure(workDir);} (about 5 minutes),
 * each row's {@code point()} and {@code seconds()}; {@code longestJobSeconds()} is the longest job hold seen.
 */
public class ResumeMeasurement {

    /** One table row: the kill point, the seconds to the next command on a host, the longest job hold of the run. */
    public record Row(String point, double seconds, double longestJobSeconds, String detail) {
    }

    /** Four rows: the three restarts, then the two-node take-over. The simulated hosts go under {@code workDir}. */
    public List<Row> measure(Path workDir) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (SimulatedFederation sim = ResumeScenario.federation(workDir, "bench-resume")) {
            ResumeScenario.Restarts restarts = ResumeScenario.upgradeWithThreeRestarts(sim, "bench_resume");
            requireCompleted(restarts.end());
            for (ResumeScenario.Row r : restarts.rows()) {
                rows.add(new Row(r.point(), r.seconds(), restarts.longestJob().toMillis() / 1000.0, r.detail()));
            }
        }
        try (SimulatedFederation sim = ResumeScenario.federation(workDir, "bench-takeover")) {
            ResumeScenario.Takeover takeover = ResumeScenario.takeover(sim, "bench_takeover");
            requireCompleted(takeover.end());
            rows.add(new Row(takeover.row().point(), takeover.row().seconds(),
                    takeover.longestJob().toMillis() / 1000.0, takeover.row().detail()));
        }
        return rows;
    }

    private static void requireCompleted(com.fasterxml.jackson.databind.JsonNode end) {
        if (!"completed".equals(end.path("state").asText())) {
            throw new IllegalStateException("the measured upgrade did not complete: " + end);
        }
    }
}
