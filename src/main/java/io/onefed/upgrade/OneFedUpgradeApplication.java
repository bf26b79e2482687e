package io.onefed.upgrade;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Upgrades an OpenNebula federation as a Camunda 7 BPMN process. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class OneFedUpgradeApplication {
    public static void main(String[] args) {
        SpringApplication.run(OneFedUpgradeApplication.class, args);
    }
}
