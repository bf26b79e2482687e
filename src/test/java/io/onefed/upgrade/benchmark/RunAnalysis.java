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

    /** A simulated command as the host timed it ({@code command-times.log}: start, exit, status, command). */
    record Timed(Instant start, Instant end, int status, String name) {
        Duration duration() {
            return Duration.between(start, end);
        }
    }

    final int masterCommands;
    final int slowestSlaveCommands;
    final List<Long> stepDelaysMillis;
    final int totalCommands;
    /** The floor from the hosts' own stamps ({@link #hostFloor}). */
    final Duration hostFloor;
    /** Detached runs the hosts saw: one per remote step per server (the zone steps). */
    final int zoneSteps;

    private RunAnalysis(int masterCommands, int slowestSlaveCommands, List<Long> stepDelaysMillis, int totalCommands,
            Duration hostFloor, int zoneSteps) {
        this.masterCommands = masterCommands;
        this.slowestSlaveCommands = slowestSlaveCommands;
        this.stepDelaysMillis = stepDelaysMillis;
        this.totalCommands = totalCommands;
        this.hostFloor = hostFloor;
        this.zoneSteps = zoneSteps;
    }

    /**
     * The critical path: all of the master's commands (it goes first and alone), then the slave with the most
     * commands after the master's last one (slaves stop in parallel with the master, then restore and upgrade
     * once the master's federated backup exists).
     */
    Duration floor(Duration latency) {
        return latency.multipliedBy(masterCommands + slowestSlaveCommands);
    }

    static RunAnalysis of(SimulatedFederation sim, int masterId) {
        List<Command> master = commands(sim.serverDir(masterId));
        Instant masterLast = master.stream().map(Command::start).max(Comparator.naturalOrder()).orElse(Instant.EPOCH);
        int slowest = 0;
        int total = master.size();
        int steps = 0;
        List<Long> delays = new ArrayList<>();
        List<List<Timed>> slavesTimed = new ArrayList<>();
        for (int zone : sim.zoneIds()) {
            List<Command> cmds = zone == masterId ? master : commands(sim.serverDir(zone));
            List<Path> hosts = zoneHosts(sim, zone);
            List<Timed> zoneTimed = hosts.stream().flatMap(h -> timed(h).stream())
                    .sorted(Comparator.comparing(Timed::start)).toList();
            if (zone != masterId) {
                total += cmds.size();
                slowest = Math.max(slowest, (int) cmds.stream().filter(c -> c.start().isAfter(masterLast)).count());
                slavesTimed.add(zoneTimed);
            }
            List<Run> runs = hosts.stream().flatMap(h -> runs(h).stream()).sorted(Comparator.comparing(Run::start))
                    .toList();
            steps += runs.size();
            delays.addAll(stepDelays(runs, zoneTimed));
        }
        List<Timed> masterTimed = zoneHosts(sim, masterId).stream().flatMap(h -> timed(h).stream())
                .sorted(Comparator.comparing(Timed::start)).toList();
        return new RunAnalysis(master.size(), slowest, delays, total, hostFloor(masterTimed, slavesTimed), steps);
    }

    /**
     * The directories of a zone's hosts: its front-end (the leader) and its hypervisor hosts, whose node upgrade is
     * a step of the zone's path like any other (their commands and runs count in the floor and the step delays).
     */
    static List<Path> zoneHosts(SimulatedFederation sim, int zone) {
        List<Path> hosts = new ArrayList<>();
        hosts.add(sim.serverDir(zone));
        for (String node : sim.nodeNames(zone)) {
            hosts.add(sim.nodeDir(zone, node));
        }
        return hosts;
    }

    /**
     * The critical path as the hosts timed it, on the same path as {@link #floor}: every command of the master zone's
     * hosts, its front-end's and its hypervisor hosts' (it goes first and alone), then the slave zone whose commands
     * after the master's last exit take longest; each command
     * counts from its start to its exit stamp, so what the simulator spends around its latency (the shell's and its
     * tools' forks) is command time, not the service's overhead. Commands that never exited (none in a clean run)
     * are left out. Commands of one zone that ran side by side (the preflight's two repository queries, the
     * hypervisor hosts' node upgrades) count once, as the time the zone had at least one command running.
     */
    static Duration hostFloor(List<Timed> master, List<List<Timed>> slaves) {
        Duration onMaster = busy(master);
        Instant masterLast = master.stream().map(Timed::end).max(Comparator.naturalOrder()).orElse(Instant.EPOCH);
        Duration slowest = Duration.ZERO;
        for (List<Timed> slave : slaves) {
            Duration d = busy(slave.stream().filter(c -> !c.start().isBefore(masterLast)).toList());
            if (d.compareTo(slowest) > 0) {
                slowest = d;
            }
        }
        return onMaster.plus(slowest);
    }

    /** The length of the union of the commands' intervals: overlapping commands count once. */
    static Duration busy(List<Timed> commands) {
        List<Timed> sorted = commands.stream().sorted(Comparator.comparing(Timed::start)).toList();
        Duration total = Duration.ZERO;
        Instant from = null;
        Instant to = null;
        for (Timed c : sorted) {
            if (to == null || c.start().isAfter(to)) {
                if (to != null) {
                    total = total.plus(Duration.between(from, to));
                }
                from = c.start();
                to = c.end();
            } else if (c.end().isAfter(to)) {
                to = c.end();
            }
        }
        return to == null ? total : total.plus(Duration.between(from, to));
    }

    /** A server's host-timed commands, oldest first. */
    static List<Timed> timed(Path serverDir) {
        Path log = serverDir.resolve("command-times.log");
        if (!Files.exists(log)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(log)) {
            return parseTimed(lines.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines {@code <start> <exit stamp> <status> <command>}, as sim-lib.sh's sim_end writes them. */
    static List<Timed> parseTimed(List<String> lines) {
        return lines.stream().map(l -> l.split(" ", 4)).filter(p -> p.length == 4)
                .map(p -> new Timed(Instant.parse(p[0]), Instant.parse(p[1]), Integer.parseInt(p[2]), p[3]))
                .sorted(Comparator.comparing(Timed::start)).toList();
    }

    /**
     * Engine latency between consecutive steps of one zone: next start minus previous end, less the time the zone's
     * hosts spent in commands in between (synchronous probes such as "verify stopped" are commands, not engine
     * time). A step that ran on several hosts side by side (the hypervisor hosts' node upgrade) counts from its
     * first start to its last end. Left out: the gaps that wait for other zones by design (after the stop, all
     * zones join; a slave's restore waits for the master's federated backup).
     *
     * @param runs  the zone's detached runs on all its hosts, oldest first
     * @param timed the zone's host-timed commands on all its hosts
     */
    static List<Long> stepDelays(List<Run> runs, List<Timed> timed) {
        List<Run> steps = stepsOf(runs);
        List<Long> out = new ArrayList<>();
        for (int i = 1; i < steps.size(); i++) {
            Run a = steps.get(i - 1);
            Run b = steps.get(i);
            if (a.end() == null || a.step().equals("stop-services") || b.step().equals("restore-federated")
                    || b.start().isBefore(a.end())) {
                continue;
            }
            List<Timed> between = timed.stream().filter(c -> c.start().isAfter(a.end()) && c.start().isBefore(b.start()))
                    .map(c -> c.end().isAfter(b.start()) ? new Timed(c.start(), b.start(), c.status(), c.name()) : c)
                    .toList();
            long gap = Duration.between(a.end(), b.start()).minus(busy(between)).toMillis();
            out.add(Math.max(0, gap));
        }
        return out;
    }

    /**
     * The runs of one step attempt on several hosts merged into one (first start, last end; no end while one
     * runs): the key without its server names the step attempt.
     */
    static List<Run> stepsOf(List<Run> runs) {
        java.util.Map<String, Run> byAttempt = new java.util.LinkedHashMap<>();
        for (Run r : runs) {
            String attempt = attemptOf(r.key());
            byAttempt.merge(attempt, new Run(attempt, r.step(), r.start(), r.end()), (x, y) -> new Run(attempt, x.step(),
                    x.start().isBefore(y.start()) ? x.start() : y.start(),
                    x.end() == null || y.end() == null ? null : x.end().isAfter(y.end()) ? x.end() : y.end()));
        }
        return byAttempt.values().stream().sorted(Comparator.comparing(Run::start)).toList();
    }

    /** {@code <upgrade>-z<zone>-<step>-a<attempt>}: the key up to its server's name. */
    static String attemptOf(String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(.*-z\\d+-.+?-a[0-9.]+)-").matcher(key);
        return m.find() ? m.group(1) : key;
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
