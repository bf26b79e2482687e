package io.onefed.upgrade.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.testsupport.PostgresServer;
import java.sql.Connection;
import javax.sql.DataSource;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.actuate.health.SystemHealth;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The application with profile postgres, configured only through ONEFED_DB_*, on a real PostgreSQL server. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "FEDERATION_CONFIG=target/no-federation-config.yaml")
@ActiveProfiles("postgres")
class PostgresProfileTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        PostgresServer server = PostgresServer.shared();
        String url = server.createDatabase("onefed_profile_" + ProcessHandle.current().pid());
        registry.add("ONEFED_DB_URL", () -> url);
        registry.add("ONEFED_DB_USER", server::username);
        registry.add("ONEFED_DB_PASSWORD", server::password);
    }

    @Autowired DataSource dataSource;
    @Autowired RepositoryService repository;
    @Autowired RuntimeService runtime;
    @Autowired TaskService tasks;
    @Autowired HistoryService history;
    @Autowired HealthEndpoint health;

    @Test
    void engineRunsAProcessOnPostgresAndHealthIsUp() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            assertThat(c.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
        }
        repository.createDeployment().addModelInstance("pg.bpmn", Bpmn.createExecutableProcess("onefed-pg-test")
                .camundaHistoryTimeToLive(1)
                .startEvent().userTask("check").endEvent().done()).deploy();
        String instance = runtime.startProcessInstanceByKey("onefed-pg-test", "upg-pg").getId();
        tasks.complete(tasks.createTaskQuery().processInstanceId(instance).singleResult().getId());
        assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(instance).singleResult().getState())
                .isEqualTo("COMPLETED");

        SystemHealth system = (SystemHealth) health.health();
        assertThat(system.getStatus()).isEqualTo(Status.UP);
        var db = system.getComponents().get("db");
        assertThat(db.getStatus()).isEqualTo(Status.UP);
        assertThat(((org.springframework.boot.actuate.health.Health) db).getDetails().get("database"))
                .isEqualTo("PostgreSQL");
        assertThat(system.getComponents()).containsKeys("processEngine", "jobExecutor");
    }
}
