package io.onefed.upgrade.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.federation.DatabaseProperties;
import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.SecretRef;
import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.ZonePaths;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.plan.Plan;
import io.onefed.upgrade.plan.PlanService;
import io.onefed.upgrade.steps.RemoteStepService;
import io.onefed.upgrade.steps.ZoneCommands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Tag;

/** The benchmark's Ansible playbook, generated from a plan: the same commands, in the guide's order. */
class AnsiblePlaybookTest {

    static final String OLD = "/bench/n2/federation";
    static final String NEW = "/bench/n2/ansible/federation";

    static FederationProperties federation(String root) {
        List<ZoneProperties> zones = new ArrayList<>();
        String[][] z = {{"0", "M-0", "master"}, {"101", "S-1", "slave"}, {"102", "S-2", "slave"}};
        for (int i = 0; i < z.length; i++) {
            String base = root + "/zones/" + z[i][0] + "/host/";
            zones.add(new ZoneProperties(Integer.parseInt(z[i][0]), z[i][1], z[i][2], "http://127.0.0.1:" + (9000 + i) + "/RPC2",
                    false, "debian", new DatabaseProperties("sqlite", null, null, null, null, null), List.of(), null,
                    new ZonePaths(base + "etc/one", base + "var/lib/one", base + "var/lock/one/one",
                            base + "var/lib/one-fed-upgrade/runs", base + "var/lib/one-fed-upgrade/backups"),
                    List.of(new ServerProperties(z[i][1].toLowerCase() + "-fe0", "127.0.0.1", 2200 + i, "root", null)),
                    new io.onefed.upgrade.federation.NodeProperties("root", root + "/keys/nodes", null, 1, null, null,
                            root + "/zones/" + z[i][0] + "/nodes/var/lib/one-fed-upgrade/runs", null,
                            Map.of("kvm-" + z[i][0] + "-1", "127.0.0.1:" + (2300 + i)), null)));
        }
        return new FederationProperties("bench", new SecretRef(null, root + "/secrets/one_auth"), null, null, zones);
    }

    static Plan plan(String from, String to) {
        FederationProperties f = federation(OLD);
        return new PlanService(f, new RemoteStepService(f, new ZoneCommands(), null, Duration.ZERO), null)
                .plan("U1", from, to, "", true, "0=7.0.0-1,101=7.0.0-1,102=7.0.0-1",
                        "0=0:kvm-0-1;101=1010:kvm-101-1;102=1020:kvm-102-1");
    }

    static AnsiblePlaybook.Files3 generate(Plan plan) {
        return AnsiblePlaybook.generate(plan, new AnsiblePlaybook.Target(federation(NEW), Path.of("/keys/id"),
                Path.of("/secrets/one_auth"), Map.of(OLD, NEW), null), 3, Path.of("/tmp/cp"));
    }

    /** YAML as Ansible reads it: {@code !unsafe} is a plain string. */
    static Object yaml(String text) {
        SafeConstructor c = new SafeConstructor(new LoaderOptions()) {
            {
                yamlConstructors.put(new Tag("!unsafe"), new ConstructYamlStr());
            }
        };
        return new Yaml(c).load(text);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyForwardCommandOfThePlanIsInTheInventoryOnItsHostAndThePlaysFollowTheGuide() {
        Plan plan = plan("6.10.0", "7.0.0");
        AnsiblePlaybook.Files3 files = generate(plan);
        Map<String, Object> inv = (Map<String, Object>) yaml(files.inventory());
        Map<String, Map<String, Object>> hosts = new java.util.HashMap<>();
        Map<String, Object> zones = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) inv.get("all"))
                .get("children")).get("zones");
        for (String group : List.of("master", "slaves")) {
            hosts.putAll((Map<String, Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>) zones
                    .get("children")).get(group)).get("hosts"));
        }
        assertThat(hosts.keySet()).containsExactlyInAnyOrder("m-0-fe0", "s-1-fe0", "s-2-fe0");
        assertThat(hosts.get("s-2-fe0")).containsEntry("ansible_port", 2202).containsEntry("zone_id", 102)
                .containsEntry("is_master", false);
        Map<String, String> frontEnd = Map.of("kvm-0-1", "m-0-fe0", "kvm-101-1", "s-1-fe0", "kvm-102-1", "s-2-fe0");
        Map<String, Object> nodes = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                inv.get("all")).get("children")).get("nodes")).get("hosts");
        assertThat(nodes).containsOnlyKeys("kvm-0-1", "kvm-101-1", "kvm-102-1");
        assertThat((Map<String, Object>) nodes.get("kvm-102-1")).containsEntry("ansible_port", 2302)
                .containsEntry("ansible_ssh_private_key_file", NEW + "/keys/nodes");
        // the same commands: every ssh action before the rollback is a host variable of its server, paths rewritten
        int ssh = 0;
        for (Plan.Phase p : plan.phases()) {
            if (p.step().equals("rollback")) {
                break;
            }
            for (Plan.Action a : p.actions()) {
                if (a.kind().equals("ssh")) {
                    ssh++;
                    // a hypervisor host's command is its zone's, delegated to the node
                    String fe = a.server().startsWith("kvm-") ? frontEnd.get(a.server()) : a.server();
                    assertThat(hosts.get(fe).values()).as("phase %d %s on %s", p.order(), p.step(), a.server())
                            .contains(a.command().replace(OLD, NEW));
                }
            }
        }
        long inInventory = hosts.values().stream().flatMap(h -> h.keySet().stream()).filter(k -> k.matches(".*_\\d+") && !k.startsWith("ansible_")
                && !k.startsWith("copy_")).count();
        assertThat(inInventory).as("no command more than the plan's").isEqualTo(ssh);
        assertThat(files.inventory()).doesNotContain(OLD + "/");

        List<Map<String, Object>> plays = (List<Map<String, Object>>) yaml(files.playbook());
        assertThat(plays).extracting(p -> p.get("name")).containsExactly(
                "Record enabled hypervisor hosts, then disable them (disable-hosts)",
                "Block API access: disable zones, slaves first (block-api)", "Stop every zone (stop-services)",
                "The master's steps", "Every slave's steps, side by side", "Post-upgrade checks (read-only) (post-checks)",
                "Re-enable API access: master first (enable-api)",
                "Re-enable the hypervisor hosts recorded as enabled (enable-hosts)");
        assertThat(plays.get(2)).containsEntry("hosts", "zones");
        assertThat(plays.get(3)).containsEntry("hosts", "master");
        assertThat(plays.get(4)).containsEntry("hosts", "slaves").containsEntry("strategy", "free");
        assertThat(plays).allSatisfy(p -> assertThat(p).containsEntry("gather_facts", false));
        // zones disabled slaves first, enabled master first, as the service does
        assertThat(tasks(plays.get(1))).extracting(t -> t.get("when")).containsExactly("not is_master", "is_master");
        assertThat(tasks(plays.get(6))).extracting(t -> t.get("when")).containsExactly("is_master", "not is_master");
        // the master's steps in the plan's order, then the slave's, the copy streamed and checked on the way
        assertThat(tasks(plays.get(3))).extracting(t -> (String) t.get("name")).map(n -> n.replaceAll(".*\\((.+)\\)$", "$1"))
                .containsSubsequence("backup-config", "backup-db", "switch-repository", "upgrade-packages", "upgrade-config",
                        "upgrade-db", "check-db", "start-services", "check-api", "sync-hosts", "federated-backup",
                        "checksum-backup");
        Map<String, Object> nodeTask = tasks(plays.get(4)).stream().filter(t -> ((String) t.get("name")).endsWith("(upgrade-nodes)"))
                .findFirst().orElseThrow();
        assertThat(nodeTask).containsEntry("delegate_to", "{{ upgrade_nodes_1_on }}");
        assertThat(hosts.get("s-1-fe0")).containsEntry("upgrade_nodes_1_on", "kvm-101-1");
        List<String> slaveTasks = tasks(plays.get(4)).stream().map(t -> (String) t.get("name")).toList();
        assertThat(slaveTasks).containsSubsequence("Back up /etc/one and remotes/etc (backup-config)",
                "Copy the federated backup to the zone (copy-federated-backup): stream through the controller",
                "Copy the federated backup to the zone (copy-federated-backup): sha256 as on the master",
                "Restore federated tables (onedb restore --federated) (restore-federated)",
                "Sync hypervisor hosts (onehost sync --force) (sync-hosts)");
        Map<String, Object> restore = tasks(plays.get(4)).stream().filter(t -> ((String) t.get("name")).endsWith("(restore-federated)"))
                .findFirst().orElseThrow();
        assertThat((String) restore.get("ansible.builtin.raw")).contains("replace(").contains(PlanService.MASTER_SHARED_PLACEHOLDER)
                .contains("master_shared");
        // every API call runs on the controller, its session never printed
        assertThat(plays.stream().flatMap(p -> tasks(p).stream()).filter(t -> t.containsKey("ansible.builtin.uri")))
                .isNotEmpty().allSatisfy(t -> assertThat(t).containsEntry("delegate_to", "localhost").containsEntry("no_log", true));
        assertThat(files.playbook()).doesNotContain("rollback");
        assertThat(files.config()).contains("forks = 3").contains("pipelining = True").contains("control_path_dir = /tmp/cp");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> tasks(Map<String, Object> play) {
        return (List<Map<String, Object>>) play.get("tasks");
    }

    /** raw has no stdin, which carries ONE_DB_PASSWORD for the service: onedb reads it from a file, never argv. */
    @Test
    void onedbCommandsReadTheMysqlPasswordFromAFileOnTheHost() {
        Plan plan = plan("6.10.0", "7.0.0");
        String inventory = AnsiblePlaybook.generate(plan, new AnsiblePlaybook.Target(federation(NEW), Path.of("/keys/id"),
                Path.of("/secrets/one_auth"), Map.of(OLD, NEW), Path.of("/secrets/db_password")), 3, Path.of("/tmp/cp"))
                .inventory();
        List<String> lines = inventory.lines().filter(l -> l.contains("!unsafe")).toList();
        assertThat(lines).filteredOn(l -> l.contains("onedb ")).isNotEmpty().allSatisfy(l -> assertThat(l)
                .contains("ONE_DB_PASSWORD=$(cat '/secrets/db_password') && export ONE_DB_PASSWORD && "));
        assertThat(lines).filteredOn(l -> !l.contains("onedb ")).isNotEmpty()
                .allSatisfy(l -> assertThat(l).doesNotContain("ONE_DB_PASSWORD"));
    }

    @Test
    void aZoneByZonePlanIsRefusedWithTheReason() {
        Plan maintenance = plan("6.10.0", "6.10.3");
        assertThat(maintenance.procedure()).isEqualTo("ZONE_BY_ZONE");
        assertThatThrownBy(() -> generate(maintenance)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("federated procedure only");
    }
}
