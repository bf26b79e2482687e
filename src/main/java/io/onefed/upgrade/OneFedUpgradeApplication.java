package io.onefed.upgrade;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Upgrades an OpenNebula federation as a Camunda 7 BPMN process. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class OneFedUpgradeApplication {
    public static void main(String[] args) {
        // before anything reads foreign bytes: no Java deserialization in this process (see DeserializationFilter)
        io.onefed.upgrade.ops.DeserializationFilter.install();
        // `java -jar one-fed-upgrade.jar status`: the federation table, exit 0 when healthy (no engine, no web)
        // `java -jar one-fed-upgrade.jar plan --target-version=7.0.0`: the dry run, every command in order
        if (args.length > 0 && "plan".equals(args[0])) {
            System.exit(io.onefed.upgrade.plan.PlanCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0 && "status".equals(args[0])) {
            System.exit(io.onefed.upgrade.status.StatusCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        // `java -jar one-fed-upgrade.jar follow <id>`: a running upgrade's progress per zone, from the service's API
        if (args.length > 0 && "follow".equals(args[0])) {
            System.exit(io.onefed.upgrade.progress.FollowCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        SpringApplication.run(OneFedUpgradeApplication.class, args);
    }
}
