package io.onefed.upgrade.status;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.opennebula.DefaultOneClients;
import io.onefed.upgrade.opennebula.OneClientProperties;
import io.onefed.upgrade.ssh.RemoteShell;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

class FederationStatusControllerTest {

    private final FakeFederation fed = new FakeFederation();

    @AfterEach
    void stop() {
        fed.close();
    }

    @Test
    void statusIsServedAsJson() throws Exception {
        fed.raft(101, 3, "18446744073709551615");
        var props = fed.properties();
        var clients = new DefaultOneClients(props, new SecretResolver(Map.of(FakeFederation.SESSION_ENV, "oneadmin:pw")),
                OneClientProperties.defaults());
        var shells = new StaticListableBeanFactory(Map.of("shell", new FakeRemoteShell())).getBeanProvider(RemoteShell.class);
        MockMvc mvc = MockMvcBuilders.standaloneSetup(
                new FederationStatusController(new SharedFederationStatus(new FederationStatusService(props, clients,
                        shells)::status, StatusSettings.defaults(), java.time.Clock.systemUTC(), Runnable::run))).build();

        mvc.perform(get("/api/federation/status").accept(MediaType.APPLICATION_JSON))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$.name").value("guide"))
                .andExpect(jsonPath("$.healthy").value(false))
                .andExpect(jsonPath("$.inSync").value(false))
                .andExpect(jsonPath("$.zones[0].id").value(0))
                .andExpect(jsonPath("$.zones[0].fedIndex").value("1042"))
                .andExpect(jsonPath("$.zones[0].raftState").value("LEADER"))
                .andExpect(jsonPath("$.zones[0].state").value("ENABLED"))
                .andExpect(jsonPath("$.zones[0].servers[0].sshReachable").value(true))
                .andExpect(jsonPath("$.zones[2].fedIndex").value("-"))
                .andExpect(jsonPath("$.problems[0]").value(org.hamcrest.Matchers.containsString("FED_INDEX differs")))
                .andExpect(jsonPath("$.probedAt").exists());
    }
}
