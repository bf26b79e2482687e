package io.onefed.upgrade.benchmark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.plan.Plan;
import io.onefed.upgrade.plan.PlanService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The peer of the benchmark: an Ansible playbook generated from the plan the service ran (its {@code plan} process
 * variable), so Ansible runs the same commands in the guide's order: the federation's API phases, every zone
 * stopped at once, the master's steps, then every slave's steps (its backups, the federated backup's copy, the
 * restore and the zone steps) side by side ({@code strategy: free}: a slave does not wait for the others between
 * tasks), then the API phases after them. The rollback part of the plan is not run.
 *
 * <p>How each kind of plan action becomes a task:
 * <ul>
 * <li>{@code ssh}: {@code ansible.builtin.raw} of the very command line (on a hypervisor host: delegated to it; Ansible
 * reaches it directly, where the service jumps through the zone's front-end) (no Python needed on the host; the
 * simulated hosts run it in a real {@code /bin/sh} on an exec channel, as the service's commands run). The command
 * is a host variable marked {@code !unsafe}, so Ansible does not template it.</li>
 * <li>{@code api} (XML-RPC): {@code ansible.builtin.uri} from the controller to the zone's endpoint, the same call
 * the service makes (one task over every zone, in parallel; {@code one.zone.enable} keeps the plan's order: slaves
 * first when disabling, master first when enabling). The session string is read from the credentials file at run
 * time and every such task is {@code no_log}.</li>
 * <li>{@code copy}: the master's file streamed through the controller ({@code ssh master cat | ssh slave 'cat >'}),
 * then {@code sha256sum} on the slave compared with the master's checksum of the {@code checksum-backup} phase.</li>
 * <li>{@code manual} "nodes is not configured" (the benchmark's zones have no node upgrade): nothing, as in the
 * service.</li>
 * </ul>
 * The slaves' restore check names the master's shared tables version, which the plan leaves as
 * {@link PlanService#MASTER_SHARED_PLACEHOLDER}; the playbook fills it in from the master's {@code onedb version -v}
 * of the {@code checksum-backup} phase, as the service does. Only the federated procedure with one front-end per
 * zone is generated; anything else fails with the reason.
 */
final class AnsiblePlaybook {

    static final String TEMPLATE = "benchmark/ansible.cfg";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern COPY = Pattern.compile("^(\\S+):(\\S+) -> (\\S+) \\(sha256 verified\\)$");
    private static final Pattern ZONE_ENABLE = Pattern.compile("^one\\.zone\\.enable (\\d+) (true|false)$");
    private static final Pattern API_UNTIL = Pattern.compile("^one\\.system\\.version until it answers (\\S+)$");
    static final String HOSTS_DISABLE = "one.hostpool.info, then one.host.status <id> DISABLED for each host not already disabled/offline";
    static final String HOSTS_ENABLE = "one.host.status <id> ENABLED for each recorded host";
    static final String POST_CHECKS = "one.system.version, one.zone.info, one.zone.raftstatus";

    /** Where the playbook's hosts are: a freshly started federation of the same shape as the one the plan is for. */
    record Target(FederationProperties federation, Path privateKey, Path credentialsFile, Map<String, String> pathRewrite,
            /** The zones' MySQL password as a file the hosts can read, or null (SQLite zones). */
            Path dbPasswordFile) {
    }

    /** The generated files: inventory, playbook, ansible.cfg. */
    record Files3(String inventory, String playbook, String config) {
        void writeTo(Path dir) {
            try {
                Files.createDirectories(dir);
                Files.writeString(dir.resolve("inventory.yml"), inventory);
                Files.writeString(dir.resolve("playbook.yml"), playbook);
                Files.writeString(dir.resolve("ansible.cfg"), config);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final Plan plan;
    private final Target target;
    private final ZoneProperties master;
    /** Host variables per inventory host (server name), values already YAML. */
    private final Map<String, Map<String, String>> hostVars = new LinkedHashMap<>();
    private final StringBuilder book = new StringBuilder();

    private AnsiblePlaybook(Plan plan, Target target) {
        this.plan = plan;
        this.target = target;
        this.master = target.federation().master();
    }

    /**
     * The playbook, inventory and configuration for {@code plan} against {@code target}.
     *
     * @param forks Ansible's {@code forks} (the benchmark gives the number of zones)
     * @param controlDir where Ansible's SSH control sockets go (a short path: a socket path has at most 108 bytes)
     */
    static Files3 generate(Plan plan, Target target, int forks, Path controlDir) {
        if (!"FEDERATED".equals(plan.procedure())) {
            throw new IllegalArgumentException("plan procedure " + plan.procedure() + ": the playbook generator"
                    + " follows the federated procedure only (start the benchmark's upgrade with forceFederated or a"
                    + " major upgrade)");
        }
        AnsiblePlaybook g = new AnsiblePlaybook(plan, target);
        String playbook = g.playbook();
        return new Files3(g.inventory(), playbook, config(forks, controlDir));
    }

    static String config(int forks, Path controlDir) {
        try (InputStream in = AnsiblePlaybook.class.getClassLoader().getResourceAsStream(TEMPLATE)) {
            String t = new String(Objects.requireNonNull(in, "classpath resource " + TEMPLATE).readAllBytes(),
                    StandardCharsets.UTF_8);
            return t.replace("${forks}", Integer.toString(forks)).replace("${controlDir}", controlDir.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String playbook() {
        List<Plan.Phase> forward = new ArrayList<>();
        for (Plan.Phase p : plan.phases()) {
            if (p.step().equals("rollback")) {
                break; // what follows runs only on an operator's roll back
            }
            forward.add(p);
        }
        for (ZoneProperties z : target.federation().all()) {
            if (z.servers().size() != 1) {
                throw new IllegalArgumentException("zone " + z.name() + " has " + z.servers().size()
                        + " front-ends: the playbook generator covers single front-end zones only");
            }
            Map<String, String> v = hostVars.computeIfAbsent(server(z).name(), k -> new LinkedHashMap<>());
            v.put("ansible_port", Integer.toString(server(z).port()));
            v.put("zone_id", Integer.toString(z.id()));
            v.put("zone_name", json(z.name()));
            v.put("one_endpoint", json(endpoint(z)));
            v.put("is_master", Boolean.toString(z == master));
        }
        book.append("# Generated by FederationUpgradeBenchmark from the plan of upgrade ").append(plan.upgradeId())
                .append(" (SHA-256 ").append(plan.sha256()).append("),\n# ").append(plan.fromVersion()).append(" -> ")
                .append(plan.targetVersion()).append(", ").append(plan.procedure()).append(". Rollback phases left out.\n");
        int i = 0;
        // federation phases before the zones
        while (i < forward.size() && forward.get(i).zone().equals("federation")) {
            apiPlay(forward.get(i++));
        }
        // every zone stopped at once
        List<Plan.Phase> stops = new ArrayList<>();
        while (i < forward.size() && forward.get(i).step().equals("stop-services")) {
            stops.add(forward.get(i++));
        }
        if (stops.size() != target.federation().all().size()) {
            throw new IllegalArgumentException("the plan stops " + stops.size() + " zones before the master's steps,"
                    + " the federation has " + target.federation().all().size());
        }
        play("Stop every zone (stop-services)", "zones", "linear");
        for (Plan.Phase p : stops) {
            hostCommands(p, "stop_services");
        }
        rawTask("Stop OpenNebula services (stop-services)", "stop_services_1", null);
        // the master's steps
        play("The master's steps", "master", "linear");
        while (i < forward.size() && forward.get(i).zone().equals(master.name())) {
            zoneTasks(forward.get(i++), true);
        }
        // the slaves', side by side: every slave's phases, in the same order for each
        List<String> slaveSteps = null;
        Map<String, List<Plan.Phase>> bySlave = new LinkedHashMap<>();
        while (i < forward.size() && !forward.get(i).zone().equals("federation")) {
            Plan.Phase p = forward.get(i++);
            bySlave.computeIfAbsent(p.zone(), k -> new ArrayList<>()).add(p);
        }
        if (!bySlave.isEmpty()) {
            play("Every slave's steps, side by side", "slaves", "free");
            for (Map.Entry<String, List<Plan.Phase>> e : bySlave.entrySet()) {
                List<String> steps = e.getValue().stream().map(Plan.Phase::step).toList();
                if (slaveSteps == null) {
                    slaveSteps = steps;
                    e.getValue().forEach(p -> zoneTasks(p, false));
                } else if (!steps.equals(slaveSteps)) {
                    throw new IllegalArgumentException("slave " + e.getKey() + " has the steps " + steps + ", another "
                            + slaveSteps + ": the playbook runs one task list on every slave");
                } else {
                    e.getValue().forEach(p -> hostCommandsOnly(p));
                }
            }
        }
        while (i < forward.size()) {
            Plan.Phase p = forward.get(i++);
            if (!p.zone().equals("federation")) {
                throw new IllegalArgumentException("phase " + p.order() + " (" + p.zone() + " " + p.step()
                        + ") comes after the slaves' steps: not the federated procedure's order");
            }
            apiPlay(p);
        }
        return book.toString();
    }

    private void play(String name, String hosts, String strategy) {
        book.append("\n- name: ").append(json(name)).append("\n  hosts: ").append(hosts)
                .append("\n  gather_facts: false\n  strategy: ").append(strategy).append("\n  tasks:\n");
    }

    /** A zone's phase as tasks of the master's or the slaves' play; the commands go into host variables. */
    private void zoneTasks(Plan.Phase p, boolean onMaster) {
        String var = p.step().replace('-', '_');
        List<Plan.Action> actions = p.actions();
        String title = p.title() + " (" + p.step() + ")";
        for (int a = 0; a < actions.size(); a++) {
            Plan.Action action = actions.get(a);
            String name = var + "_" + (a + 1);
            switch (action.kind()) {
                case "ssh" -> {
                    hostCommand(p, action, name);
                    String register = null;
                    if (onMaster && p.step().equals("checksum-backup")) {
                        register = action.command().startsWith("sha256sum ") ? "master_sha" : "master_version";
                    }
                    if (!onMaster && p.step().equals("restore-federated")) {
                        rawTask(title, name, null, "{{ " + name + " | replace(" + json(PlanService.MASTER_SHARED_PLACEHOLDER)
                                + ", hostvars[groups['master'][0]].master_shared) }}");
                    } else {
                        rawTask(title, name, register);
                    }
                    if (!action.server().equals(server(zone(p.zone())).name())) {
                        book.append("      delegate_to: \"{{ ").append(name).append("_on }}\"\n");
                    }
                }
                case "api" -> apiTasks(title, action.command(), onMaster ? "is_master" : "not is_master");
                case "copy" -> copyTask(title, p, action, name);
                case "manual" -> manual(p, action);
                default -> throw new IllegalArgumentException("action kind " + action.kind() + " of phase " + p.order());
            }
        }
        if (onMaster && p.step().equals("checksum-backup")) {
            book.append("    - name: \"The master's checksum and shared tables version, for the slaves\"\n")
                    .append("      ansible.builtin.set_fact:\n")
                    .append("        master_checksum: \"{{ master_sha.stdout.split()[0] }}\"\n")
                    .append("        master_shared: \"{{ master_version.stdout | regex_search('Shared tables version: *(\\\\S+)', '\\\\1') | first }}\"\n");
        }
    }

    /** Another slave's phase: only its commands (the tasks are the first slave's). */
    private void hostCommandsOnly(Plan.Phase p) {
        String var = p.step().replace('-', '_');
        for (int a = 0; a < p.actions().size(); a++) {
            Plan.Action action = p.actions().get(a);
            if (action.kind().equals("ssh")) {
                hostCommand(p, action, var + "_" + (a + 1));
            } else if (action.kind().equals("copy")) {
                copyVars(p, action, var + "_" + (a + 1));
            }
        }
    }

    private void hostCommands(Plan.Phase p, String var) {
        for (int a = 0; a < p.actions().size(); a++) {
            hostCommand(p, p.actions().get(a), var + "_" + (a + 1));
        }
    }

    private void hostCommand(Plan.Phase p, Plan.Action action, String var) {
        if (!action.kind().equals("ssh")) {
            throw new IllegalArgumentException("phase " + p.order() + " " + p.step() + ": " + action.kind() + " action");
        }
        ZoneProperties z = zone(p.zone());
        Map<String, String> v = hostVars.get(server(z).name());
        v.put(var, "!unsafe " + json(withDbPassword(rewrite(action.command()))));
        if (!action.server().equals(server(z).name())) {
            if (z.nodes() == null || !z.nodes().addresses().containsKey(action.server())) {
                throw new IllegalArgumentException("phase " + p.order() + " runs on " + action.server()
                        + ", neither zone " + z.name() + "'s front-end " + server(z).name() + " nor one of its nodes");
            }
            // a hypervisor host's command: the zone's task delegates it to the node (see nodeHosts)
            v.put(var + "_on", json(action.server()));
        }
    }

    /**
     * onedb's MySQL password: the service sends it as ONE_DB_PASSWORD over the command's stdin, which {@code raw}
     * cannot; the playbook reads it from a file on the host instead (the simulator's password file, on the same
     * machine). Either way it is never on a command line.
     */
    private String withDbPassword(String command) {
        if (target.dbPasswordFile() == null || !command.contains("onedb ")) {
            return command;
        }
        return "ONE_DB_PASSWORD=$(cat '" + target.dbPasswordFile() + "') && export ONE_DB_PASSWORD && " + command;
    }

    /** The zones' hypervisor hosts as inventory hosts: their own user, key and port (reached directly). */
    private void nodeHosts(StringBuilder s) {
        s.append("    nodes:\n      hosts:\n");
        for (ZoneProperties z : target.federation().all()) {
            if (z.nodes() == null) {
                continue;
            }
            z.nodes().addresses().forEach((name, address) -> {
                int colon = address.lastIndexOf(':');
                s.append("        ").append(name).append(":\n")
                        .append("          ansible_host: ").append(json(colon < 0 ? address : address.substring(0, colon))).append('\n')
                        .append("          ansible_port: ").append(colon < 0 ? z.nodes().port() : address.substring(colon + 1)).append('\n')
                        .append("          ansible_user: ").append(json(z.nodes().user())).append('\n')
                        .append("          ansible_ssh_private_key_file: ").append(json(z.nodes().privateKey())).append('\n');
            });
        }
    }

    private void rawTask(String title, String var, String register) {
        rawTask(title, var, register, "{{ " + var + " }}");
    }

    private void rawTask(String title, String var, String register, String expression) {
        book.append("    - name: ").append(json(title)).append("\n      ansible.builtin.raw: ").append(json(expression))
                .append('\n');
        if (register != null) {
            book.append("      register: ").append(register).append('\n');
        }
    }

    private void copyVars(Plan.Phase p, Plan.Action action, String var) {
        Matcher m = COPY.matcher(action.command());
        if (!m.matches()) {
            throw new IllegalArgumentException("phase " + p.order() + ": copy '" + action.command() + "' is not"
                    + " 'ZONE:/path -> /path (sha256 verified)'");
        }
        ZoneProperties from = zone(m.group(1));
        if (from != master) {
            throw new IllegalArgumentException("phase " + p.order() + " copies from " + from.name() + ", not the master");
        }
        Map<String, String> v = hostVars.get(action.server());
        v.put(var + "_src", json(rewrite(m.group(2))));
        v.put(var + "_dst", json(rewrite(m.group(3))));
    }

    private void copyTask(String title, Plan.Phase p, Plan.Action action, String var) {
        copyVars(p, action, var);
        String ssh = "ssh -i {{ ansible_ssh_private_key_file | quote }} -o BatchMode=yes -o StrictHostKeyChecking=no"
                + " -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -p ";
        book.append("    - name: ").append(json(title + ": stream through the controller")).append('\n')
                .append("      ansible.builtin.shell: ").append(json("set -o pipefail; " + ssh
                        + "{{ hostvars[groups['master'][0]].ansible_port }} root@127.0.0.1 cat {{ " + var + "_src | quote }}"
                        + " | " + ssh + "{{ ansible_port }} root@127.0.0.1 \"cat > {{ " + var + "_dst | quote }}\""))
                .append("\n      args:\n        executable: /bin/bash\n      delegate_to: localhost\n")
                .append("    - name: ").append(json(title + ": sha256 as on the master")).append('\n')
                .append("      ansible.builtin.raw: ").append(json("sha256sum {{ " + var + "_dst | quote }}")).append('\n')
                .append("      register: copied\n")
                .append("      failed_when: copied.rc != 0 or copied.stdout.split()[0] != hostvars[groups['master'][0]].master_checksum\n");
    }

    private static void manual(Plan.Phase p, Plan.Action action) {
        if (!action.command().contains("nodes is not configured")) {
            throw new IllegalArgumentException("phase " + p.order() + " " + p.step() + " needs an operator ("
                    + action.command() + "): a playbook cannot do it");
        }
        // the zone has no node upgrade configured: the service runs nothing there either
    }

    /** A federation phase (one API action per zone) as a play over every zone, each call from the controller. */
    private void apiPlay(Plan.Phase p) {
        String title = p.title() + " (" + p.step() + ")";
        List<Plan.Action> actions = p.actions();
        if (actions.stream().anyMatch(a -> !a.kind().equals("api"))) {
            throw new IllegalArgumentException("federation phase " + p.order() + " " + p.step() + " has an action"
                    + " that is not an API call (" + actions + "): a playbook cannot run it unattended");
        }
        play(title, "zones", "linear");
        Matcher first = ZONE_ENABLE.matcher(actions.get(0).command());
        if (first.matches()) {
            // the order matters here: the zones of the plan's first action's role first, then the others
            boolean masterFirst = Integer.parseInt(first.group(1)) == master.id();
            String enable = first.group(2).equals("true") ? "1" : "0";
            apiCall(title + (masterFirst ? ": master" : ": slaves"), "one.zone.enable",
                    "<i4>{{ zone_id }}</i4>", "<boolean>" + enable + "</boolean>", masterFirst ? "is_master" : "not is_master");
            apiCall(title + (masterFirst ? ": slaves" : ": master"), "one.zone.enable",
                    "<i4>{{ zone_id }}</i4>", "<boolean>" + enable + "</boolean>", masterFirst ? "not is_master" : "is_master");
            return;
        }
        String call = actions.get(0).command();
        if (actions.stream().anyMatch(a -> !a.command().equals(call))) {
            throw new IllegalArgumentException("federation phase " + p.order() + " makes different calls per zone: " + actions);
        }
        apiTasks(title, call, null);
    }

    private void apiTasks(String title, String call, String when) {
        Matcher until = API_UNTIL.matcher(call);
        if (until.matches()) {
            book.append("    - name: ").append(json(title)).append('\n');
            uriBody("one.system.version", List.of(), "version", false);
            book.append("      until: version.status == 200 and ")
                    .append(json(until.group(1))).append(" in version.content\n      retries: 300\n      delay: 1\n");
            when(when);
        } else if (call.equals(HOSTS_DISABLE)) {
            book.append("    - name: ").append(json(title + ": one.hostpool.info")).append('\n');
            uriBody("one.hostpool.info", List.of("<i4>-2</i4>", "<i4>-1</i4>", "<i4>-1</i4>"), "pool", true);
            when(when);
            book.append("    - name: ").append(json(title + ": the hosts neither disabled (4) nor offline (8)")).append('\n')
                    .append("      ansible.builtin.set_fact:\n        enabled_hosts: ")
                    .append(json("{{ pool.content | replace('&lt;', '<') | replace('&gt;', '>')"
                            + " | regex_findall('<HOST><ID>(\\d+)</ID><NAME>[^<]*</NAME><STATE>(?!4<|8<)\\d+</STATE>') }}"))
                    .append('\n');
            when(when);
            book.append("    - name: ").append(json(title + ": one.host.status DISABLED")).append('\n');
            uriBody("one.host.status", List.of("<i4>{{ item }}</i4>", "<i4>1</i4>"));
            book.append("      loop: \"{{ enabled_hosts }}\"\n");
            when(when);
        } else if (call.equals(HOSTS_ENABLE)) {
            book.append("    - name: ").append(json(title)).append('\n');
            uriBody("one.host.status", List.of("<i4>{{ item }}</i4>", "<i4>0</i4>"));
            book.append("      loop: \"{{ enabled_hosts }}\"\n");
            when(when);
        } else if (call.equals(POST_CHECKS)) {
            for (String[] c : List.of(new String[] {"one.system.version"}, new String[] {"one.zone.info", "<i4>{{ zone_id }}</i4>"},
                    new String[] {"one.zone.raftstatus"})) {
                book.append("    - name: ").append(json(title + ": " + c[0])).append('\n');
                uriBody(c[0], List.of(c).subList(1, c.length));
                when(when);
            }
        } else {
            throw new IllegalArgumentException("API action '" + call + "' has no playbook equivalent in the generator");
        }
    }

    private void apiCall(String title, String method, String p1, String p2, String when) {
        book.append("    - name: ").append(json(title)).append('\n');
        uriBody(method, List.of(p1, p2));
        when(when);
    }

    private void when(String when) {
        if (when != null) {
            book.append("      when: ").append(when).append('\n');
        }
    }

    /** An XML-RPC call from the controller to the host's zone endpoint; fails on an XML-RPC failure answer. */
    private void uriBody(String method, List<String> params) {
        uriBody(method, params, "rpc", true);
    }

    private void uriBody(String method, List<String> params, String register, boolean checkAnswer) {
        StringBuilder body = new StringBuilder("<?xml version=\"1.0\"?><methodCall><methodName>").append(method)
                .append("</methodName><params><param><value><string>{{ one_session }}</string></value></param>");
        params.forEach(p -> body.append("<param><value>").append(p).append("</value></param>"));
        body.append("</params></methodCall>");
        book.append("      ansible.builtin.uri:\n        url: \"{{ one_endpoint }}\"\n        method: POST\n")
                .append("        headers:\n          Content-Type: text/xml\n        body: ").append(json(body.toString()))
                .append("\n        return_content: true\n")
                .append("      delegate_to: localhost\n      no_log: true\n      register: ").append(register).append('\n');
        if (checkAnswer) {
            book.append("      failed_when: \"'<boolean>1</boolean>' not in (").append(register)
                    .append(".content | default(''))\"\n");
        }
    }

    private String inventory() {
        StringBuilder s = new StringBuilder("# Generated by FederationUpgradeBenchmark: the fresh simulated federation's"
                + " front-ends; the commands are the plan's, marked !unsafe so Ansible runs them as they are.\n");
        s.append("all:\n  vars:\n    ansible_host: 127.0.0.1\n    ansible_user: root\n")
                .append("    ansible_ssh_private_key_file: ").append(json(target.privateKey().toString())).append('\n')
                .append("    one_session: \"{{ lookup('ansible.builtin.file', ").append(json(target.credentialsFile().toString())
                        .replace("\"", "'")).append(") }}\"\n")
                .append("  hosts:\n    localhost:\n      ansible_connection: local\n")
                .append("      ansible_python_interpreter: /usr/bin/python3\n")
                .append("  children:\n    zones:\n      children:\n        master:\n          hosts:\n");
        hosts(s, List.of(master));
        s.append("        slaves:\n          hosts:\n");
        hosts(s, target.federation().slaves());
        nodeHosts(s);
        return s.toString();
    }

    private void hosts(StringBuilder s, List<ZoneProperties> zones) {
        for (ZoneProperties z : zones) {
            s.append("            ").append(server(z).name()).append(":\n");
            hostVars.get(server(z).name()).forEach((k, v) -> s.append("              ").append(k).append(": ").append(v).append('\n'));
        }
    }

    private ZoneProperties zone(String name) {
        return target.federation().all().stream().filter(z -> z.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the plan names zone " + name
                        + ", the target federation has none of that name"));
    }

    private static ServerProperties server(ZoneProperties z) {
        return z.servers().get(0);
    }

    private static String endpoint(ZoneProperties z) {
        String e = server(z).endpoint();
        return e != null ? e : z.endpoint();
    }

    private String rewrite(String text) {
        String out = text;
        for (Map.Entry<String, String> e : target.pathRewrite().entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }

    /** A JSON string literal, which is also a YAML double-quoted scalar. */
    static String json(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
