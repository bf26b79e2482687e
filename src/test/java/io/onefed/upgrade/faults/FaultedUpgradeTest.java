package io.onefed.upgrade.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.e2e.EndToEndSupport;
import io.onefed.upgrade.securityscan.SecretScanner;
import io.onefed.upgrade.simulator.SimulatedFederation;
import io.onefed.upgrade.testsupport.PostgresServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngines;
import org.camunda.bpm.engine.RuntimeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 6, faults: one upgrade of the guide's federation (every zone on MySQL, so a DB password is in use)
 * driven through every fault of the issue, one after the other, on the real service, PostgreSQL, SSH and
 * XML-RPC. Each fault must end in a modelled operator decision or an incident naming the zone/host and what
 * failed; after the fault is cleared, a retry (the operator's decision, or a job retry as Cockpit does it) goes
 * on, and in the end the upgrade completes with every changing command run exactly once per attempt. Then
 * nothing of the secrets used may be found in the engine's database or the service's log output.
 * <p>The methods run in order on one upgrade; each one is a phase.
 */
@Tag("faults")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultedUpgradeTest {

    static final int MASTER = 0;
    static final int GE = 100;
    static final int CA = 101;

    // a server of its own: this test restarts it under the running service
    static final PostgresServer PG = PostgresServer.start();

    static {
        // after Spring's context (closed after this class, and at the latest in its own shutdown hook)
        Runtime.getRuntime().addShutdownHook(new Thread(PG::close, "faults-postgres-stop"));
    }
    static final SimulatedFederation SIM = EndToEndSupport.startFederation("faults", SimulatedFederation.guideSpec());

    static String id;
    /** Every incident met on the way, as {activity, message}: the record an operator would have seen. */
    static final List<String> INCIDENTS_SEEN = new ArrayList<>();
    static int faultsSurvived;

    static {
        SecretScanner.ConsoleCapture.start();
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        EndToEndSupport.register(registry, SIM, "faults", PG);
        // one attempt, then an incident: faults show up at once and the test retries like an operator
        registry.add("onefed.process.retry-cycle", () -> "R1/PT1S");
        registry.add("onefed.process.fed-index-rechecks", () -> "2");
        registry.add("onefed.process.fed-index-recheck-interval", () -> "PT1S");
        // a job cut off by the database restart is taken again after its lock expires: keep that short here,
        // and the long-poll well inside it, as in production (20 s poll, 5 min lock)
        registry.add("onefed.process.step-poll-budget", () -> "PT3S");
        registry.add("camunda.bpm.job-execution.lock-time-in-millis", () -> "20000");
    }

    @AfterAll
    static void stop() {
        SecretScanner.ConsoleCapture.stop();
        SIM.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    ProcessEngine engine;

    EndToEndSupport.Api api;

    @BeforeEach
    void register() {
        io.onefed.upgrade.testsupport.EngineRegistration.makeCurrent(engine);
        api = new EndToEndSupport.Api(port);
    }

    @Test
    @Order(1)
    void zoneApiDownAndLaggingFedIndexStopThePreflightForAnOperator() {
        SIM.faults().unreachable(CA, true).lagFedIndex(GE, 3);
        id = api.start("7.0.0", 5);

        // API down: blocked at once (no re-check), the findings name the zone and its endpoint. Refused connects
        // end at once (it took 20-50 s while the SSH pool waited out its deadline on each refused connect, and
        // once the zone was back it was still refused: RefusedConnectTest)
        JsonNode review = awaitApproval("Review the preflight findings", Duration.ofSeconds(60));
        String summary = rootVariable("preflightSummary");
        assertThat(summary).contains("[FAIL] S-US-CA: XML-RPC reachable - " + SIM.endpoint(CA))
                .contains("[FAIL] S-US-CA: SSH s-us-ca-1");
        assertNothingChanged();
        faultsSurvived++;

        // the API is back; FED_INDEX still lags: the preflight looks again on its own before asking anybody
        SIM.faults().unreachable(CA, false);
        decide(review, "retry");
        review = awaitApproval("Review the preflight findings", Duration.ofSeconds(60));
        assertThat(rootVariable("preflightSummary")).contains("FED_INDEX in sync")
                .contains("S-EU-GE=" + (SIM.fedIndex() - 3));
        assertThat(history().createHistoricActivityInstanceQuery().activityId("RunPreflight")
                .processInstanceId(rootId()).count()).as("first look, retry, two re-checks").isGreaterThanOrEqualTo(4);
        assertThat(history().createHistoricActivityInstanceQuery().activityId("WaitForFedIndex")
                .processInstanceId(rootId()).count()).as("two re-checks; %s", preflightStory()).isEqualTo(2);
        assertNothingChanged();
        faultsSurvived++;

        SIM.faults().lagFedIndex(GE, 0);
        decide(review, "retry");
        awaitApproval("Approve the start of the upgrade", Duration.ofSeconds(60));
        assertNothingChanged();
    }

    @Test
    @Order(2)
    void droppedSshConnectionAndChangedHostKeyWhileStoppingBecomeIncidentsNamingTheHost() {
        // the master's first two SSH commands after the approval are cut off once they have started: the stop's
        // start in the job that starts the zone (its failure leaves the step to its own job, which attaches by the
        // run's key) and that job's attach, which becomes the incident; zone 100's SSH server shows another host
        // key than known_hosts has
        SIM.faults().dropConnections(MASTER, 2, true).changedHostKey(GE, true);
        // as after a re-install: the host was down a moment, so the service's pooled sessions to it are gone
        bounce(GE);
        // armed now for later phases (these commands do not run before them)
        SIM.faults().failNext(MASTER, "apt-get", 1, 100,
                "E: Failed to fetch https://downloads.opennebula.io/repo/7.0/Ubuntu/22.04/Packages  404  Not Found");
        SIM.faults().hang(MASTER, "onehost");
        // the restore only: the slave's own onedb backup runs before it now
        SIM.faults().failNext(GE, "onedb-restore", 1, 1, "ERROR: restore failed: Table 'opennebula.user_pool' doesn't exist");
        decide(awaitApproval("Approve the start of the upgrade", Duration.ofSeconds(10)), "approve");

        // both become incidents (one attempt each here) whose message names the host and what failed
        JsonNode hostKey = awaitIncident(m -> m.contains(hostOf(GE)), Duration.ofSeconds(60));
        assertThat(hostKey.get("message").asText()).containsIgnoringCase("host key");
        JsonNode dropped = awaitIncident(m -> m.contains(hostOf(MASTER)), Duration.ofSeconds(60));
        assertThat(dropped.get("message").asText()).contains("stop-services").contains("lost");
        assertThat(SIM.unitActive(GE, "opennebula")).as("zone 100 not stopped behind the operator's back").isTrue();
        assertThat(SIM.installedVersion(MASTER)).as("the master waits for every zone to stop").isEqualTo("6.10.0.1");
        faultsSurvived += 2;
        SIM.faults().changedHostKey(GE, false);
        retryFailedJobs();
        // where the zone's job started no stop (it ran late: the step's own job starts it), the first cut was that
        // job's start and the retried job's attach is the second: one more incident naming the master, retried once
        Predicate<String> onMaster = m -> m.contains(hostOf(MASTER));
        JsonNode again = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> api.status(id), st -> incident(st, onMaster) != null
                        || runtime().createProcessInstanceQuery().processInstanceBusinessKey(id)
                                .processDefinitionKey("federation-upgrade").activityIdIn("UpgradeMaster").count() > 0);
        JsonNode secondCut = incident(again, onMaster);
        if (secondCut != null) {
            assertThat(secondCut.get("message").asText()).contains("lost");
            retryFailedJobs();
        }

        // the dropped connections: the step layer attached to the running command, by itself or on the retry; a
        // second stop is never run
        awaitActivity("UpgradeMaster", Duration.ofSeconds(60));
        assertThat(SIM.unitActive(MASTER, "opennebula")).isFalse();
        assertStoppedOnce(MASTER);
        assertStoppedOnce(GE);
        assertStoppedOnce(CA);
    }

    @Test
    @Order(3)
    void failedPackageUpgradeGoesToTheOperatorAndTheRetryRunsItOnceMore() {
        JsonNode task = awaitApproval("Decide on the failed step", Duration.ofSeconds(120));
        String failure = taskVariable(task, "stepFailure");
        assertThat(failure).contains("Upgrade OpenNebula packages").contains("404  Not Found");
        assertThat(aptInstalls(MASTER)).as("install not reached: apt-get update failed first").isEmpty();
        faultsSurvived++;
        decide(task, "retry");
    }

    @Test
    @Order(4)
    void diskFullWhileWritingTheFederatedBackupGoesToTheOperator() {
        // sync-hosts, the master's last step before the federated backup, is held until the fault is armed
        await().atMost(Duration.ofSeconds(120)).until(() -> !SIM.commandLog(MASTER, "onehost").isEmpty());
        SIM.faults().failNext(MASTER, "onedb", 1, 1,
                "mysqldump: Error: 'Got error 28 - No space left on device' when trying to dump tablespaces");
        SIM.faults().release(MASTER, "onehost");

        JsonNode task = awaitApproval("Decide on the failed step", Duration.ofSeconds(60));
        assertThat(taskVariable(task, "stepFailure")).contains("No space left on device");
        assertThat(onedb(MASTER, "--federated")).hasSize(1);
        assertThat(SIM.installedVersion(GE)).as("no slave touched while the backup failed").isEqualTo("6.10.0.1");
        faultsSurvived++;
        // armed for the slave phase: zone 101 refuses the orchestrator's key and oneadmin's session
        SIM.faults().rejectCredentials(CA, true);
        bounce(CA);
        decide(task, "retry");
    }

    @Test
    @Order(5)
    void failedRestoreAndWrongCredentialsOnTheSlaves() {
        // both slaves at once: zone 100's restore fails (a decision), zone 101 refuses the orchestrator (an incident)
        JsonNode auth = awaitIncident(m -> m.contains(hostOf(CA)), Duration.ofSeconds(60));
        assertThat(auth.get("message").asText()).contains("refused public-key authentication");
        JsonNode restore = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> find(api.status(id).get("approvals"), "Decide on the failed step"), a -> a != null);
        assertThat(restore.get("zone").asText()).isEqualTo("S-EU-GE");
        assertThat(taskVariable(restore, "stepFailure")).contains("user_pool");
        faultsSurvived++;
        assertThat(onedb(CA, "restore")).as("nothing restored on zone 101 without credentials").isEmpty();
        faultsSurvived++;

        SIM.faults().rejectCredentials(CA, false);
        retryFailedJobs();
        decide(restore, "retry");
    }

    @Test
    @Order(6)
    void postgresRestartedUnderTheRunningServiceAndTheUpgradeFinishes() {
        // the slaves are being upgraded now: the database goes away under running jobs
        await().atMost(Duration.ofSeconds(60)).until(() -> !onedb(CA, "restore").isEmpty());
        PG.restart();
        faultsSurvived++;

        JsonNode end = finishRetryingIncidents(Duration.ofSeconds(240));
        assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("completed");
        for (int zone : SIM.zoneIds()) {
            assertThat(SIM.installedVersion(zone)).as("zone %d installed", zone).isEqualTo("7.0.0");
            assertThat(SIM.dbLocalVersion(zone)).as("zone %d local DB", zone).startsWith("7.0");
            assertThat(SIM.zoneDisabled(zone)).as("zone %d disabled", zone).isFalse();
            assertThat(SIM.apiOpen(zone)).as("zone %d API", zone).isTrue();
            assertThat(aptInstalls(zone)).as("zone %d package installs", zone).hasSize(1);
            assertThat(onedb(zone, "upgrade")).as("zone %d onedb upgrade", zone).hasSize(1);
            assertStoppedOnce(zone);
        }
        // once per attempt: the failed attempt and the retry, never more
        // (the preflight's read-only look at the target repository updates a scratch lists directory: not counted)
        assertThat(SIM.commandLog(MASTER, "apt-get").stream().filter(l -> l.contains(" update")
                && !l.contains("Dir::State::Lists=")).toList()).hasSize(2);
        assertThat(onedb(MASTER, "--federated")).hasSize(2);
        assertThat(onedb(GE, "restore")).hasSize(2);
        assertThat(onedb(CA, "restore")).hasSize(1);
        assertThat(onedb(MASTER, "restore")).isEmpty();
    }

    @Test
    @Order(7)
    void noSecretInTheEngineDatabaseOrTheLogs() throws Exception {
        SecretScanner scanner = new SecretScanner()
                .secret("OpenNebula password", SIM.spec().oneadminPassword())
                .secret("DB password", SIM.spec().dbPassword())
                .secret("users' password", EndToEndSupport.PASSWORD)
                .privateKey("SSH private key", SIM.clientPrivateKey());
        assertThat(java.nio.file.Files.readString(SIM.credentialsFile())).contains(SIM.spec().oneadminPassword());
        assertThat(java.nio.file.Files.readString(SIM.dbPasswordFile())).contains(SIM.spec().dbPassword());

        SecretScanner.Scan db = scanner.scanDatabase(PG.jdbcUrl("faults"), PG.username(), PG.password(), "public");
        assertThat(db.tables()).as("the engine's tables").isGreaterThan(40);
        assertThat(db.values()).as("values read").isGreaterThan(1000);
        assertThat(db.hits()).as("secrets in the engine's database").isEmpty();

        String logs = SecretScanner.ConsoleCapture.text();
        assertThat(logs).as("the capture saw the service's log").contains("upgrade=" + id);
        assertThat(scanner.scanText("log output", logs)).as("secrets in the log output").isEmpty();
        System.out.printf("faults survived: %d; incidents met: %d %s; secrets scanned for: %d in %d tables,"
                + " %d columns, %d values and %d characters of log: 0 found%n", faultsSurvived, INCIDENTS_SEEN.size(),
                INCIDENTS_SEEN, scanner.secretCount(), db.tables(), db.columns(), db.values(), logs.length());
    }

    // ---------------------------------------------------------------------------------------------------------

    private void assertNothingChanged() {
        for (int zone : SIM.zoneIds()) {
            assertThat(SIM.unitActive(zone, "opennebula")).as("zone %d still running", zone).isTrue();
            assertThat(SIM.zoneDisabled(zone)).as("zone %d not disabled", zone).isFalse();
            assertThat(SIM.installedVersion(zone)).isEqualTo("6.10.0.1");
            assertThat(stops(zone)).isEmpty();
        }
    }

    private JsonNode awaitApproval(String name, Duration deadline) {
        JsonNode s = await().atMost(deadline).pollInterval(Duration.ofMillis(300)).until(() -> api.status(id),
                st -> {
                    if (st.get("incidents").size() > 0) {
                        throw new AssertionError("incident while waiting for '" + name + "': " + st.get("incidents"));
                    }
                    return find(st.get("approvals"), name) != null;
                });
        assertThat(s.get("state").asText()).isEqualTo("waiting for approval");
        return find(s.get("approvals"), name);
    }

    private static JsonNode find(JsonNode approvals, String name) {
        for (JsonNode a : approvals) {
            if (a.get("name").asText().equals(name)) {
                return a;
            }
        }
        return null;
    }

    private JsonNode awaitIncident(Predicate<String> message, Duration deadline) {
        JsonNode s = await().atMost(deadline).pollInterval(Duration.ofMillis(300)).until(() -> api.status(id),
                st -> incident(st, message) != null);
        assertThat(s.get("state").asText()).as("the status API shows the incident").isEqualTo("incident");
        JsonNode incident = incident(s, message);
        INCIDENTS_SEEN.add(incident.get("activity").asText());
        return incident;
    }

    private static JsonNode incident(JsonNode status, Predicate<String> message) {
        for (JsonNode i : status.get("incidents")) {
            if (message.test(i.get("message").asText())) {
                return i;
            }
        }
        return null;
    }

    private void awaitActivity(String rootActivity, Duration deadline) {
        await().atMost(deadline).pollInterval(Duration.ofMillis(300)).until(() -> {
            JsonNode s = api.status(id);
            if (s.get("incidents").size() > 0) {
                throw new AssertionError("incident after the retry: " + s.get("incidents"));
            }
            return runtime().createProcessInstanceQuery().processInstanceBusinessKey(id).processDefinitionKey(
                    "federation-upgrade").activityIdIn(rootActivity).count() > 0;
        });
    }

    /** Completes the upgrade like an operator: approves re-enabling and retries each incident after reading it. */
    private JsonNode finishRetryingIncidents(Duration deadline) {
        return await().atMost(deadline).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            JsonNode s = api.status(id);
            if (s.get("incidents").size() > 0) {
                for (JsonNode i : s.get("incidents")) {
                    assertThat(i.get("message").asText()).as("an incident says what failed").isNotBlank();
                    INCIDENTS_SEEN.add(i.get("activity").asText() + ": " + i.get("message").asText());
                }
                retryFailedJobs();
            }
            JsonNode reenable = find(s.get("approvals"), "Approve re-enabling API access");
            if (reenable != null) {
                decide(reenable, "approve");
            }
            return s;
        }, s -> s.get("state").asText().equals("completed") || s.get("state").asText().equals("aborted"));
    }

    /** What Cockpit's "retry" does, through the engine's REST API as an operator. */
    private void retryFailedJobs() {
        for (var incident : runtime().createIncidentQuery().incidentType("failedJob").list()) {
            // the failed job's own incident; those of the calling activities above it follow it
            if (incident.getConfiguration() != null && runtime().createProcessInstanceQuery().processInstanceId(incident.getProcessInstanceId())
                    .processInstanceBusinessKey(id).count() > 0) {
                api.call(EndToEndSupport.OPERATOR2, "PUT", "/engine-rest/job/" + incident.getConfiguration()
                        + "/retries", Map.of("retries", 1), 204);
            }
        }
    }

    private void decide(JsonNode task, String decision) {
        api.call(EndToEndSupport.OPERATOR2, "POST", "/engine-rest/task/" + task.get("taskId").asText() + "/complete",
                Map.of("variables", Map.of("decision", Map.of("value", decision),
                        "comment", Map.of("value", "faults test: " + decision))), 204);
    }

    private String taskVariable(JsonNode task, String name) {
        var t = engine.getTaskService().createTaskQuery().taskId(task.get("taskId").asText()).singleResult();
        return String.valueOf(runtime().getVariable(t.getExecutionId(), name));
    }

    private String rootId() {
        return history().createHistoricProcessInstanceQuery().processDefinitionKey("federation-upgrade")
                .processInstanceBusinessKey(id).singleResult().getId();
    }

    private String rootVariable(String name) {
        return String.valueOf(runtime().getVariable(rootId(), name));
    }

    /** What the preflights found and when they ran: the message of a failed preflight assertion. */
    private String preflightStory() {
        StringBuilder story = new StringBuilder("verdict ").append(rootVariable("preflightVerdict"))
                .append(", re-checks left ").append(rootVariable("fedIndexRechecksLeft")).append("; activities:");
        history().createHistoricActivityInstanceQuery().processInstanceId(rootId()).orderByHistoricActivityInstanceStartTime()
                .asc().list().forEach(a -> story.append(' ').append(a.getActivityId()).append('@')
                        .append(a.getStartTime().toInstant()).append('+').append(a.getDurationInMillis()).append("ms"));
        story.append("; failed checks:");
        rootVariable("preflightSummary").lines().filter(l -> l.startsWith("[FAIL]"))
                .forEach(l -> story.append("\n  ").append(l));
        return story.toString();
    }

    private RuntimeService runtime() {
        return engine.getRuntimeService();
    }

    private HistoryService history() {
        return engine.getHistoryService();
    }

    /** Restarts the zone's SSH and API listeners: open connections are cut, new ones meet the current faults. */
    static void bounce(int zone) {
        SIM.faults().unreachable(zone, true).unreachable(zone, false);
    }

    static String hostOf(int zone) {
        return "127.0.0.1:" + SIM.sshPort(zone);
    }

    /** The commands without their time stamps: {@code systemctl stop opennebula-hem} ... */
    static List<String> stops(int zone) {
        return SIM.commandLog(zone, "systemctl").stream().filter(l -> l.contains(" stop "))
                .map(l -> l.substring(l.indexOf(' ') + 1)).toList();
    }

    /** Each unit stopped once, whatever was cut off and retried on the way (the stop runs unit by unit). */
    static void assertStoppedOnce(int zone) {
        assertThat(stops(zone)).as("zone %d: each unit stopped exactly once", zone)
                .contains("systemctl stop opennebula", "systemctl stop opennebula-scheduler").doesNotHaveDuplicates();
    }

    static List<String> aptInstalls(int zone) {
        return SIM.commandLog(zone, "apt-get").stream().filter(l -> l.contains(" install ")).toList();
    }

    static List<String> onedb(int zone, String part) {
        return SIM.commandLog(zone, "onedb").stream().filter(l -> l.contains(" " + part)).toList();
    }
}
