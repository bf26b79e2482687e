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
 * <p>Users: the SSH login user decides the simulated uid ({@code SIM_UID}, root is 0); the simulated
 * {@code runuser} and {@code su} switch it and refuse non-root callers as util-linux does
 * ({@code login-utils/su-common.c}). {@code onehost sync} refuses uid 0, never syncs OFFLINE hosts and without
 * {@code --force} leaves hosts already at the front-end's version (OpenNebula/one
 * {@code src/cli/one_helper/onehost_helper.rb}, branches one-6.10 and one-7.0).
 *
 * <p>Hypervisor hosts: each {@code HostSpec} with {@code ssh} gets an SSH server of its own (state under
 * {@code zones/<id>/nodes/<name>}: the node package {@code opennebula-node-kvm} at the zone's installed version,
 * the zone's repository and catalogue, an active {@code libvirtd}). It accepts only the node key
 * ({@code keys/nodes_ecdsa}), its host key is in the generated known_hosts, and the configuration maps the host's
 * NAME to its port ({@code nodes.addresses}); paths under {@code zones/<id>/node-prefix} map to the host's own
 * directory. Front-ends forward direct-tcpip channels (OpenSSH's AllowTcpForwarding default; counted, see
 * {@code forwardedConnections}), so the hosts can be reached through them as a jump host. Modelled on the guide's "Upgrade Hypervisors" (OpenNebula/docs one-6.10
 * {@code source/intro_release_notes/upgrades/upgrading_single.rst}, steps 3 and 12).
 */
package io.onefed.upgrade.simulator;
