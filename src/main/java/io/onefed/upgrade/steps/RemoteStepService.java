package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.ssh.DetachedRuns;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Runs one {@link ZoneStep} of one zone through the exactly-once detached runs. The idempotency key of each
 * host's run is {@code <upgrade>-z<zone>-<step>-a<zoneAttempt>.<stepAttempt>-<server>}: the same key after a
 * crash, a job retry or on another cluster node attaches to the run already there; only an operator's
 * "retry" raises an attempt number and so runs the command again, on purpose.
 */
public class RemoteStepService {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RemoteStepService.class);

    private final FederationProperties federation;
    private final ZoneCommands commands;
    private final RemoteStepRunner runner;
    private final DetachedRuns runs;
    private final FinishedRuns finished;

    public RemoteStepService(FederationProperties federation, ZoneCommands commands, DetachedRuns runs,
            Duration pollBudget) {
        this(federation, commands, runs, pollBudget, FinishedRuns.NONE);
    }

    /** @param finished told of the step's commands when the step ends (the command duration metrics) */
    public RemoteStepService(FederationProperties federation, ZoneCommands commands, DetachedRuns runs,
            Duration pollBudget, FinishedRuns finished) {
        this(federation, commands, runs, pollBudget, finished, JobLock.NONE);
    }

    /** @param jobLock the lock of the engine job that advances a step: its budget counts from it */
    public RemoteStepService(FederationProperties federation, ZoneCommands commands, DetachedRuns runs,
            Duration pollBudget, FinishedRuns finished, JobLock jobLock) {
        this.federation = federation;
        this.commands = commands;
        this.runner = new RemoteStepRunner(runs, pollBudget, jobLock);
        this.runs = runs;
        this.finished = finished;
    }

    /** @param zonePackageVersions the preflight's exact package version per zone ({@link PackageVersions}) */
    public record Request(String upgradeId, int zoneId, ZoneStep step, int zoneAttempt, int stepAttempt,
            String fromVersion, String targetVersion, String zoneLeaders, String federatedBackupPath,
            String zonePackageVersions,
            /** The master's shared tables version, for a slave's federated restore check; null elsewhere. */
            String masterSharedVersion,
            /** The hypervisor hosts of the upgrade-nodes step ({@link NodeHosts}), or null. */
            String zoneNodes) {

        public Request(String upgradeId, int zoneId, ZoneStep step, int zoneAttempt, int stepAttempt,
                String fromVersion, String targetVersion, String zoneLeaders, String federatedBackupPath) {
            this(upgradeId, zoneId, step, zoneAttempt, stepAttempt, fromVersion, targetVersion, zoneLeaders,
                    federatedBackupPath, null, null, null);
        }
    }

    public RemoteStepRunner.Progress advance(Request r) {
        return advance(r, Set.of());
    }

    /** @param startedKeys the keys of this step an earlier, committed advance started ({@code Progress.startedKeys}) */
    public RemoteStepRunner.Progress advance(Request r, Set<String> startedKeys) {
        if (startedKeys.isEmpty()) {
            connectAheadOfNodes(r);
        }
        return reported(r, runner.advance(keyPrefix(r), commands.commands(r.step(), context(r)), startedKeys));
    }

    /** The step's first advance, starts only ({@link RemoteStepRunner#start}): nothing is awaited. */
    public RemoteStepRunner.Progress start(Request r) {
        connectAheadOfNodes(r);
        return reported(r, runner.start(keyPrefix(r), commands.commands(r.step(), context(r))));
    }

    /**
     * Once a zone's services are starting (several seconds), the sessions of its hypervisor hosts are connected in
     * the background (through the front-end, whose sshd stays up; before the services' own start, which they do not wait for), so the hosts' step after the API check starts
     * on connected sessions instead of waiting for new connects first (0.1 s at 1 slave, 0.8 s at 10 measured). It
     * runs nothing on a host; a connect that fails is dropped once stale, and the hosts' step connects again.
     */
    private void connectAheadOfNodes(Request r) {
        if (r.step() != ZoneStep.START_SERVICES || r.zoneNodes() == null || r.zoneNodes().isBlank()) {
            return;
        }
        try {
            for (List<HostCommand> group : commands.commands(ZoneStep.UPGRADE_NODES, context(r))) {
                for (HostCommand hc : group) {
                    runs.connectAhead(hc.target());
                }
            }
        } catch (RuntimeException e) {
            // a head start only: the hosts' step renders and connects on its own
            LOG.debug("no connects ahead of the hypervisor hosts of zone {}: {}", r.zoneId(), e.getMessage());
        }
    }

    private RemoteStepRunner.Progress reported(Request r, RemoteStepRunner.Progress progress) {
        if (progress.state() != RemoteStepRunner.State.RUNNING) {
            // the step's last advance: each run is reported once here, not at every poll that finds it finished
            for (CommandRecord run : progress.records()) {
                if (run.started() != null && run.finished() != null) {
                    finished.finished(r.step(), run);
                }
            }
        }
        return progress;
    }

    /** The commands the step would run, for the plan and the approval forms; touches nothing. */
    public List<List<HostCommand>> plan(Request r) {
        return commands.commands(r.step(), context(r));
    }

    StepContext context(Request r) {
        ZoneProperties zone = federation.byId(r.zoneId());
        StepContext onLeader = StepContext.onLeader(r.upgradeId(), zone, r.fromVersion(), r.targetVersion(), r.zoneLeaders());
        return new StepContext(onLeader.upgradeId(), zone, onLeader.from(), onLeader.target(), onLeader.leaderServer(),
                r.federatedBackupPath(), PackageVersions.forZone(r.zonePackageVersions(), zone.id()),
                r.masterSharedVersion(), r.zoneNodes());
    }

    static String keyPrefix(Request r) {
        return r.upgradeId() + "-z" + r.zoneId() + "-" + r.step().id() + "-a" + r.zoneAttempt() + "." + r.stepAttempt();
    }
}
