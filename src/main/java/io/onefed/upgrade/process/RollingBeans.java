package io.onefed.upgrade.process;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.releases.SharedVersionConfirmation;
import io.onefed.upgrade.ssh.RemoteShell;
import io.onefed.upgrade.steps.DbVersionReader;
import io.onefed.upgrade.steps.HostFencing;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The delegates of {@code rolling-upgrade} (the zone-by-zone procedure, issue 14), under the names the BPMN uses. */
@Configuration
class RollingBeans {

    @Bean
    RecordZoneHostsDelegate recordZoneHostsDelegate(HostFencing hosts) {
        return new RecordZoneHostsDelegate(hosts);
    }

    @Bean
    DisableZoneHostsDelegate disableZoneHostsDelegate(HostFencing hosts) {
        return new DisableZoneHostsDelegate(hosts);
    }

    @Bean
    EnableZoneHostsDelegate enableZoneHostsDelegate(HostFencing hosts) {
        return new EnableZoneHostsDelegate(hosts);
    }

    @Bean
    CollectBatchOutcomesDelegate collectBatchOutcomesDelegate() {
        return new CollectBatchOutcomesDelegate();
    }

    @Bean
    ConfirmSharedVersionDelegate confirmSharedVersionDelegate(FederationProperties federation, RemoteShell shell) {
        return new ConfirmSharedVersionDelegate(federation, new SharedVersionConfirmation(new DbVersionReader(shell)));
    }
}
