package io.onefed.upgrade.notify;

import java.time.Clock;
import java.util.ArrayList;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cfg.ProcessEnginePlugin;
import org.camunda.bpm.engine.runtime.Incident;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The notifier (a webhook when a URL is configured) and the engine plugin that reports incidents to it. */
@Configuration
@EnableConfigurationProperties(NotifySettings.class)
public class NotifyBeans {

    @Bean
    Notifier notifier(NotifySettings settings) {
        return settings.webhookUrl() == null ? Notifier.NONE : new WebhookNotifier(settings.webhookUrl(), Clock.systemUTC());
    }

    @Bean
    ProcessEnginePlugin incidentNotifierPlugin(Notifier notifier) {
        return new AbstractProcessEnginePlugin() {
            @Override
            public void preInit(ProcessEngineConfigurationImpl configuration) {
                if (configuration.getCustomIncidentHandlers() == null) {
                    configuration.setCustomIncidentHandlers(new ArrayList<>());
                }
                configuration.getCustomIncidentHandlers().add(
                        new IncidentNotifyingHandler(Incident.FAILED_JOB_HANDLER_TYPE, notifier));
            }
        };
    }
}
