package io.onefed.upgrade.resilience;

import io.onefed.upgrade.simulator.SimulatedFederation;
import io.onefed.upgrade.simulator.SimulationSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The simulated hosts as the crash tests see them: the federation, two extra logged commands and the counts of
 * every changing command in the hosts' command logs.
 */
final class SimHosts {

    private SimHosts() {
    }

    static SimulatedFederation start(String name, SimulationSpec spec) {
        return start(Path.of("target"), name, spec);
    }

    /** The simulated hosts in a new directory under {@code parent}. */
    static SimulatedFederation start(Path parent, String name, SimulationSpec spec) {
        try {
            Path root = Files.createTempDirectory(Files.createDirectories(parent.toAbsolutePath()), name + "-");
            SimulatedFederation sim = SimulatedFederation.start(spec, root);
            try {
                // the preflight's free-space probe (df) and the transfer's digests (sha256sum) are plain system
                // commands; wrapped, they are logged and honour the simulator's hang/latency faults like onedb
                wrap(sim, "df");
                wrap(sim, "sha256sum");
            } catch (RuntimeException e) {
                sim.close();
                throw e;
            }
            return sim;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void wrap(SimulatedFederation sim, String command) {
        Path real = List.of(Path.of("/usr/bin", command), Path.of("/bin", command)).stream()
                .filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IllegalStateException(command + " not found in /usr/bin or /bin"));
        Path script = sim.binDir().resolve(command);
        try {
            Files.writeString(script, "#!/bin/sh\n"
                    + "# test wrapper (resilience suite): log the call, apply the simulator's faults, run the real one\n"
                    + ". \"$SIM_BIN/sim-lib.sh\"\n"
                    // sha256sum: only digests of files (the transfers: an argument or stdin from a file); every
                    // detached run digests its output from a pipe, left alone so a transfer's hang cannot catch it
                    + (command.equals("sha256sum") ? "{ [ $# -gt 0 ] || [ -f /dev/stdin ]; } && " : "")
                    + "sim_begin " + command + " \"$@\"\n"
                    + "exec " + real + " \"$@\"\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Hang fault for a command the simulator's {@code Faults} does not name (its names have no digits). */
    static void hang(SimulatedFederation sim, int zone, String command, boolean on) {
        for (String server : sim.serverNames(zone)) {
            Path file = sim.serverDir(zone, server).resolve("sim/faults/hang/" + command);
            try {
                if (on) {
                    Files.createDirectories(file.getParent());
                    Files.writeString(file, "");
                } else {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Calls of {@code command} on the zone's leader whose first arguments are {@code args}. */
    static List<String> calls(SimulatedFederation sim, int zone, String command, String... args) {
        List<String> out = new ArrayList<>();
        for (String line : sim.commandLog(zone, command)) {
            String[] p = line.split(" ");
            if (p.length >= 2 + args.length
                    && Arrays.equals(Arrays.copyOfRange(p, 2, 2 + args.length), args)) {
                out.add(line);
            }
        }
        return out;
    }

    /**
     * How often each changing command ran on the zone's leader: package install, onedb upgrade/backup/restore/
     * fsck (federated backup apart), systemctl stop/start of oned.
     */
    static Map<String, Integer> changingCommands(SimulatedFederation sim, int zone) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("apt-get install", calls(sim, zone, "apt-get", "install").size());
        counts.put("onedb upgrade", calls(sim, zone, "onedb", "upgrade").size());
        counts.put("onedb fsck", calls(sim, zone, "onedb", "fsck").size());
        List<String> backups = calls(sim, zone, "onedb", "backup");
        counts.put("onedb backup", (int) backups.stream().filter(l -> !l.contains(" --federated")).count());
        counts.put("onedb backup --federated", (int) backups.stream().filter(l -> l.contains(" --federated")).count());
        counts.put("onedb restore", calls(sim, zone, "onedb", "restore").size());
        counts.put("systemctl stop opennebula", exact(calls(sim, zone, "systemctl", "stop", "opennebula"), 4));
        counts.put("systemctl start opennebula", exact(calls(sim, zone, "systemctl", "start", "opennebula"), 4));
        return counts;
    }

    /** What {@link #changingCommands} must show after one complete upgrade of the guide's federation. */
    static Map<String, Integer> expectedOnce(boolean master) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("apt-get install", 1);
        counts.put("onedb upgrade", 1);
        counts.put("onedb fsck", 1);
        counts.put("onedb backup", 1);
        counts.put("onedb backup --federated", master ? 1 : 0);
        counts.put("onedb restore", master ? 0 : 1);
        counts.put("systemctl stop opennebula", 1);
        counts.put("systemctl start opennebula", 1);
        return counts;
    }

    private static int exact(List<String> lines, int tokens) {
        return (int) lines.stream().filter(l -> l.split(" ").length == tokens).count();
    }

    /** A command the service started on a host: when its key was claimed (its {@code cmd} file written), where. */
    record Claim(java.time.Instant at, String host, String key) {
    }

    /**
     * The first run the service claimed on any host of the federation (front-ends and hypervisor hosts) after
     * {@code since}: the moment a command reached a host, as the host's file system dates it. Every start writes
     * the run's {@code cmd} once, right after its {@code mkdir} claim; an attach never rewrites it.
     */
    static java.util.Optional<Claim> firstClaimAfter(SimulatedFederation sim, java.time.Instant since) {
        List<Claim> claims = new ArrayList<>();
        for (int zone : sim.zoneIds()) {
            for (String server : sim.serverNames(zone)) {
                claims(sim.serverDir(zone, server), server, since, claims);
            }
            for (String node : sim.nodeNames(zone)) {
                claims(sim.nodeDir(zone, node), node, since, claims);
            }
        }
        return claims.stream().min(java.util.Comparator.comparing(Claim::at));
    }

    private static void claims(Path hostDir, String host, java.time.Instant since, List<Claim> out) {
        Path runs = hostDir.resolve("var/lib/one-fed-upgrade/runs");
        if (!Files.isDirectory(runs)) {
            return;
        }
        try (java.util.stream.Stream<Path> keys = Files.list(runs)) {
            for (Path key : keys.toList()) {
                Path cmd = key.resolve("cmd");
                if (Files.isRegularFile(cmd)) {
                    java.time.Instant at = Files.getLastModifiedTime(cmd).toInstant();
                    if (at.isAfter(since)) {
                        out.add(new Claim(at, host, key.getFileName().toString()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
