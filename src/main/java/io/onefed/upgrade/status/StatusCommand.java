package io.onefed.upgrade.status;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.opennebula.OneClients;
import io.onefed.upgrade.ssh.RemoteShell;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.ComponentScan;

/**
 * {@code java -jar app.jar status}: prints the federation status table and exits 0 when healthy, 1 when not,
 * 2 when the status could not be built at all (bad configuration). Starts only the beans it needs (federation
 * configuration, XML-RPC clients, SSH, status) in a non-web context: no engine, no database, no port.
 */
public final class StatusCommand {

    public static final int HEALTHY = 0;
    public static final int UNHEALTHY = 1;
    public static final int FAILED = 2;

    private StatusCommand() {
    }

    /** The configuration of the command's context: scanning, not auto-configuration. */
    @ComponentScan(basePackageClasses = {FederationProperties.class, OneClients.class, RemoteShell.class,
            FederationStatusService.class})
    @ConfigurationPropertiesScan(basePackageClasses = {FederationProperties.class, OneClients.class})
    static class Context {
    }

    /** @param args the arguments after {@code status}; Spring's {@code --key=value} options are honoured */
    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err, Class<?>... extraSources) {
        Class<?>[] sources = new Class<?>[extraSources.length + 1];
        sources[0] = Context.class;
        System.arraycopy(extraSources, 0, sources, 1, extraSources.length);
        SpringApplication app = new SpringApplication(sources);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setBannerMode(Banner.Mode.OFF);
        app.setLogStartupInfo(false);
        app.setRegisterShutdownHook(false);
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("logging.level.root", "WARN"); // keep the table readable; warnings still show
        app.setDefaultProperties(defaults);
        try (ConfigurableApplicationContext context = app.run(args)) {
            FederationStatus status = context.getBean(FederationStatusService.class).status();
            out.print(StatusTable.render(status));
            out.flush();
            return status.healthy() ? HEALTHY : UNHEALTHY;
        } catch (RuntimeException e) {
            err.println("status: cannot build the federation status: " + rootMessage(e));
            return FAILED;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
