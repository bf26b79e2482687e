package io.onefed.upgrade.plan;

import io.onefed.upgrade.ops.CommandLineContext;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * {@code java -jar app.jar plan --target-version=7.0.0 [--format=json]}: prints every action the upgrade would
 * take, in order, and the plan's SHA-256; exit 0, or 2 when no plan can be made (bad input, zones down).
 * Like {@code status}, a small non-web context ({@link CommandLineContext}); it only reads from the zones.
 */
public final class PlanCommand {

    public static final int OK = 0;
    public static final int FAILED = 2;

    private PlanCommand() {
    }

    @Import(PlanBeans.class)
    static class Context {
    }

    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err, Class<?>... extraSources) {
        String target = null;
        String format = "text";
        List<String> springArgs = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("--target-version=")) {
                target = a.substring("--target-version=".length());
            } else if (a.startsWith("--format=")) {
                format = a.substring("--format=".length());
            } else {
                springArgs.add(a);
            }
        }
        if (target == null || target.isBlank()) {
            err.println("plan: --target-version is required, e.g. plan --target-version=7.0.0");
            return FAILED;
        }
        if (!format.equals("text") && !format.equals("json")) {
            err.println("plan: --format=" + format + " is not text or json");
            return FAILED;
        }
        try (ConfigurableApplicationContext context = CommandLineContext.start(springArgs.toArray(String[]::new),
                Context.class, extraSources)) {
            Plan plan = context.getBean(PlanService.class).dryRun(target);
            if (format.equals("json")) {
                out.println(new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                        .writeValueAsString(plan));
            } else {
                out.print(plan.text());
                out.println();
                out.println("Plan SHA-256: " + plan.sha256());
            }
            out.flush();
            return OK;
        } catch (Exception e) {
            err.println("plan: cannot render the plan: " + CommandLineContext.rootMessage(e));
            return FAILED;
        }
    }
}
