package io.onefed.upgrade.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Fault injection into the simulated federation. Command faults are files the simulated commands read
 * (so they also hit commands started detached); connection faults act on the SSH and API listeners.
 * Every method applies to all servers of the zone unless a server is named.
 */
public final class Faults {

    private final SimulatedFederation federation;

    Faults(SimulatedFederation federation) {
        this.federation = federation;
    }

    /** Every simulated command (systemctl, onedb, apt-get ...) on every server sleeps this long first. */
    public Faults latency(Duration latency) {
        for (int zone : federation.zoneIds()) {
            for (SimServer s : federation.zoneInternal(zone).servers) {
                SimFiles.write(s.state().resolve("faults/latency_ms"), Long.toString(latency.toMillis()));
            }
        }
        return this;
    }

    /** One command (by name, e.g. "onedb") on every server of the zone sleeps this long first. */
    public Faults latency(int zone, String command, Duration latency) {
        for (SimServer s : federation.zoneInternal(zone).servers) {
            SimFiles.write(s.state().resolve("faults/latency_ms." + checkCommand(command)), Long.toString(latency.toMillis()));
        }
        return this;
    }

    /**
     * The next {@code times} calls of {@code command} on the zone's servers print {@code stderr} and exit
     * {@code exitCode}. {@code command} may name a subcommand, {@code onedb-restore}: then only calls whose first
     * argument is {@code restore} fail (the same for {@link #hang}).
     */
    public Faults failNext(int zone, String command, int times, int exitCode, String stderr) {
        for (SimServer s : federation.zoneInternal(zone).servers) {
            failNext(s, command, times, exitCode, stderr);
        }
        return this;
    }

    public Faults failNext(int zone, String server, String command, int times, int exitCode, String stderr) {
        failNext(federation.zoneInternal(zone).server(server), command, times, exitCode, stderr);
        return this;
    }

    /** The next {@code times} calls of {@code command} on one hypervisor host of the zone fail. */
    public Faults failNextOnHost(int zone, String host, String command, int times, int exitCode, String stderr) {
        failNext(federation.zoneInternal(zone).node(host), command, times, exitCode, stderr);
        return this;
    }

    private static void failNext(SimServer s, String command, int times, int exitCode, String stderr) {
        if (times < 1 || exitCode < 1 || exitCode > 255) {
            throw new IllegalArgumentException("failNext: times must be >= 1 and exitCode 1..255");
        }
        SimFiles.writeText(s.state().resolve("faults/fail/" + checkCommand(command)),
                times + " " + exitCode + "\n" + (stderr == null ? "" : stderr.endsWith("\n") ? stderr : stderr + "\n"));
    }

    /** Calls of {@code command} on the zone's servers block (after being logged) until {@link #release}. */
    public Faults hang(int zone, String command) {
        for (SimServer s : federation.zoneInternal(zone).servers) {
            SimFiles.touch(s.state().resolve("faults/hang/" + checkCommand(command)));
        }
        return this;
    }

    public Faults release(int zone, String command) {
        for (SimServer s : federation.zoneInternal(zone).servers) {
            SimFiles.delete(s.state().resolve("faults/hang/" + checkCommand(command)));
        }
        return this;
    }

    /**
     * The next {@code times} SSH exec requests to the server are cut off: before the command runs, or (with
     * {@code afterStart}) once it has started, which then runs on without anybody reading its result.
     */
    public Faults dropConnections(int zone, String server, int times, boolean afterStart) {
        federation.zoneInternal(zone).server(server).addDrops(times, afterStart);
        return this;
    }

    public Faults dropConnections(int zone, int times, boolean afterStart) {
        return dropConnections(zone, federation.zoneInternal(zone).leader().name(), times, afterStart);
    }

    /** Every XML-RPC call to the zone's servers waits this long before it is answered. */
    public Faults apiLatency(int zone, Duration latency) {
        for (SimServer s : federation.zoneInternal(zone).servers) {
            s.apiLatencyMs = latency.toMillis();
        }
        return this;
    }

    /** XML-RPC calls to the zone's servers get no answer until {@code hang} is set back to false. */
    public Faults apiHang(int zone, boolean hang) {
        for (SimServer s : federation.zoneInternal(zone).servers) {
            s.apiHang = hang;
        }
        return this;
    }

    /** The next {@code times} XML-RPC calls to the zone's leader lose their connection before any answer. */
    public Faults dropApiCalls(int zone, int times) {
        federation.zoneInternal(zone).leader().apiDrops.addAndGet(times);
        return this;
    }

    /** The zone reports a FED_INDEX {@code lag} records behind the federation (0 ends the lag). */
    public Faults lagFedIndex(int zone, long lag) {
        SimFiles.write(federation.zoneInternal(zone).dir().resolve("fed_lag"), Long.toString(lag));
        return this;
    }

    /**
     * An HA follower lags its leader's Raft log: the leader appends {@code records} log records (its LOG_INDEX
     * grows) that {@code server} has not replicated, so the follower's one.zone.raftstatus LOG_INDEX stays that
     * far behind until {@link #raftCatchUp} (or {@link #clear}).
     */
    public Faults raftLag(int zone, String server, long records) {
        SimZone z = federation.zoneInternal(zone);
        SimServer follower = z.server(server);
        if (!z.spec().ha() || follower == z.leader() || records < 1) {
            throw new IllegalArgumentException("raftLag: " + server + " must be a follower of an HA zone and records >= 1");
        }
        Path index = z.leader().state().resolve("db/log_index");
        SimFiles.write(index, Long.toString(Long.parseLong(SimFiles.read(index, "0")) + records));
        SimFiles.write(follower.state().resolve("faults/raft_lag"), Long.toString(records));
        return this;
    }

    /** The follower has replicated every record of its leader again. */
    public Faults raftCatchUp(int zone, String server) {
        SimFiles.delete(federation.zoneInternal(zone).server(server).state().resolve("faults/raft_lag"));
        return this;
    }

    /** SSH and API of every server of the zone refuse connections (or accept them again). */
    public Faults unreachable(int zone, boolean unreachable) {
        for (SimServer s : federation.zoneInternal(zone).servers) {
            try {
                s.setUnreachable(unreachable);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot restart the SSH server of " + s.label(), e);
            }
        }
        return this;
    }

    /** SSH refuses the orchestrator's key and the API refuses oneadmin's session (or accepts them again). */
    public Faults rejectCredentials(int zone, boolean reject) {
        for (SimServer s : federation.zoneInternal(zone).servers) {
            s.rejectCredentials = reject;
        }
        return this;
    }

    /** The zone's SSH servers present another host key than the one in known_hosts (or the right one again). */
    public Faults changedHostKey(int zone, boolean changed) {
        for (SimServer s : federation.zoneInternal(zone).servers) {
            s.changedKey = changed;
        }
        return this;
    }

    /** Removes every command fault of every server (latency, fail-next, hang) and every connection fault. */
    public Faults clear() {
        for (int zone : federation.zoneIds()) {
            unreachable(zone, false);
            rejectCredentials(zone, false);
            changedHostKey(zone, false);
            apiLatency(zone, Duration.ZERO);
            apiHang(zone, false);
            lagFedIndex(zone, 0);
            for (SimServer s : federation.zoneInternal(zone).servers) {
                deleteTree(s.state().resolve("faults"));
                s.takeAllDrops();
                s.apiDrops.set(0);
            }
        }
        return this;
    }

    private static void deleteTree(Path dir) {
        try (var files = java.nio.file.Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(SimFiles::delete);
        } catch (java.nio.file.NoSuchFileException e) {
            // nothing to clear
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String checkCommand(String command) {
        if (command == null || !command.matches("[a-z][a-z-]*")) {
            throw new IllegalArgumentException("command '" + command + "' is not a simulated command name like onedb");
        }
        return command;
    }
}
