package io.onefed.upgrade.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricActivityInstanceQuery;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricProcessInstanceQuery;
import org.camunda.bpm.engine.history.HistoricVariableInstanceQuery;
import org.camunda.bpm.engine.runtime.IncidentQuery;
import org.camunda.bpm.engine.task.TaskQuery;
import org.junit.jupiter.api.Test;
import org.mockito.Answers;
import org.mockito.invocation.InvocationOnMock;
import org.mockito.stubbing.Answer;

/**
 * The metrics' queries each see the database of their own moment (no shared snapshot): an upgrade that ends
 * while one refresh runs must not be counted as completed and as running at once, with its zones still shown.
 * Seen in MetricsAndTimelineEndToEndTest on a busy CI machine. Here the upgrade ends right after the refresh's
 * first query, whichever that is, and after its second, and so on.
 */
class UpgradeMetricsServiceTest {

    @Test
    void anUpgradeEndingDuringARefreshIsNeverCountedEndedAndLiveAtOnce() {
        for (int endsAfter = 0; endsAfter < 12; endsAfter++) {
            UpgradeMetricsService.Snapshot s = refreshWhileTheUpgradeEnds(endsAfter);
            long ended = s.upgrades().get("completed");
            long live = s.upgrades().get("running") + s.upgrades().get("waiting_for_approval")
                    + s.upgrades().get("incident");
            assertThat(ended + live).as("ends after query %d: %s", endsAfter, s).isLessThanOrEqualTo(1);
            if (ended == 1) {
                assertThat(s.zones()).as("zones of running upgrades only (ends after query %d)", endsAfter).isEmpty();
            }
        }
    }

    @Test
    void aCompletedUpgradeShowsNoZonesAndARunningOneShowsItsDoneZones() {
        UpgradeMetricsService.Snapshot running = refreshWhileTheUpgradeEnds(Integer.MAX_VALUE);
        assertThat(running.upgrades().get("running")).isEqualTo(1);
        assertThat(running.zones()).containsEntry(new UpgradeMetricsService.ZoneKey("ZoneUpgraded", "done"), 1L);

        UpgradeMetricsService.Snapshot done = refreshWhileTheUpgradeEnds(-1);
        assertThat(done.upgrades().get("completed")).isEqualTo(1);
        assertThat(done.upgrades().get("running")).isZero();
        assertThat(done.zones()).isEmpty();
    }

    /** One refresh of a federation of one zone whose upgrade ends after the refresh's {@code endsAfter}-th query. */
    private static UpgradeMetricsService.Snapshot refreshWhileTheUpgradeEnds(int endsAfter) {
        AtomicInteger queries = new AtomicInteger();
        HistoricProcessInstance root = instance("root", UpgradeMetricsService.ROOT, null);
        HistoricProcessInstance zone = instance("zone", UpgradeMetricsService.ZONE_UPGRADE, "ZoneUpgraded");
        HistoryService history = mock(HistoryService.class);
        when(history.createHistoricProcessInstanceQuery()).thenAnswer(i -> mock(HistoricProcessInstanceQuery.class,
                new InstanceQuery(() -> queries.getAndIncrement() >= endsAfter, root, zone)));
        when(history.createHistoricVariableInstanceQuery())
                .thenAnswer(i -> mock(HistoricVariableInstanceQuery.class, Answers.RETURNS_SELF));
        when(history.createHistoricActivityInstanceQuery())
                .thenAnswer(i -> mock(HistoricActivityInstanceQuery.class, Answers.RETURNS_SELF));
        TaskService tasks = mock(TaskService.class);
        when(tasks.createTaskQuery()).thenAnswer(i -> mock(TaskQuery.class, Answers.RETURNS_SELF));
        RuntimeService runtime = mock(RuntimeService.class);
        when(runtime.createIncidentQuery()).thenAnswer(i -> mock(IncidentQuery.class, Answers.RETURNS_SELF));
        return new UpgradeMetricsService(history, runtime, tasks).compute(Instant.now());
    }

    private static HistoricProcessInstance instance(String id, String key, String endActivity) {
        HistoricProcessInstance p = mock(HistoricProcessInstance.class);
        when(p.getId()).thenReturn(id);
        when(p.getProcessDefinitionKey()).thenReturn(key);
        when(p.getBusinessKey()).thenReturn("U1");
        when(p.getStartTime()).thenReturn(new Date(0));
        if (endActivity != null) {
            when(p.getEndTime()).thenReturn(new Date(1000));
            when(p.getEndActivityId()).thenReturn(endActivity);
        }
        return p;
    }

    /**
     * A process instance query over the root (live until {@code rootEnded} says so, then COMPLETED) and its one
     * zone (ended well): the filters the service uses, evaluated when the query runs.
     */
    private static final class InstanceQuery implements Answer<Object> {
        private final java.util.function.BooleanSupplier rootEnded;
        private final HistoricProcessInstance root;
        private final HistoricProcessInstance zone;
        private final List<String> calls = new ArrayList<>();
        private final List<Object[]> args = new ArrayList<>();

        InstanceQuery(java.util.function.BooleanSupplier rootEnded, HistoricProcessInstance root,
                HistoricProcessInstance zone) {
            this.rootEnded = rootEnded;
            this.root = root;
            this.zone = zone;
        }

        @Override
        public Object answer(InvocationOnMock invocation) {
            String method = invocation.getMethod().getName();
            switch (method) {
                case "count" -> {
                    return (long) matches().size();
                }
                case "list" -> {
                    return matches();
                }
                case "listPage" -> {
                    return matches().stream().limit(1).toList();
                }
                default -> {
                    calls.add(method);
                    args.add(invocation.getRawArguments());
                    return invocation.getMock();
                }
            }
        }

        private List<HistoricProcessInstance> matches() {
            boolean ended = rootEnded.getAsBoolean();
            List<HistoricProcessInstance> found = new ArrayList<>();
            for (HistoricProcessInstance p : List.of(root, zone)) {
                boolean pEnded = p == zone || ended;
                if (calls.contains("finished") && !pEnded || calls.contains("unfinished") && pEnded
                        || !keyMatches(p) || p == root && !outcomeMatches(ended)) {
                    continue;
                }
                found.add(p);
            }
            return found;
        }

        private boolean keyMatches(HistoricProcessInstance p) {
            for (int i = 0; i < calls.size(); i++) {
                if (calls.get(i).equals("processDefinitionKey") && !p.getProcessDefinitionKey().equals(args.get(i)[0])) {
                    return false;
                }
                if (calls.get(i).equals("processDefinitionKeyIn")
                        && !List.of((Object[]) args.get(i)[0]).contains(p.getProcessDefinitionKey())) {
                    return false;
                }
            }
            return true;
        }

        /** The root's upgradeOutcome: COMPLETED once it ended, none before. */
        private boolean outcomeMatches(boolean ended) {
            for (int i = 0; i < calls.size(); i++) {
                if (calls.get(i).equals("variableValueLike")) {
                    return ended && "COMPLETED%".equals(args.get(i)[1]);
                }
                if (calls.get(i).equals("variableValueEquals")) {
                    return ended && "COMPLETED".equals(args.get(i)[1]);
                }
            }
            return true;
        }
    }
}
