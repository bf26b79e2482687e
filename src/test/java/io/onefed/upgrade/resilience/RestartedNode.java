package io.onefed.upgrade.resilience;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * The service node of a crash test: started once, then killed (SIGKILL) at each point a test names and relaunched
 * at once on the same database under a new name ({@code <prefix>-<n>}, its log in target/resilience).
 */
final class RestartedNode implements AutoCloseable {

    private final ServiceNode.Launcher launcher;
    private final String prefix;
    private int generation;
    private ServiceNode node;

    RestartedNode(ServiceNode.Launcher launcher, String prefix) {
        this.launcher = launcher;
        this.prefix = prefix;
        this.node = launcher.start(nextName());
    }

    ServiceNode node() {
        return node;
    }

    /**
     * Waits for the point while the node lives, kills it, runs {@code afterKill} (clearing the fault that held the
     * point), launches the next node and waits until it answers; returns when that node was launched.
     */
    Instant crash(String point, Duration atMost, Callable<Boolean> reached, Runnable afterKill) {
        node.awaitWhileAlive(point, atMost, reached);
        node.kill();
        afterKill.run();
        Instant launched = Instant.now();
        node = launcher.launch(nextName());
        ServiceNode.Launcher.awaitReady(node);
        return launched;
    }

    private String nextName() {
        return prefix + "-" + (++generation);
    }

    @Override
    public void close() {
        node.close();
    }
}
