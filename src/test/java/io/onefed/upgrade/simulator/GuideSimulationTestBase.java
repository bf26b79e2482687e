package io.onefed.upgrade.simulator;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests of the simulator's hosts: the guide's federation started in a temp directory before each test, with an
 * SSH client to its hosts, and closed after it (a test may replace {@link #sim} with another spec; the replaced
 * one must be closed by the test, the last one is closed here).
 */
abstract class GuideSimulationTestBase {

    @TempDir
    Path tmp;

    SimulatedFederation sim;
    SimClient ssh;

    @BeforeEach
    void startGuideFederation() {
        sim = SimulatedFederation.guide(tmp);
        ssh = new SimClient(sim);
    }

    @AfterEach
    void closeFederation() {
        sim.close();
    }
}
