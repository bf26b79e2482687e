package io.onefed.upgrade.process;

import io.onefed.upgrade.plan.ApprovedPlanGuard;
import io.onefed.upgrade.steps.RemoteStepRunner;
import io.onefed.upgrade.steps.RemoteStepService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One poll of a remote step, the job of "Run the step's commands": before an attempt's first command the values
 * are checked against the approved plan ({@link ApprovedPlanGuard}: refused, nothing runs); then the step's
 * detached runs are started or attached to and long-polled once; the timeout policy ({@link StepVerdict}) says
 * what the progress means for the model.
 */
public class StepPoll {

    /**
     * @param waitingSince when the attempt's first poll began (the step timeout counts from it)
     * @param newKeys      the poll started runs the step's variables do not list yet: they must be committed
     */
    record Result(RemoteStepRunner.Progress progress, StepVerdict verdict, Instant waitingSince, boolean newKeys) {
    }

    private final RemoteStepService service;
    private final ApprovedPlanGuard guard;
    private final Duration stepTimeout;
    private final Clock clock;

    public StepPoll(RemoteStepService service, ApprovedPlanGuard guard, Duration stepTimeout, Clock clock) {
        this.service = service;
        this.guard = guard;
        this.stepTimeout = stepTimeout;
        this.clock = clock;
    }

    /**
     * @param startedKeys  the keys this step's earlier, committed jobs started: awaited only, never claimed again
     * @param approved     what the start approval covered, asked for on the attempt's first poll only: it is read
     *                     from the root instance, whose variables grow with the federation (at 100 zones that read
     *                     was a tenth of a poll job's CPU), and later polls do not check it
     * @param waitingSince null before the attempt's first poll: only then the approval is checked, since later
     *                     polls attach to the same runs, whose hosts refuse another command under their keys
     */
    Result poll(RemoteStepService.Request request, Supplier<ApprovedPlanGuard.Approved> approved, Set<String> startedKeys,
            Instant waitingSince) {
        Instant now = clock.instant();
        Instant since = waitingSince;
        if (since == null) {
            guard.checkStep(approved.get(), request);
            since = now;
        }
        RemoteStepRunner.Progress progress = service.advance(request, startedKeys);
        StepVerdict verdict = StepVerdict.of(request.step().title(), progress, since, now, stepTimeout);
        return new Result(progress, verdict, since, !startedKeys.containsAll(progress.startedKeys()));
    }

    /**
     * An attempt's first poll that only starts the step's runs ({@link RemoteStepService#start}), in the job that
     * ended the step before ("Start the step's commands"): the approval is checked as on any first poll, and the
     * later polls await the runs it started.
     */
    Result start(RemoteStepService.Request request, Supplier<ApprovedPlanGuard.Approved> approved) {
        Instant now = clock.instant();
        guard.checkStep(approved.get(), request);
        RemoteStepRunner.Progress progress = service.start(request);
        StepVerdict verdict = StepVerdict.of(request.step().title(), progress, now, now, stepTimeout);
        return new Result(progress, verdict, now, !progress.startedKeys().isEmpty());
    }
}
