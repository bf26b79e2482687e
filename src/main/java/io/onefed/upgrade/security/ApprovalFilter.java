package io.onefed.upgrade.security;

import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.FilterService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.filter.Filter;
import org.camunda.bpm.engine.task.TaskQuery;

/** The shared Tasklist filter listing the open tasks of the upgrade processes (one row, found by name). */
class ApprovalFilter {

    private final ProcessEngine engine;
    private final SecurityProperties security;

    ApprovalFilter(ProcessEngine engine, SecurityProperties security) {
        this.engine = engine;
        this.security = security;
    }

    /** Creates the filter or updates its query to the configured processes; returns its id. */
    String ensure() {
        FilterService filters = engine.getFilterService();
        Filter filter = filters.createFilterQuery()
                .filterResourceType("Task")
                .filterName(security.approvalFilterName())
                .singleResult();
        if (filter == null) {
            filter = filters.newTaskFilter(security.approvalFilterName());
        }
        TaskQuery query = engine.getTaskService().createTaskQuery()
                .processDefinitionKeyIn(security.processDefinitionKeys().toArray(String[]::new))
                .orderByTaskCreateTime().asc();
        filter.setQuery(query);
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("description", "Approvals and manual steps waiting in the upgrade processes");
        properties.put("priority", -10);
        properties.put("refresh", true);
        filter.setProperties(properties);
        return filters.saveFilter(filter).getId();
    }
}
