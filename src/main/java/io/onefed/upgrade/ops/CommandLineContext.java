package io.onefed.upgrade.ops;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.opennebula.OneClients;
import io.onefed.upgrade.ssh.RemoteShell;
import java.util.Map;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.ComponentScan;

/**
 * The small context of the command-line commands ({@code plan}, {@code status}): the federation configuration,
 * the XML-RPC clients and SSH, plus the command's own beans. Non-web, no engine, no database, no port, no banner;
 * Spring's {@code --key=value} options are honoured.
 */
public final class CommandLineContext {

    private CommandLineContext() {
    }

    /**
     * What every command reads the federation with; a command adds its own beans next to it. Not a
     * {@code @Configuration}, so the web application's scan does not pick it up.
     */
    @ComponentScan(basePackageClasses = {FederationProperties.class, OneClients.class, RemoteShell.class})
    @ConfigurationPropertiesScan(basePackageClasses = {FederationProperties.class, OneClients.class})
    static class Federation {
    }

    /** Starts the context of {@code command} (and of {@code extraSources}, tests' overrides); the caller closes it. */
    public static ConfigurableApplicationContext start(String[] args, Class<?> command, Class<?>... extraSources) {
        Class<?>[] sources = new Class<?>[extraSources.length + 2];
        sources[0] = Federation.class;
        sources[1] = command;
        System.arraycopy(extraSources, 0, sources, 2, extraSources.length);
        SpringApplication app = new SpringApplication(sources);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setBannerMode(Banner.Mode.OFF);
        app.setLogStartupInfo(false);
        app.setRegisterShutdownHook(false);
        // keep the command's output readable; warnings still show
        app.setDefaultProperties(Map.of("logging.level.root", "WARN"));
        return app.run(args);
    }

    /** The innermost cause's message: the one that names the field or host to fix. */
    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
