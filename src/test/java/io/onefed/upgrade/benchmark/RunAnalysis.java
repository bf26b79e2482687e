package io.onefed.upgrade.benchmark;

import io.onefed.upgrade.simulator.SimulatedFederation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the simulated federation saw during one upgrade: every simulated command (its start, from each server's
 * {@code commands.log}) and every detached run (start and end from the mtimes of its {@code started} and
 * {@code exit} files, written by the run's wrapper right before and right after the command).
 */
final class RunAnalysis {

    record Command(Instant start, String name) {
    }

    /** One detached run: a step's command line on one server. */
    record Run(String key, String step, Instant start, Instant end) {
    }

    final int masterCommands;
    final int slowestSlaveCommands;
    final List<Long> stepDelaysMillis;
    final int totalCommands;

    private RunAnalysis(int masterCommands, int slowestSlaveCommands, List<Long> stepDelaysMillis, int totalCommands) {
        this.masterCommands = masterCommands;
        this.slowestSlaveCommands = slowestSlaveCommands;
        this.stepDelaysMillis = stepDelaysMillis;
        this.totalCommands = totalCommands;
    }

    /**
     * The critical path: all of the master's commands (it goes first and alone), then the slave with the most
     * commands after the master's last one (slaves stop in parallel with the master, then restore and upgrade
     * once the master's federated backup exists).
     */
    Duration floor(Duration latency) {
        return latency.multipliedBy(masterCommands + slowestSlaveCommands);
    }

    static RunAnalysis of(SimulatedFederation sim, int masterId, Duration latency) {
        List<Command> master = commands(sim.serverDir(masterId));
        Instant masterLast = master.stream().map(Command::start).max(Comparator.naturalOrder()).orElse(Instant.EPOCH);
        int slowest = 0;
        int total = master.size();
        List<Long> delays = new ArrayList<>();
        for (int zone : sim.zoneIds()) {
            List<Command> cmds = zone == masterId ? master : commands(sim.serverDir(zone));
            if (zone != masterId) {
                total += cmds.size();
                slowest = Math.max(slowest, (int) cmds.stream().filter(c -> c.start().isAfter(masterLast)).count());
            }
            delays.addAll(stepDelays(runs(sim.serverDir(zone)), cmds, latency));
        }
        return new RunAnalysis(master.size(), slowest, delays, total);
    }

    /**
     * Engine latency between consecutive steps of one zone: next start minus previous end, less the simulated
     * commands that ran in between (synchronous probes such as "verify stopped" are commands, not engine time).
     * Left out: the gaps that wait for other zones by design (after the stop, all zones join; a slave's restore
     * waits for the master's federated backup).
     */
    static List<Long> stepDelays(List<Run> runs, List<Command> cmds, Duration latency) {
        List<Long> out = new ArrayList<>();
        for (int i = 1; i < runs.size(); i++) {
            Run a = runs.get(i - 1);
            Run b = runs.get(i);
            if (a.end() == null || a.step().equals("stop-services") || b.step().equals("restore-federated")
                    || b.start().isBefore(a.end())) {
                continue;
            }
            long between = cmds.stream().filter(c -> c.start().isAfter(a.end()) && c.start().isBefore(b.start())).count();
            long gap = Duration.between(a.end(), b.start()).toMillis() - between * latency.toMillis();
            out.add(Math.max(0, gap));
        }
        return out;
    }

    static List<Command> commands(Path serverDir) {
        try (Stream<String> lines = Files.lines(serverDir.resolve("commands.log"))) {
            return lines.map(l -> l.split(" ", 3)).filter(p -> p.length >= 2)
                    .map(p -> new Command(Instant.parse(p[0]), p[1])).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Detached runs of a server, oldest first. Key: {@code <upgrade>-z<zone>-<step>-a<zone attempt>.<step attempt>-<server>}. */
    static List<Run> runs(Path serverDir) {
        Path dir = serverDir.resolve("var/lib/one-fed-upgrade/runs");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> keys = Files.list(dir)) {
            return keys.filter(k -> Files.exists(k.resolve("started"))).map(k -> {
                String key = k.getFileName().toString();
                Path exit = k.resolve("exit");
                return new Run(key, stepOf(key), mtime(k.resolve("started")), Files.exists(exit) ? mtime(exit) : null);
            }).sorted(Comparator.comparing(Run::start)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String stepOf(String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-z\\d+-(.+?)-a[0-9.]+-").matcher(key);
        return m.find() ? m.group(1) : key;
    }

    private static Instant mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long percentile(List<Long> values, double p) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = values.stream().sorted().toList();
        int idx = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }
}
