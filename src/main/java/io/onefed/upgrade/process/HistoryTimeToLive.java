package io.onefed.upgrade.process;

import java.util.List;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.camunda.bpm.spring.boot.starter.event.PostDeployEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The BPMN files carry a history time to live of 3650 days (auditors keep upgrade records for years); an
 * installation sets its own with {@code onefed.history.time-to-live-days}, applied to every version of the
 * upgrade processes after deployment, so the engine's history cleanup keeps exactly what the policy says.
 */
@Component
public class HistoryTimeToLive {

    private static final Logger log = LoggerFactory.getLogger(HistoryTimeToLive.class);
    static final List<String> PROCESSES = List.of("federation-upgrade", "zone-upgrade", "zone-stop", "remote-step",
            "rolling-upgrade", "zone-rollback", "federation-rollback");

    private final RepositoryService repository;
    private final Integer days;

    public HistoryTimeToLive(RepositoryService repository, @Value("${onefed.history.time-to-live-days:3650}") Integer days) {
        if (days == null || days < 1) {
            throw new IllegalArgumentException("onefed.history.time-to-live-days: must be at least 1 (days of history to keep), was " + days);
        }
        this.repository = repository;
        this.days = days;
    }

    @EventListener(PostDeployEvent.class)
    public void apply() {
        for (String key : PROCESSES) {
            for (ProcessDefinition definition : repository.createProcessDefinitionQuery().processDefinitionKey(key).list()) {
                if (!days.equals(definition.getHistoryTimeToLive())) {
                    repository.updateProcessDefinitionHistoryTimeToLive(definition.getId(), days);
                    log.info("history time to live of {} set to {} days", definition.getId(), days);
                }
            }
        }
    }
}
