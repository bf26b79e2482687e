package io.onefed.upgrade.ssh;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.federation.ZoneProperties;
import java.util.HashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The SSH layer's beans, built from {@code federation.ssh} and each zone's {@code paths.run-dir}. Sessions are
 * opened lazily on first use, so the service starts even while a host is down.
 */
@Configuration(proxyBeanMethods = false)
public class SshConfiguration {

    @Bean(destroyMethod = "close")
    public JschSessions jschSessions(FederationProperties federation, ObjectProvider<SecretResolver> secrets) {
        return new JschSessions(federation.ssh(), secrets.getIfAvailable(SecretResolver::new));
    }

    @Bean
    public JschRemoteShell remoteShell(JschSessions sessions, ObjectProvider<SecretResolver> secrets,
            FederationProperties federation) {
        SecretResolver resolver = secrets.getIfAvailable(SecretResolver::new);
        return new JschRemoteShell(sessions, resolver, JschRemoteShell.DEFAULT_OUTPUT_CAP,
                OutputScrubber.of(federation, resolver));
    }

    @Bean
    public JschDetachedRuns detachedRuns(JschRemoteShell shell, JschSessions sessions, FederationProperties federation) {
        Map<Integer, String> runDirs = new HashMap<>();
        for (ZoneProperties zone : federation.zones()) {
            if (zone.id() != null) {
                runDirs.put(zone.id(), zone.paths().runDir());
            }
        }
        return new JschDetachedRuns(shell, target -> {
            if (target.runDir() != null) {
                return target.runDir(); // a hypervisor host's own (federation.zones[].nodes.run-dir)
            }
            String dir = runDirs.get(target.zoneId());
            if (dir == null) {
                throw new IllegalArgumentException("zone " + target.zoneId() + " (" + target.zoneName()
                        + ") is not in federation.zones: no run directory for " + target.address());
            }
            return dir;
        }, JschRemoteShell.DEFAULT_OUTPUT_CAP, sessions.commandTimeout());
    }

    @Bean
    public SftpFileTransfer fileTransfer(JschSessions sessions, JschRemoteShell shell) {
        return new SftpFileTransfer(sessions, shell);
    }
}
