package io.onefed.upgrade.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.simulator.SimulatedFederation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The jar's {@code plan} command against the simulated guide federation (real XML-RPC, nothing changed). */
class PlanCommandTest {

    static SimulatedFederation sim;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws Exception {
        sim = SimulatedFederation.start(SimulatedFederation.guideSpec(),
                Files.createTempDirectory(Path.of("target").toAbsolutePath(), "plan-command-"));
    }

    @AfterAll
    static void stop() {
        if (sim != null) {
            sim.close();
        }
    }

    int run(String... extra) {
        List<String> args = new ArrayList<>();
        sim.properties().forEach((k, v) -> args.add("--" + k + "=" + v));
        args.add("--FEDERATION_CONFIG=target/no-federation-config.yaml");
        args.addAll(List.of(extra));
        return PlanCommand.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void printsEveryCommandInOrderWithTheHashAndTouchesNothing() {
        int code = run("--target-version=7.0.0");
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(text).contains("Upgrade plan DRYRUN: OpenNebula 6.10.0.1 -> 7.0.0").containsPattern("Plan SHA-256: [0-9a-f]{64}");
        assertThat(text.indexOf("one.zone.enable 100 false")).isLessThan(text.indexOf("one.zone.enable 0 false"));
        assertThat(text.indexOf("[M-EU-FR] Upgrade OpenNebula packages")).isLessThan(text.indexOf("--federated"));
        assertThat(text.indexOf("--federated")).isLessThan(text.indexOf("[S-EU-GE] Restore federated tables"));
        for (int zone : sim.zoneIds()) {
            assertThat(sim.commandLog(zone, "onedb")).isEmpty();
            assertThat(sim.commandLog(zone, "systemctl")).isEmpty();
        }
    }

    @Test
    void sameFederationSameHash() {
        run("--target-version=7.0.0", "--format=json");
        String first = out.toString(StandardCharsets.UTF_8);
        out.reset();
        run("--target-version=7.0.0", "--format=json");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(first).contains("\"sha256\"");
    }

    @Test
    void aTargetThatIsNoUpgradeIsRefusedWithTheField() {
        assertThat(run("--target-version=6.8.0")).isEqualTo(PlanCommand.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("targetVersion: 6.8.0 is not newer than the running 6.10.0");
        err.reset();
        assertThat(run()).isEqualTo(PlanCommand.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--target-version is required");
    }
}
