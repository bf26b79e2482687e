package io.onefed.upgrade.process;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.opennebula.OneClients;
import io.onefed.upgrade.plan.ApprovedPlanGuard;
import io.onefed.upgrade.ssh.DetachedRuns;
import io.onefed.upgrade.ssh.FileTransfer;
import io.onefed.upgrade.ssh.RemoteShell;
import io.onefed.upgrade.upgrade.ApiAccess;
import io.onefed.upgrade.upgrade.BackupTransfer;
import io.onefed.upgrade.upgrade.HostFencing;
import io.onefed.upgrade.upgrade.NodeHosts;
import io.onefed.upgrade.upgrade.PostChecks;
import io.onefed.upgrade.upgrade.PreflightService;
import io.onefed.upgrade.upgrade.RemoteStepService;
import io.onefed.upgrade.upgrade.StopVerifier;
import io.onefed.upgrade.upgrade.ZoneApiCheck;
import io.onefed.upgrade.upgrade.ZoneCommands;
import io.onefed.upgrade.upgrade.Zones;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the plain upgrade services (package {@code upgrade}) to the zone clients, and exposes the thin
 * delegates under the names the BPMN uses ({@code ${remoteStepDelegate}} ...).
 */
@Configuration
@EnableConfigurationProperties(ProcessSettings.class)
public class ProcessBeans {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    Zones zones(FederationProperties federation) {
        return new Zones(federation);
    }

    @Bean
    RetryPolicy retryPolicy(ProcessSettings settings) {
        return new RetryPolicy(settings);
    }

    @Bean
    ZoneIdList zoneIdList() {
        return new ZoneIdList();
    }

    @Bean
    RemoteStepService remoteStepService(Zones zones, DetachedRuns runs, ProcessSettings settings) {
        return new RemoteStepService(zones, new ZoneCommands(), runs, settings.stepPollBudget());
    }

    @Bean
    PreflightService preflightService(Zones zones, OneClients clients, RemoteShell shell, ProcessSettings settings) {
        return new PreflightService(zones, clients, shell, settings.minBackupSpaceMb() * 1024);
    }

    @Bean
    BackupTransfer backupTransfer(RemoteShell shell, FileTransfer transfer) {
        return new BackupTransfer(shell, transfer);
    }

    @Bean
    RemoteStepDelegate remoteStepDelegate(RemoteStepService service, ApprovedPlanGuard guard, ProcessSettings settings,
            Clock clock) {
        return new RemoteStepDelegate(service, guard, settings.stepTimeout(), clock);
    }

    @Bean
    NextAttemptDelegate nextAttemptDelegate() {
        return new NextAttemptDelegate();
    }

    @Bean
    ZoneFactsListener zoneFactsListener(Zones zones) {
        return new ZoneFactsListener(zones);
    }

    @Bean
    VerifyStoppedDelegate verifyStoppedDelegate(Zones zones, RemoteShell shell) {
        return new VerifyStoppedDelegate(zones, new StopVerifier(shell));
    }

    @Bean
    BackupCopyDelegate backupCopyDelegate(Zones zones, BackupTransfer transfer, ApprovedPlanGuard guard) {
        return new BackupCopyDelegate(zones, transfer, guard);
    }

    @Bean
    ZoneApiDelegate zoneApiDelegate(Zones zones, OneClients clients, ProcessSettings settings, Clock clock) {
        return new ZoneApiDelegate(zones, new ZoneApiCheck(clients), settings.apiDeadline(), clock);
    }

    @Bean
    PreflightDelegate preflightDelegate(PreflightService preflight, Zones zones, OneClients clients) {
        return new PreflightDelegate(preflight, new NodeHosts(zones, clients));
    }

    @Bean
    SkipFailedHostsDelegate skipFailedHostsDelegate() {
        return new SkipFailedHostsDelegate();
    }

    @Bean
    FederationStepDelegate federationStepDelegate(Zones zones, OneClients clients, BackupTransfer transfer,
            RemoteShell shell) {
        return new FederationStepDelegate(zones, new HostFencing(zones, clients), new ApiAccess(zones, clients), transfer,
                new io.onefed.upgrade.upgrade.DbVersionReader(shell));
    }

    @Bean
    SlaveOutcomesDelegate slaveOutcomesDelegate() {
        return new SlaveOutcomesDelegate();
    }

    @Bean
    PostChecksDelegate postChecksDelegate(Zones zones, OneClients clients) {
        return new PostChecksDelegate(new PostChecks(zones, clients));
    }

    @Bean
    OutcomeListener outcomeDelegate() {
        return new OutcomeListener();
    }

    @Bean
    UpgradeRuns upgradeRuns(org.camunda.bpm.engine.ProcessEngine engine, Zones zones, ProcessSettings settings, Clock clock,
            UpgradeLock lock) {
        return new UpgradeRuns(engine.getRuntimeService(), engine.getTaskService(), engine.getHistoryService(), zones,
                settings, clock, lock, engine.getIdentityService());
    }

    /** On the engine's DataSource and transaction manager: the lock row commits with the engine's start. */
    @Bean(initMethod = "createIfMissing")
    UpgradeLock upgradeLock(javax.sql.DataSource dataSource,
            org.springframework.transaction.PlatformTransactionManager transactionManager, Clock clock) {
        return new UpgradeLock(new org.springframework.jdbc.core.JdbcTemplate(dataSource),
                new org.springframework.transaction.support.TransactionTemplate(transactionManager), clock);
    }

    /** Frees the upgrade lock at the end of every federation-upgrade instance (see UpgradeLock.ReleaseListener). */
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
                        if (UpgradeRuns.PROCESS_KEY.equals(definition.getKey())) {
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
