package io.onefed.upgrade.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cmd.ExecuteJobsCmd;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.camunda.bpm.engine.impl.persistence.entity.JobEntity;
import org.camunda.bpm.engine.impl.util.ClockUtil;

/**
 * Times every job the job executor runs from its lock to its commit, for {@link JobRunTimes}. The lock is the one
 * the database holds: its expiry, read from the job as the engine loaded it, less the lock time. So a job that
 * waited behind the others of its acquired batch counts its wait, and a job chained onto the one that created it
 * (locked afresh at its creation) counts from then, which a timer around the executor's batches cannot tell apart.
 * Two command interceptors: one inside the command context notes the job's lock expiry; the outermost one,
 * outside the transaction, takes the time once the commit is done, and tells the flush and commit apart.
 */
final class JobLockTimer extends AbstractProcessEnginePlugin {

    /** The job the current thread's command runs: its lock expiry and activity, noted inside the context. */
    private static final ThreadLocal<Running> RUNNING = new ThreadLocal<>();

    private final JobRunTimes times;

    JobLockTimer(JobRunTimes times) {
        this.times = times;
    }

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        List<CommandInterceptor> pre = configuration.getCustomPreCommandInterceptorsTxRequired() == null
                ? new ArrayList<>() : new ArrayList<>(configuration.getCustomPreCommandInterceptorsTxRequired());
        pre.add(0, new AfterCommit());
        configuration.setCustomPreCommandInterceptorsTxRequired(pre);
        List<CommandInterceptor> post = configuration.getCustomPostCommandInterceptorsTxRequired() == null
                ? new ArrayList<>() : new ArrayList<>(configuration.getCustomPostCommandInterceptorsTxRequired());
        post.add(new InsideContext());
        configuration.setCustomPostCommandInterceptorsTxRequired(post);
    }

    /** When the job the job executor runs on this thread began to run (its command, after any wait for a thread). */
    static java.util.Optional<java.time.Instant> currentJobBegan() {
        Running running = RUNNING.get();
        return running == null ? java.util.Optional.empty() : java.util.Optional.of(running.began.toInstant());
    }

    /** How long a job locked until {@code lockExpiry} has held its lock at {@code now}. */
    static Duration hold(Date lockExpiry, Date now, Duration lockTime) {
        return lockTime.minus(Duration.ofMillis(lockExpiry.getTime() - now.getTime()));
    }

    private static final class Running {
        final Date began = ClockUtil.getCurrentTime();
        Date lockExpiry;
        String activity;
        /** When the job's run ended, before the engine's flush and commit (System.nanoTime()). */
        long ranUntil;
    }

    /** Outermost: after the job's transaction has committed (or failed), records its hold. */
    private final class AfterCommit extends CommandInterceptor {
        @Override
        public <T> T execute(Command<T> command) {
            if (!(command instanceof ExecuteJobsCmd)) {
                return next.execute(command);
            }
            Running running = new Running();
            RUNNING.set(running);
            try {
                return next.execute(command);
            } finally {
                RUNNING.remove();
                // a job run by hand (ManagementService.executeJob) holds no lock: nothing to time
                if (running.lockExpiry != null) {
                    times.record(hold(running.lockExpiry, ClockUtil.getCurrentTime(), times.lockTime()),
                            hold(running.lockExpiry, running.began, times.lockTime()),
                            Duration.ofNanos(System.nanoTime() - running.ranUntil), running.activity);
                }
            }
        }
    }

    /** Inside the command context, after the job ran and before the commit: notes the job's lock. */
    private static final class InsideContext extends CommandInterceptor {
        @Override
        public <T> T execute(Command<T> command) {
            if (!(command instanceof ExecuteJobsCmd)) {
                return next.execute(command);
            }
            try {
                return next.execute(command);
            } finally {
                Running running = RUNNING.get();
                CommandContext context = Context.getCommandContext();
                JobEntity job = context == null ? null : context.getCurrentJob();
                if (running != null && job != null) {
                    running.ranUntil = System.nanoTime();
                    running.lockExpiry = job.getLockExpirationTime();
                    running.activity = job.getActivityId();
                }
            }
        }
    }
}
