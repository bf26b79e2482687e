package io.onefed.upgrade.federation;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Checks the federation configuration while the context starts: any problem stops start-up (reported by
 * {@link FederationConfigFailureAnalyzer}); no federation at all lets the service start with a warning.
 * Spring's own binding errors (a wrong type) are left to Spring: they already name the property.
 */
@Configuration(proxyBeanMethods = false)
public class FederationConfiguration {

    private static final Logger log = LoggerFactory.getLogger(FederationConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    public FederationConfigValidator federationConfigValidator() {
        return new FederationConfigValidator();
    }

    @Bean
    public FederationConfig federationConfig(FederationProperties properties, FederationConfigValidator validator) {
        FederationConfig config = FederationConfig.of(properties, validator);
        if (!config.isConfigured()) {
            log.warn("No federation is configured (federation.name and federation.zones are empty): the service"
                    + " runs, but no upgrade can start. Set FEDERATION_CONFIG to the federation YAML file.");
            return config;
        }
        for (ConfigProblem warning : validator.warnings(properties)) {
            log.warn("Federation configuration: {}: {} ({})", warning.field(), warning.message(), warning.fix());
        }
        log.info("Federation configuration accepted: {}", config);
        return config;
    }
}
