package io.onefed.upgrade.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import io.onefed.upgrade.plan.ApprovedPlanGuard;
import io.onefed.upgrade.steps.RemoteStepRunner;
import io.onefed.upgrade.steps.RemoteStepRunner.State;
import io.onefed.upgrade.steps.RemoteStepService;
import io.onefed.upgrade.steps.ZoneStep;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link StepPoll}: the approval is checked before an attempt's first command only, and nothing runs when refused. */
class StepPollTest {

    static final Instant NOW = Instant.parse("2026-12-01T18:00:00Z");
    static final RemoteStepService.Request REQUEST = new RemoteStepService.Request("U1", 0, ZoneStep.UPGRADE_DB, 1, 1,
            "6.10.0", "7.0.1", null, null);

    final RemoteStepService service = mock(RemoteStepService.class);
    final ApprovedPlanGuard guard = mock(ApprovedPlanGuard.class);
    final ApprovedPlanGuard.Approved approved = mock(ApprovedPlanGuard.Approved.class);
    final StepPoll poll = new StepPoll(service, guard, Duration.ofMinutes(30), Clock.fixed(NOW, ZoneOffset.UTC));

    static RemoteStepRunner.Progress running(String... keys) {
        return new RemoteStepRunner.Progress(State.RUNNING, List.of(), null, NOW, List.of(keys));
    }

    @Test
    void theFirstPollOfAnAttemptChecksTheApprovalThenStartsAndStartsTheTimeoutClock() {
        when(service.advance(REQUEST, Set.of())).thenReturn(running("U1-z0-upgrade-db-a1.1-fe0"));

        StepPoll.Result r = poll.poll(REQUEST, () -> approved, Set.of(), null);

        verify(guard).checkStep(approved, REQUEST);
        assertThat(r.waitingSince()).isEqualTo(NOW);
        assertThat(r.newKeys()).as("the started key must be committed").isTrue();
        assertThat(r.verdict().state()).isEqualTo("RUNNING");
    }

    @Test
    void laterPollsAttachWithoutReadingOrCheckingTheApprovalAndTimeOutFromTheFirstPoll() {
        Set<String> known = Set.of("U1-z0-upgrade-db-a1.1-fe0");
        when(service.advance(REQUEST, known)).thenReturn(running("U1-z0-upgrade-db-a1.1-fe0"));

        StepPoll.Result r = poll.poll(REQUEST, () -> {
            throw new AssertionError("a later poll read the approved values");
        }, known, NOW.minus(Duration.ofMinutes(31)));

        verify(guard, never()).checkStep(any(), any());
        assertThat(r.newKeys()).isFalse();
        assertThat(r.verdict().state()).as("still running after the 30 min step timeout").isEqualTo("FAILED");
    }

    @Test
    void aRefusedApprovalRunsNothing() {
        doThrow(new ApprovedPlanGuard.NotApprovedException("not approved: test")).when(guard).checkStep(approved, REQUEST);

        assertThatThrownBy(() -> poll.poll(REQUEST, () -> approved, Set.of(), null)).hasMessageContaining("not approved");
        verifyNoInteractions(service);
    }
}
