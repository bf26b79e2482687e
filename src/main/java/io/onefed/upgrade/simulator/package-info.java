/**
 * The simulated OpenNebula federation: the stand-in for real zones used by the tests and the demo profile.
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
 * <p>Real behaviours modelled for the database and HA steps (issue 11, points 6 and 7):
 * <ul>
 * <li>{@code onedb restore} applies a dump statement by statement; the SQLite backend ignores sqlite3's exit
 * status, says "Sqlite database backup restored in ..." and exits 0 even when a truncated, foreign or broken
 * dump restored partly or nothing; MySQL stops at the first error and onedb fails (OpenNebula/one
 * {@code src/onedb/onedb_backend.rb}, one-6.10 and one-7.0, {@code SQLiteBackend#restore},
 * {@code MySQLBackend#restore}). {@code db_versioning} is one of the federated tables (FEDERATED_TABLES), so
 * the shared version travels with them; without it, {@code read_db_version} falls back to 2.0.</li>
 * <li>{@code onedb version -v} prints OneDB#version's format and exit codes 0/1/2/3 ({@code src/onedb/onedb.rb}).</li>
 * <li>oned takes FEDERATION/SERVER_ID from oned.conf at start without checking it against the zone's server
 * pool (-1: solo) and {@code one.zone.raftstatus} reports it ({@code src/nebula/Nebula.cc},
 * {@code src/raft/RaftManager.cc} RaftManager() and to_xml, one-7.0); each HA server's oned.conf has its own
 * id. A follower that kept the leader's id starts anyway: its raftstatus SERVER_ID disagrees with the pool.</li>
 * <li>HA followers replicate the leader's log: their LOG_INDEX equals the leader's unless
 * {@link io.onefed.upgrade.simulator.Faults#raftLag} holds one behind.</li>
 * <li>{@code chown} accepts the users and groups a front-end has (root, oneadmin) and records the ownership.</li>
 * </ul>
 */
package io.onefed.upgrade.simulator;
