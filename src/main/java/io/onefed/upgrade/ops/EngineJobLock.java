package io.onefed.upgrade.ops;

import io.onefed.upgrade.steps.JobLock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.JobEntity;

/**
 * The lock of the job the engine runs on this thread: its expiry as the engine loaded it, less the lock time (the
 * same measure {@link JobLockTimer} times jobs by). A job run by hand, or code outside a job, holds none.
 */
final class EngineJobLock implements JobLock {

    private final Duration lockTime;

    EngineJobLock(Duration lockTime) {
        this.lockTime = lockTime;
    }

    @Override
    public Optional<Instant> lockedAt() {
        CommandContext context = Context.getCommandContext();
        JobEntity job = context == null ? null : context.getCurrentJob();
        return Optional.ofNullable(job).map(JobEntity::getLockExpirationTime).map(expiry -> lockedAt(expiry, lockTime));
    }

    @Override
    public Optional<String> jobId() {
        CommandContext context = Context.getCommandContext();
        return Optional.ofNullable(context == null ? null : context.getCurrentJob()).map(JobEntity::getId);
    }

    @Override
    public Optional<String> activityId() {
        CommandContext context = Context.getCommandContext();
        return Optional.ofNullable(context == null ? null : context.getCurrentJob()).map(JobEntity::getActivityId);
    }

    @Override
    public Optional<Instant> ranFrom() {
        return JobLockTimer.currentJobBegan();
    }

    static Instant lockedAt(Date lockExpiry, Duration lockTime) {
        return lockExpiry.toInstant().minus(lockTime);
    }
}
