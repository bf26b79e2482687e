package io.onefed.upgrade.process;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.camunda.bpm.engine.delegate.DelegateExecution;

/**
 * Zone id lists for multi-instance collections. Variables hold them as plain text ({@code "100,101"}) so they
 * read well in Cockpit and need no object serialization; this bean (named {@code zoneIdList}) turns them into
 * collections and cuts the slaves into batches of {@code maxParallelZones}.
 */
public class ZoneIdList {

    public List<Integer> of(String csv) {
        if (csv == null || csv.isBlank()) {
            return List.of();
        }
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Integer::valueOf).toList();
    }

    /** The ids of a list as a set: the slaves an operator chose to continue without ({@code failedSlaveZoneIds}). */
    public static java.util.Set<Integer> setOf(String csv) {
        return new java.util.HashSet<>(new ZoneIdList().of(csv));
    }

    public static String csv(List<Integer> ids) {
        return String.join(",", ids.stream().map(String::valueOf).toList());
    }

    /** Starts the slave phase over {@code pendingSlaveZoneIds} (all slaves, or the ones an operator retries). */
    public void startBatches(DelegateExecution execution) {
        if (execution.getVariable("pendingSlaveZoneIds") == null) {
            execution.setVariable("pendingSlaveZoneIds", execution.getVariable("slaveZoneIds"));
        }
        execution.setVariable("batchIndex", 0);
    }

    public boolean hasBatch(DelegateExecution execution) {
        return !batch(execution).isEmpty();
    }

    public List<Integer> batch(DelegateExecution execution) {
        return batch(of((String) execution.getVariable("pendingSlaveZoneIds")),
                ((Number) execution.getVariable("maxParallelZones")).intValue(),
                ((Number) execution.getVariable("batchIndex")).intValue());
    }

    /**
     * Batch {@code index} (from 0) of {@code pending} cut into batches of {@code maxParallel} zones (at least 1), in
     * order; empty past the last batch. A mutable copy: the engine's multi-instance keeps the collection.
     */
    static List<Integer> batch(List<Integer> pending, int maxParallel, int index) {
        int size = Math.max(1, maxParallel);
        long from = (long) index * size;
        if (index < 0 || from >= pending.size()) {
            return new ArrayList<>();
        }
        return new ArrayList<>(pending.subList((int) from, (int) Math.min(pending.size(), from + size)));
    }

    public void nextBatch(DelegateExecution execution) {
        execution.setVariable("batchIndex", ((Number) execution.getVariable("batchIndex")).intValue() + 1);
    }

    /**
     * {@code rolling-upgrade}: the master alone is the first batch ({@code rollingZoneIds}), so at most one zone is
     * down while it upgrades and its shared DB version can be confirmed before any slave is touched.
     */
    public void startRolling(DelegateExecution execution) {
        execution.setVariable("pendingSlaveZoneIds", execution.getVariable("slaveZoneIds"));
        execution.setVariable("batchIndex", 0);
        execution.setVariable("masterBatch", true);
        execution.setVariable("rollingAttempt", 1);
        execution.setVariable("rollingZoneIds", String.valueOf(execution.getVariable("masterZoneId")));
    }

    /** The next batch of at most {@code maxParallelZones} slaves; empty {@code rollingZoneIds} after the last. */
    public void nextRolling(DelegateExecution execution) {
        execution.setVariable("rollingZoneIds", csv(batch(execution)));
        execution.setVariable("masterBatch", false);
        nextBatch(execution);
    }
}
