package io.onefed.upgrade.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.steps.CommandRecord;
import io.onefed.upgrade.steps.RemoteStepRunner;
import io.onefed.upgrade.steps.RemoteStepRunner.State;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link StepVerdict}: remote-step's timeout policy, which RunStepCommands used to decide inline. */
class StepVerdictTest {

    static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");
    static final Duration TIMEOUT = Duration.ofMinutes(10);

    static CommandRecord record(String server, String state, Integer exit) {
        return new CommandRecord("Z", server, "10.0.0.1", "onedb upgrade -v", "k-" + server, state, exit, "", "boom",
                false, null, T0, null, false);
    }

    static RemoteStepRunner.Progress progress(State state, CommandRecord... records) {
        CommandRecord failure = state == State.FAILED ? records[0] : null;
        return new RemoteStepRunner.Progress(state, List.of(records), failure, T0, List.of());
    }

    @Test
    void aRunningStepKeepsLoopingUpToTheTimeoutIncluded() {
        RemoteStepRunner.Progress p = progress(State.RUNNING, record("fe0", "RUNNING", null));
        assertThat(StepVerdict.of("Upgrade the DB", p, T0, T0.plus(TIMEOUT), TIMEOUT))
                .isEqualTo(new StepVerdict("RUNNING", null, null));
    }

    /**
     * A hung command must reach an operator instead of polling for ever, and the servers still running are the ones
     * "skip failed hosts" leaves out (not the ones that finished well, not a vanished run: that one is unknown).
     */
    @Test
    void aStepStillRunningAfterTheTimeoutFailsNamingTheServersStillRunning() {
        RemoteStepRunner.Progress p = progress(State.RUNNING, record("fe0", "FINISHED", 0), record("fe1", "RUNNING", null),
                record("fe2", CommandRecord.VANISHED, null));
        StepVerdict v = StepVerdict.of("Upgrade the DB", p, T0, T0.plus(TIMEOUT).plusSeconds(1), TIMEOUT);
        assertThat(v.state()).isEqualTo("FAILED");
        assertThat(v.failedServers()).isEqualTo("fe1");
        assertThat(v.failure()).startsWith("Upgrade the DB is still running after PT10M").contains("'wait' keeps waiting");
    }

    @Test
    void aFailedStepNamesTheServersThatExitedNonZeroOrVanished() {
        RemoteStepRunner.Progress p = progress(State.FAILED, record("fe1", "FINISHED", 2), record("fe0", "FINISHED", 0),
                record("fe2", CommandRecord.VANISHED, null), record("fe1", "FINISHED", 1));
        StepVerdict v = StepVerdict.of("Upgrade the DB", p, T0, T0, TIMEOUT);
        assertThat(v.state()).isEqualTo("FAILED");
        assertThat(v.failedServers()).isEqualTo("fe1,fe2");
        // more than one failed host: the form says how many and names them (the full list is in stepFailedServers)
        assertThat(v.failure()).startsWith("Upgrade the DB failed [2 hosts: fe1, fe2]: 'onedb upgrade -v' on fe1")
                .contains("exited 2");
    }

    @Test
    void aSucceededStepHasNoFailure() {
        assertThat(StepVerdict.of("x", progress(State.SUCCEEDED, record("fe0", "FINISHED", 0)), T0,
                T0.plus(Duration.ofDays(1)), TIMEOUT)).isEqualTo(new StepVerdict("SUCCEEDED", null, null));
    }
}
