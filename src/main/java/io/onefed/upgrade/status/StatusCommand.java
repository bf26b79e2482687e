package io.onefed.upgrade.status;

import io.onefed.upgrade.ops.CommandLineContext;
import java.io.PrintStream;
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

    /** The command's own beans, next to the federation's: scanning, not auto-configuration. */
    @ComponentScan(basePackageClasses = FederationStatusService.class)
    static class Context {
    }

    /** @param args the arguments after {@code status}; Spring's {@code --key=value} options are honoured */
    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err, Class<?>... extraSources) {
        try (ConfigurableApplicationContext context = CommandLineContext.start(args, Context.class, extraSources)) {
            FederationStatus status = context.getBean(FederationStatusService.class).status();
            out.print(StatusTable.render(status));
            out.flush();
            return status.healthy() ? HEALTHY : UNHEALTHY;
        } catch (RuntimeException e) {
            err.println("status: cannot build the federation status: " + CommandLineContext.rootMessage(e));
            return FAILED;
        }
    }
}
