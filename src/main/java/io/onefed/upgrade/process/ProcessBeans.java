package io.onefed.upgrade.process;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.opennebula.OneClients;
import io.onefed.upgrade.plan.ApprovedPlanGuard;
import io.onefed.upgrade.ssh.DetachedRuns;
import io.onefed.upgrade.ssh.FileTransfer;
import io.onefed.upgrade.ssh.RemoteShell;
import io.onefed.upgrade.steps.ApiAccess;
import io.onefed.upgrade.steps.BackupCopies;
import io.onefed.upgrade.steps.BackupTransfer;
import io.onefed.upgrade.steps.DbVersionReader;
import io.onefed.upgrade.steps.HostFencing;
import io.onefed.upgrade.steps.NodeHosts;
import io.onefed.upgrade.steps.PostChecks;
import io.onefed.upgrade.steps.PreflightService;
import io.onefed.upgrade.steps.RemoteStepService;
import io.onefed.upgrade.steps.StopVerifier;
import io.onefed.upgrade.steps.ZoneApiCheck;
import io.onefed.upgrade.steps.ZoneCommands;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the plain upgrade services (package {@code upgrade}) to the zone clients, and exposes the thin
 * delegates under the names the BPMN uses ({@code ${runStepCommandsDelegate}} ...).
 */
@Configuration
@EnableConfigurationProperties(ProcessSettings.class)
public class ProcessBeans {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    RetryPolicy retryPolicy(ProcessSettings settings) {
        return new RetryPolicy(settings);
    }

    @Bean
    SubProcessInputs subProcessInputs() {
        return new SubProcessInputs();
    }

    @Bean
    ZoneIdList zoneIdList() {
        return new ZoneIdList();
    }

    @Bean
    RemoteStepService remoteStepService(FederationProperties federation, DetachedRuns runs, ProcessSettings settings,
            org.springframework.beans.factory.ObjectProvider<io.onefed.upgrade.steps.FinishedRuns> finished,
            org.springframework.beans.factory.ObjectProvider<io.onefed.upgrade.steps.JobLock> jobLock) {
        // the command duration metrics (package metrics) and the job's lock (package ops) when present
        return new RemoteStepService(federation, new ZoneCommands(), runs, settings.stepPollBudget(),
                finished.getIfAvailable(() -> io.onefed.upgrade.steps.FinishedRuns.NONE),
                jobLock.getIfAvailable(() -> io.onefed.upgrade.steps.JobLock.NONE));
    }

    @Bean
    PreflightService preflightService(FederationProperties federation, OneClients clients, RemoteShell shell,
            ProcessSettings settings) {
        return new PreflightService(federation, clients, shell, settings.minBackupSpaceMb() * 1024);
    }

    @Bean
    BackupTransfer backupTransfer(RemoteShell shell, FileTransfer transfer) {
        return new BackupTransfer(shell, transfer);
    }

    @Bean
    StartStepCommandsDelegate startStepCommandsDelegate(RemoteStepService service, ApprovedPlanGuard guard,
            ProcessSettings settings, Clock clock,
            org.springframework.beans.factory.ObjectProvider<io.onefed.upgrade.steps.JobLock> jobLock) {
        return new StartStepCommandsDelegate(new StepPoll(service, guard, settings.stepTimeout(), clock),
                new EarlyStart(jobLock.getIfAvailable(() -> io.onefed.upgrade.steps.JobLock.NONE),
                        settings.stepPollBudget(), clock));
    }

    @Bean
    RunStepCommandsDelegate runStepCommandsDelegate(RemoteStepService service, ApprovedPlanGuard guard, ProcessSettings settings,
            Clock clock) {
        return new RunStepCommandsDelegate(new StepPoll(service, guard, settings.stepTimeout(), clock));
    }

    @Bean
    PrepareNextAttemptDelegate prepareNextAttemptDelegate() {
        return new PrepareNextAttemptDelegate();
    }

    @Bean
    PrepareStopAgainDelegate prepareStopAgainDelegate() {
        return new PrepareStopAgainDelegate();
    }

    @Bean
    PrepareStopRetryDelegate prepareStopRetryDelegate() {
        return new PrepareStopRetryDelegate();
    }

    @Bean
    PrepareSlaveRetryDelegate prepareSlaveRetryDelegate() {
        return new PrepareSlaveRetryDelegate();
    }

    @Bean
    ZoneFactsListener zoneFactsListener(FederationProperties federation) {
        return new ZoneFactsListener(federation);
    }

    @Bean
    ProveStoppedDelegate proveStoppedDelegate(FederationProperties federation, RemoteShell shell) {
        return new ProveStoppedDelegate(federation, new StopVerifier(shell));
    }

    @Bean
    BackupCopies backupCopies(BackupTransfer transfer, RemoteShell shell, ProcessSettings settings,
            @org.springframework.beans.factory.annotation.Value("${onefed.process.copy-piece-bytes:268435456}")
            long pieceBytes, org.springframework.beans.factory.ObjectProvider<io.onefed.upgrade.steps.JobLock> jobLock) {
        // a copy's piece gets one poll budget from its job's lock, like a poll job: its hold stays under the lock time
        return new BackupCopies(transfer, new DbVersionReader(shell), settings.stepPollBudget(), pieceBytes,
                jobLock.getIfAvailable(() -> io.onefed.upgrade.steps.JobLock.NONE));
    }

    @Bean
    CopyFederatedBackupDelegate copyFederatedBackupDelegate(FederationProperties federation, BackupCopies backups,
            ApprovedPlanGuard guard) {
        return new CopyFederatedBackupDelegate(federation, backups, guard);
    }

    @Bean
    CopyLeaderDumpDelegate copyLeaderDumpDelegate(FederationProperties federation, BackupCopies backups) {
        return new CopyLeaderDumpDelegate(federation, backups);
    }

    @Bean
    CopyLeaderConfigDelegate copyLeaderConfigDelegate(FederationProperties federation, BackupCopies backups) {
        return new CopyLeaderConfigDelegate(federation, backups);
    }

    @Bean
    CopyRollbackBackupDelegate copyRollbackBackupDelegate(FederationProperties federation, BackupCopies backups) {
        return new CopyRollbackBackupDelegate(federation, backups);
    }

    @Bean
    AssessZoneChangesDelegate assessZoneChangesDelegate(FederationProperties federation, RemoteShell shell) {
        return new AssessZoneChangesDelegate(federation, new io.onefed.upgrade.steps.RollbackScope(shell));
    }

    @Bean
    CheckZoneApiDelegate checkZoneApiDelegate(FederationProperties federation, OneClients clients,
            ProcessSettings settings, Clock clock) {
        return new CheckZoneApiDelegate(federation, new ZoneApiCheck(clients), settings.apiDeadline(), clock);
    }

    @Bean
    RunPreflightDelegate runPreflightDelegate(PreflightService preflight, FederationProperties federation,
            OneClients clients, ProcessSettings settings) {
        return new RunPreflightDelegate(preflight, new NodeHosts(federation, clients), settings.stepPollBudget());
    }

    @Bean
    SkipFailedHostsDelegate skipFailedHostsDelegate() {
        return new SkipFailedHostsDelegate();
    }

    @Bean
    HostFencing hostFencing(FederationProperties federation, OneClients clients) {
        return new HostFencing(federation, clients);
    }

    @Bean
    ApiAccess apiAccess(FederationProperties federation, OneClients clients) {
        return new ApiAccess(federation, clients);
    }

    @Bean
    RecordEnabledHostsDelegate recordEnabledHostsDelegate(HostFencing hosts) {
        return new RecordEnabledHostsDelegate(hosts);
    }

    @Bean
    DisableHostsDelegate disableHostsDelegate(HostFencing hosts) {
        return new DisableHostsDelegate(hosts);
    }

    @Bean
    EnableHostsDelegate enableHostsDelegate(HostFencing hosts) {
        return new EnableHostsDelegate(hosts);
    }

    @Bean
    BlockApiAccessDelegate blockApiAccessDelegate(ApiAccess api) {
        return new BlockApiAccessDelegate(api);
    }

    @Bean
    EnableApiAccessDelegate enableApiAccessDelegate(ApiAccess api) {
        return new EnableApiAccessDelegate(api);
    }

    @Bean
    ReenableZonesAfterRollbackDelegate reenableZonesAfterRollbackDelegate(ApiAccess api) {
        return new ReenableZonesAfterRollbackDelegate(api);
    }

    @Bean
    ReenableHostsAfterRollbackDelegate reenableHostsAfterRollbackDelegate(HostFencing hosts) {
        return new ReenableHostsAfterRollbackDelegate(hosts);
    }

    @Bean
    ChecksumBackupDelegate checksumBackupDelegate(FederationProperties federation, BackupCopies backups) {
        return new ChecksumBackupDelegate(federation, backups);
    }

    @Bean
    CollectSlaveOutcomesDelegate collectSlaveOutcomesDelegate() {
        return new CollectSlaveOutcomesDelegate();
    }

    @Bean
    RunPostChecksDelegate runPostChecksDelegate(FederationProperties federation, OneClients clients) {
        return new RunPostChecksDelegate(new PostChecks(federation, clients));
    }

    @Bean
    OutcomeListener outcomeListener() {
        return new OutcomeListener();
    }

    @Bean
    UpgradeRuns upgradeRuns(org.camunda.bpm.engine.ProcessEngine engine, FederationProperties federation,
            ProcessSettings settings, Clock clock, UpgradeLock lock) {
        return new UpgradeRuns(engine.getRuntimeService(), engine.getTaskService(), engine.getHistoryService(),
                federation, settings, clock, lock, engine.getIdentityService());
    }

    @Bean
    RollbackRuns rollbackRuns(org.camunda.bpm.engine.ProcessEngine engine, UpgradeLock lock) {
        return new RollbackRuns(engine.getRuntimeService(), engine.getHistoryService(), lock, engine.getIdentityService());
    }

    /** On the engine's DataSource and transaction manager: the lock row commits with the engine's start. */
    @Bean(initMethod = "createIfMissing")
    UpgradeLock upgradeLock(javax.sql.DataSource dataSource,
            org.springframework.transaction.PlatformTransactionManager transactionManager, Clock clock) {
        return new UpgradeLock(new org.springframework.jdbc.core.JdbcTemplate(dataSource),
                new org.springframework.transaction.support.TransactionTemplate(transactionManager), clock);
    }

    /** Frees the upgrade lock at the end of every federation-upgrade and federation-rollback instance (see UpgradeLock.ReleaseListener). */
    @Bean
    static org.camunda.bpm.engine.impl.cfg.ProcessEnginePlugin upgradeLockReleasePlugin(
            org.springframework.beans.factory.ObjectProvider<UpgradeLock> lock) {
        UpgradeLock.ReleaseListener listener = new UpgradeLock.ReleaseListener(lock::getObject);
        return new org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin() {
            @Override
            public void preInit(org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl configuration) {
                java.util.List<org.camunda.bpm.engine.impl.bpmn.parser.BpmnParseListener> listeners =
                        configuration.getCustomPostBPMNParseListeners() == null ? new java.util.ArrayList<>()
                                : new java.util.ArrayList<>(configuration.getCustomPostBPMNParseListeners());
                listeners.add(new org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener() {
                    @Override
                    public void parseProcess(org.camunda.bpm.engine.impl.util.xml.Element element,
                            org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity definition) {
                        if (UpgradeRuns.PROCESS_KEY.equals(definition.getKey())
                                || RollbackRuns.PROCESS_KEY.equals(definition.getKey())) {
                            definition.addBuiltInListener(org.camunda.bpm.engine.delegate.ExecutionListener.EVENTNAME_END,
                                    listener);
                        }
                    }
                });
                configuration.setCustomPostBPMNParseListeners(listeners);
            }
        };
    }
}
