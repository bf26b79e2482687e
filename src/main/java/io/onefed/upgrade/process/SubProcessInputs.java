package io.onefed.upgrade.process;

import java.util.List;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.DelegateVariableMapping;
import org.camunda.bpm.engine.delegate.VariableScope;
import org.camunda.bpm.engine.variable.VariableMap;

/**
 * The one input mapping of every call of {@code zone-stop}, {@code zone-upgrade} and {@code remote-step}
 * ({@code camunda:variableMappingDelegateExpression="${subProcessInputs}"}): the upgrade's context a zone or a step
 * renders its commands from. Before, each of the 20 call activities repeated these as {@code camunda:in} lines, and
 * a call that forgot one rendered other commands than the approved plan (the node step once installed the newest
 * patch because {@code zonePackageVersions} was missing).
 *
 * <p>A call's own {@code camunda:in} (the step's name, {@code zoneId} of a multi-instance, which attempt) is applied
 * first by the engine and wins; a context variable the caller does not hold is not created.
 */
public class SubProcessInputs implements DelegateVariableMapping {

    /** The context, in the order a reader meets it in Cockpit. */
    public static final List<String> CONTEXT = List.of("upgradeId", "zoneId", "zoneName", "zoneAttempt",
            "fromVersion", "targetVersion", "zoneLeaders", "zonePackageVersions", "zoneNodes",
            "federatedBackupPath", "federatedBackupSha256", "masterSharedDbVersion");

    @Override
    public void mapInputVariables(DelegateExecution caller, VariableMap called) {
        for (String name : CONTEXT) {
            if (!called.containsKey(name) && caller.hasVariable(name)) {
                called.putValueTyped(name, caller.getVariableTyped(name));
            }
        }
    }

    @Override
    public void mapOutputVariables(DelegateExecution caller, VariableScope called) {
        // outputs stay explicit camunda:out lines: each call returns something different
    }
}
