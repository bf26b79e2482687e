package io.onefed.upgrade.process;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.steps.BackupCopies;
import io.onefed.upgrade.steps.BackupTransfer;
import io.onefed.upgrade.steps.ApiAccess;
import io.onefed.upgrade.steps.HostFencing;
import io.onefed.upgrade.steps.PostChecks;
import io.onefed.upgrade.steps.PreflightService;
import io.onefed.upgrade.steps.RemoteStepService;
import io.onefed.upgrade.steps.StopVerifier;
import io.onefed.upgrade.steps.ZoneApiCheck;
import io.onefed.upgrade.steps.ZoneCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.mock.Mocks;

/** Registers the real delegates over a {@link FakeFederation} and drives the engine's jobs deterministically. */
final class ProcessTestSupport {

    static final ProcessSettings SETTINGS = new ProcessSettings("R1/PT1S", Duration.ZERO, Duration.ofHours(2),
            Duration.ofSeconds(5), Duration.ofMinutes(10), Duration.ofSeconds(30), 2, 1L, 10);

    private ProcessTestSupport() {
    }

    /** Told of the finished commands by the steps {@link #register} wires (a test sets it first, resets it after). */
    static io.onefed.upgrade.steps.FinishedRuns finishedRuns = io.onefed.upgrade.steps.FinishedRuns.NONE;

    /**
     * The job these tests run by hand (no lock in the engine) as if the job executor had just locked it, so a step
     * started inside a job starts there ({@link EarlyStart}), as in the service; outside a job nothing is locked.
     */
    static final io.onefed.upgrade.steps.JobLock JOB_RUN_BY_HAND = new io.onefed.upgrade.steps.JobLock() {
        @Override
        public java.util.Optional<java.time.Instant> lockedAt() {
            return currentJob().map(job -> java.time.Instant.now());
        }

        @Override
        public java.util.Optional<String> jobId() {
            return currentJob().map(org.camunda.bpm.engine.impl.persistence.entity.JobEntity::getId);
        }

        @Override
        public java.util.Optional<String> activityId() {
            return currentJob().map(org.camunda.bpm.engine.impl.persistence.entity.JobEntity::getActivityId);
        }

        private java.util.Optional<org.camunda.bpm.engine.impl.persistence.entity.JobEntity> currentJob() {
            org.camunda.bpm.engine.impl.interceptor.CommandContext context =
                    org.camunda.bpm.engine.impl.context.Context.getCommandContext();
            return java.util.Optional.ofNullable(context == null ? null : context.getCurrentJob());
        }
    };

    static void register(FakeFederation fed) {
        register(fed, io.onefed.upgrade.notify.Notifier.NONE, ApprovalSettings.defaults());
    }

    static io.onefed.upgrade.plan.PlanService planService(FakeFederation fed,
            io.onefed.upgrade.federation.FederationProperties properties) {
        FederationProperties zones = properties;
        return new io.onefed.upgrade.plan.PlanService(zones,
                new RemoteStepService(zones, new ZoneCommands(), fed, Duration.ZERO),
                new io.onefed.upgrade.steps.FederationProbe(fed));
    }

    static void register(FakeFederation fed, io.onefed.upgrade.notify.Notifier notifier, ApprovalSettings approvals) {
        register(fed, fed.properties, notifier, approvals);
    }

    /** The delegates as a service started with {@code properties} as its configuration would have them. */
    static void register(FakeFederation fed, io.onefed.upgrade.federation.FederationProperties properties,
            io.onefed.upgrade.notify.Notifier notifier, ApprovalSettings approvals) {
        FederationProperties zones = properties;
        Clock clock = Clock.systemUTC();
        BackupTransfer transfer = new BackupTransfer(fed, fed);
        Mocks.register("retryPolicy", new RetryPolicy(SETTINGS));
        Mocks.register("zoneIdList", new ZoneIdList());
        Mocks.register("subProcessInputs", new SubProcessInputs());
        io.onefed.upgrade.plan.ApprovedPlanGuard guard = new io.onefed.upgrade.plan.ApprovedPlanGuard(
                planService(fed, properties), zones);
        Mocks.register("runStepCommandsDelegate", new RunStepCommandsDelegate(new StepPoll(
                new RemoteStepService(zones, new ZoneCommands(), fed, Duration.ZERO, finishedRuns), guard,
                SETTINGS.stepTimeout(), clock)));
        Mocks.register("startStepCommandsDelegate", new StartStepCommandsDelegate(new StepPoll(
                new RemoteStepService(zones, new ZoneCommands(), fed, Duration.ZERO, finishedRuns), guard,
                SETTINGS.stepTimeout(), clock), new EarlyStart(JOB_RUN_BY_HAND, Duration.ofSeconds(4), clock)));
        Mocks.register("prepareNextAttemptDelegate", new PrepareNextAttemptDelegate());
        Mocks.register("prepareStopAgainDelegate", new PrepareStopAgainDelegate());
        Mocks.register("prepareStopRetryDelegate", new PrepareStopRetryDelegate());
        Mocks.register("prepareSlaveRetryDelegate", new PrepareSlaveRetryDelegate());
        Mocks.register("zoneFactsListener", new ZoneFactsListener(zones));
        Mocks.register("proveStoppedDelegate", new ProveStoppedDelegate(zones, new StopVerifier(fed)));
        BackupCopies backups = new BackupCopies(transfer, new io.onefed.upgrade.steps.DbVersionReader(fed));
        Mocks.register("copyFederatedBackupDelegate", new CopyFederatedBackupDelegate(zones, backups, guard));
        Mocks.register("copyLeaderDumpDelegate", new CopyLeaderDumpDelegate(zones, backups));
        Mocks.register("copyLeaderConfigDelegate", new CopyLeaderConfigDelegate(zones, backups));
        Mocks.register("copyRollbackBackupDelegate", new CopyRollbackBackupDelegate(zones, backups));
        Mocks.register("assessZoneChangesDelegate", new AssessZoneChangesDelegate(zones,
                new io.onefed.upgrade.steps.RollbackScope(fed)));
        Mocks.register("checkZoneApiDelegate", new CheckZoneApiDelegate(zones, new ZoneApiCheck(fed), SETTINGS.apiDeadline(), clock));
        Mocks.register("runPreflightDelegate", new RunPreflightDelegate(new PreflightService(zones, fed, fed, 1024),
                new io.onefed.upgrade.steps.NodeHosts(zones, fed), SETTINGS.stepPollBudget()));
        Mocks.register("skipFailedHostsDelegate", new SkipFailedHostsDelegate());
        HostFencing hosts = new HostFencing(zones, fed);
        ApiAccess api = new ApiAccess(zones, fed);
        Mocks.register("recordEnabledHostsDelegate", new RecordEnabledHostsDelegate(hosts));
        Mocks.register("disableHostsDelegate", new DisableHostsDelegate(hosts));
        Mocks.register("enableHostsDelegate", new EnableHostsDelegate(hosts));
        Mocks.register("blockApiAccessDelegate", new BlockApiAccessDelegate(api));
        Mocks.register("enableApiAccessDelegate", new EnableApiAccessDelegate(api));
        Mocks.register("reenableZonesAfterRollbackDelegate", new ReenableZonesAfterRollbackDelegate(api));
        Mocks.register("reenableHostsAfterRollbackDelegate", new ReenableHostsAfterRollbackDelegate(hosts));
        Mocks.register("checksumBackupDelegate", new ChecksumBackupDelegate(zones, backups));
        Mocks.register("collectSlaveOutcomesDelegate", new CollectSlaveOutcomesDelegate());
        Mocks.register("runPostChecksDelegate", new RunPostChecksDelegate(new PostChecks(zones, fed)));
        Mocks.register("outcomeListener", new OutcomeListener());
        Mocks.register("approvalListener", new ApprovalListener(clock, approvals, notifier));
        Mocks.register("renderPlanDelegate", new RenderPlanDelegate(planService(fed, properties)));
        Mocks.register("checkApprovedPlanDelegate", new CheckApprovedPlanDelegate(planService(fed, properties), guard));
        Mocks.register("approvalDeadline", new ApprovalDeadline(approvals));
        Mocks.register("approvalReminder", new io.onefed.upgrade.notify.ApprovalReminder(notifier));
        Mocks.register("upgradeEndedListener", new io.onefed.upgrade.notify.UpgradeEndedListener(notifier));
        // rolling-upgrade (issue 14)
        Mocks.register("recordZoneHostsDelegate", new RecordZoneHostsDelegate(hosts));
        Mocks.register("disableZoneHostsDelegate", new DisableZoneHostsDelegate(hosts));
        Mocks.register("enableZoneHostsDelegate", new EnableZoneHostsDelegate(hosts));
        Mocks.register("collectBatchOutcomesDelegate", new CollectBatchOutcomesDelegate());
        Mocks.register("confirmSharedVersionDelegate", new ConfirmSharedVersionDelegate(zones,
                new io.onefed.upgrade.releases.SharedVersionConfirmation(new io.onefed.upgrade.steps.DbVersionReader(fed))));
    }

    static Map<String, Object> startVariables(FakeFederation fed, String target, int maxParallel) {
        Map<String, Object> vars = new HashMap<>();
        vars.put("upgradeId", "U20261123-120000-ab12");
        vars.put("targetVersion", target);
        vars.put("maxParallelZones", maxParallel);
        vars.put("startedBy", "operator1");
        vars.put("masterZoneId", 0);
        List<Integer> slaves = fed.zones.keySet().stream().filter(id -> id != 0).toList();
        vars.put("slaveZoneIds", ZoneIdList.csv(slaves));
        vars.put("allZoneIds", ZoneIdList.csv(List.copyOf(fed.zones.keySet())));
        vars.put("fedIndexRechecksLeft", SETTINGS.fedIndexRechecks());
        vars.put("stopAttempt", 1);
        vars.put("masterAttempt", 1);
        vars.put("slaveAttempt", 1);
        return vars;
    }

    /** Does {@code action} as {@code user} (the engine's authenticated user), then runs the jobs it made due. */
    static void as(ProcessEngine engine, String user, Runnable action) {
        engine.getIdentityService().setAuthenticatedUserId(user);
        try {
            action.run();
        } finally {
            engine.getIdentityService().clearAuthentication();
        }
        runJobs(engine);
    }

    /**
     * Runs every executable job (timers only when due) until none is left or a failing job has no retries left.
     * Jobs that throw are counted down like the job executor does, so incidents appear as in production.
     */
    static void runJobs(ProcessEngine engine) {
        ManagementService management = engine.getManagementService();
        for (int round = 0; round < 10_000; round++) {
            List<Job> jobs = management.createJobQuery().executable().list();
            if (jobs.isEmpty()) {
                return;
            }
            for (Job job : jobs) {
                try {
                    management.executeJob(job.getId());
                } catch (RuntimeException e) {
                    // the engine has counted the retry down; with none left it raised an incident
                }
            }
        }
        throw new IllegalStateException("jobs keep coming after 10000 rounds: an endless loop in the model?");
    }

    /** Makes due every timer that is waiting, as if its time had passed. */
    static void fireTimers(ProcessEngine engine) {
        ManagementService management = engine.getManagementService();
        management.createJobQuery().timers().list().forEach(j -> management.setJobDuedate(j.getId(), new java.util.Date(0)));
    }

    static Task task(ProcessEngine engine, String taskDefinitionKey) {
        List<Task> tasks = engine.getTaskService().createTaskQuery().taskDefinitionKey(taskDefinitionKey).list();
        if (tasks.size() != 1) {
            throw new AssertionError("expected one task " + taskDefinitionKey + ", found " + tasks.size() + ": "
                    + engine.getTaskService().createTaskQuery().list().stream().map(Task::getTaskDefinitionKey).toList());
        }
        return tasks.get(0);
    }

    static void decide(ProcessEngine engine, String taskDefinitionKey, String decision, String comment) {
        Map<String, Object> vars = new HashMap<>();
        vars.put("decision", decision);
        vars.put("comment", comment);
        engine.getTaskService().complete(task(engine, taskDefinitionKey).getId(), vars);
    }
}
