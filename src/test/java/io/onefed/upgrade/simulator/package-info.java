/**
 * The simulated OpenNebula federation: the stand-in for real zones used by the tests and the demo profile.
 * It lives in the test source set (with Apache MINA sshd, test scope): nothing of it reaches the service's jar.
 *
 * <p>{@link io.onefed.upgrade.simulator.SimulatedFederation} starts, per zone, one SSH server per front-end
 * (Apache MINA; exec runs a real {@code /bin/sh -c} with the simulated OpenNebula commands of
 * {@code simulator/bin/} first on PATH; SFTP on the real file system) and, while the server's
 * {@code opennebula} unit is active, oned's XML-RPC endpoint ({@code /RPC2}). Shell scripts and Java share the
 * state through one-value-per-line files under each server's {@code sim/} directory, so a command started
 * detached over SSH and the API always see the same zone. {@link io.onefed.upgrade.simulator.Faults} injects
 * latency, failures, hangs, dropped connections, FED_INDEX lag, unreachable zones, rejected credentials and
 * changed host keys. {@link io.onefed.upgrade.simulator.SimulatedFederationDemo} starts the guide's three zones
 * for the {@code demo} profile.
 *
 * <h2>Real behaviours modelled, and where each comes from</h2>
 * Packages and versions (issue 11, points 2 to 5):
 * <ul>
 * <li>Versions have three or four parts: {@code one.system.version} answers {@code code_version()}, "6.10.0.1" on
 * the CE maintenance branch (OpenNebula/one {@code include/NebulaService.h}, one-6.10; "7.0.0" then "7.0.1" on
 * one-7.0). The spec's {@code installed} takes either form.</li>
 * <li>A series repository ({@code /repo/7.0/}) serves several patches and installs its newest; {@code pkg=version}
 * (apt) or {@code pkg-version} (dnf) installs exactly that one, and a version it lacks is refused ("E: Version
 * '7.0.9-1' for 'opennebula' was not found", exit 100; dnf "Unable to find a match", exit 1). The spec's
 * {@code offered} lists the patches ({@code 7.0.0,7.0.1}).</li>
 * <li>apt reads a scratch sources list and lists directory when given {@code -o Dir::Etc::SourceList=...
 * -o Dir::Etc::SourceParts=- -o Dir::State::Lists=...} (apt.conf(5)) and {@code apt-cache madison/policy} read
 * those lists; dnf reads only {@code --repofrompath} under {@code --disablerepo='*'} (dnf(8)): the host's own
 * repository files stay as they are.</li>
 * <li>dpkg's conffile prompt: every federation front-end has a changed {@code /etc/one/oned.conf}; a
 * cross-series apt upgrade fails without a terminal ("end of file on stdin at conffile prompt", the package
 * left half-configured, "E: Sub-process /usr/bin/dpkg returned an error code (1)", exit 100) unless
 * {@code --force-confold} (kept, new file as {@code .dpkg-dist}) or {@code --force-confnew} is passed to dpkg
 * (dpkg(1)); {@code DEBIAN_FRONTEND} does not answer it. RPM keeps the changed file and writes {@code .rpmnew}.</li>
 * <li>Downgrades (issue 14, the rollback): the previous versions stay in the simulated repositories (the catalogue
 * keeps the installed release under its series). apt lists an older {@code pkg=version} under "The following packages
 * will be DOWNGRADED:" and, with {@code -y}, refuses it without {@code --allow-downgrades} ("E: Packages were
 * downgraded and -y was used without --allow-downgrades.", exit 100: apt {@code apt-private/private-install.cc},
 * apt-get(8)); dnf's {@code install name-version} of an older version downgrades to it (dnf(8) install), {@code
 * downgrade} only downgrades ("Package ... of lowest version already installed, cannot downgrade it.").
 * {@code onedb restore -f} of a full backup replaces the zone's database, host and zone states included
 * ({@code src/onedb/onedb}: restore refuses an existing database without {@code -f}).</li>
 * <li>onedb's migrators come from {@code opennebula-migration} (7.0 docs, configuration management overview) or
 * {@code opennebula-migration-community} (CE 6.x), at the server's version; without them {@code onedb upgrade}
 * aborts with "missing migration descriptors". The CE package depends on the new server packages and cannot be
 * installed before them (OpenNebula/one issue #4998).</li>
 * <li>apt refuses a repository whose {@code signed-by} keyring is missing ("NO_PUBKEY", "... is not signed.",
 * apt-secure(8)); a line without {@code signed-by} uses {@code trusted.gpg(.d)}. The spec's {@code legacyAptKey}
 * makes front-ends set up with the older instructions ({@code apt-key add repo.key}); {@code wget} serves
 * {@code repo2.key} and {@code gpg --dearmor} de-armours it (OpenNebula/website one-7.0,
 * {@code opennebula_repository_configuration.md}).</li>
 * </ul>
 * Database and HA steps (issue 11, points 6 and 7):
 * <ul>
 * <li>{@code onedb restore} applies a dump statement by statement; the SQLite backend ignores sqlite3's exit
 * status, says "Sqlite database backup restored in ..." and exits 0 even when a truncated, foreign or broken
 * dump restored partly or nothing; MySQL stops at the first error and onedb fails (OpenNebula/one
 * {@code src/onedb/onedb_backend.rb}, one-6.10 and one-7.0, {@code SQLiteBackend#restore},
 * {@code MySQLBackend#restore}). {@code db_versioning} is one of the federated tables (FEDERATED_TABLES), so
 * the shared version travels with them; without it, {@code read_db_version} falls back to 2.0.</li>
 * <li>{@code onedb version -v} prints OneDB#version's format and exit codes 0/1/2/3 ({@code src/onedb/onedb.rb}):
 * "Shared tables version:" then "Required version:" (onedb's LATEST_DB_VERSION, {@code ret[:oned_version]} of
 * {@code src/onedb/onedb_backend.rb}), then the same for the local tables; without {@code -v} "Required shared
 * version:" (release-6.10.3 lines 177-229).</li>
 * <li>Maintenance releases (issue 14): a release's code requires its series' {@code X.Y.0} as shared and local DB
 * version, as the release table read from {@code include/NebulaService.h} has it for 6.x and 7.x (6.10.0 ... 6.10.5
 * all return "6.10.0"), so 6.10.0 -> 6.10.3 needs no migration and oned starts on the old DB. The spec's
 * {@code codeSharedDbVersions} makes a release whose code requires another shared version (as 5.4.1 did: "5.4.1"
 * after 5.4.0's "5.4.0"): onedb version -v reports it and exits 2, onedb upgrade migrates the shared tables to it,
 * and oned refuses older shared tables ("Database version mismatch ( shared)"; a slave "Cannot join federation").</li>
 * <li>oned takes FEDERATION/SERVER_ID from oned.conf at start without checking it against the zone's server
 * pool (-1: solo) and {@code one.zone.raftstatus} reports it ({@code src/nebula/Nebula.cc},
 * {@code src/raft/RaftManager.cc} RaftManager() and to_xml, one-7.0); each HA server's oned.conf has its own
 * id. A follower that kept the leader's id starts anyway: its raftstatus SERVER_ID disagrees with the pool.</li>
 * <li>HA followers replicate the leader's log: their LOG_INDEX equals the leader's unless
 * {@link io.onefed.upgrade.simulator.Faults#raftLag} holds one behind.</li>
 * <li>{@code chown} accepts the users and groups a front-end has (root, oneadmin) and records the ownership.</li>
 * </ul>
 * Services and command lines (issue 11, point 8, and the CLI parser every OpenNebula command shares):
 * <ul>
 * <li>Each release installs its own systemd units ({@link io.onefed.upgrade.simulator.SimUnits}, read off
 * {@code share/pkgs/services/systemd/} of OpenNebula/one on one-5.10 ... one-7.2 and release-7.4.0): 5.x has
 * {@code opennebula-econe}, 6.6 and 6.8 {@code opennebula-gate-proxy}, 7.0 drops the scheduler, Sunstone and
 * noVNC, 7.2 adds {@code opennebula-form}. {@code systemctl} knows only the installed release's units (stopping
 * or starting another fails with exit 5, as systemd does) and an upgrade removes the units it no longer ships.</li>
 * <li>{@code onedb} parses as OpenNebula's CommandParser does ({@code src/cli/command_parser.rb} CmdParser#run,
 * {@code src/onedb/onedb}, one-7.0): the command must come first (an option first prints the help and exits 0,
 * doing nothing), options are per command ({@code --federated} only for backup and restore, {@code -b} for
 * upgrade and fsck; any other is "invalid option", exit 255), and the arity is checked.</li>
 * <li>{@code onecfg}'s upgrade, status and friends are "EE" commands loaded from {@code lib/ee}
 * ({@code src/onecfg/bin/onecfg}), which install.sh installs from one-7.0 on but not on one-6.10: on a 6.x release
 * {@code onecfg upgrade} prints the help and exits 0, changing nothing; on 7.x it needs the migrators of
 * {@code opennebula-migration} at the server's version, else it fails.</li>
 * </ul>
 * Users and hypervisor hosts (issue 11, points 1 and 9):
 * <ul>
 * <li>The SSH login user decides the simulated uid ({@code SIM_UID}, root is 0); the simulated
 * {@code runuser} and {@code su} switch it and refuse non-root callers as util-linux does
 * ({@code login-utils/su-common.c}). {@code onehost sync} refuses uid 0, never syncs OFFLINE hosts and without
 * {@code --force} leaves hosts already at the front-end's version (OpenNebula/one
 * {@code src/cli/one_helper/onehost_helper.rb}, branches one-6.10 and one-7.0).</li>
 * <li>Hypervisor hosts: each {@code HostSpec} with {@code ssh} gets an SSH server of its own (state under
 * {@code zones/<id>/nodes/<name>}: the node package {@code opennebula-node-kvm} at the zone's installed version,
 * the zone's repository and catalogue, an active {@code libvirtd}). It accepts only the node key
 * ({@code keys/nodes_ecdsa}), its host key is in the generated known_hosts, and the configuration maps the host's
 * NAME to its port ({@code nodes.addresses}); paths under {@code zones/<id>/node-prefix} map to the host's own
 * directory. Front-ends forward direct-tcpip channels (OpenSSH's AllowTcpForwarding default; counted, see
 * {@code forwardedConnections}), so the hosts can be reached through them as a jump host. Modelled on the guide's "Upgrade Hypervisors" (OpenNebula/docs one-6.10
 * {@code source/intro_release_notes/upgrades/upgrading_single.rst}, steps 3 and 12).</li>
 * </ul>
 */
package io.onefed.upgrade.simulator;
