package io.onefed.upgrade.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code ansible-playbook} on a generated playbook ({@link AnsiblePlaybook}) and times it. Ansible comes from
 * Debian's {@code ansible-core} package, installed like PostgreSQL for the tests ({@code .ci/run benchmark} adds
 * it); it is found at {@code ONEFED_ANSIBLE_PLAYBOOK}, else {@code /usr/bin/ansible-playbook}, and its absence
 * fails the benchmark with the command that installs it (never a silent skip). Its home, local temp and
 * configuration are the run's directory, so nothing is written outside target/ and the temp dir of the SSH sockets.
 */
final class AnsibleRun {

    /** Wall time of the ansible-playbook process (start-up included: an operator waits for it too). */
    record Result(double wallSeconds, int exitCode, Path log) {
    }

    static Path playbookBinary() {
        String env = System.getenv("ONEFED_ANSIBLE_PLAYBOOK");
        Path p = Path.of(env != null && !env.isBlank() ? env : "/usr/bin/ansible-playbook");
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException(p + " is missing: the benchmark compares the service with Ansible."
                    + " Install Debian's ansible-core (apt-get install -y --no-install-recommends ansible-core, or run"
                    + " .ci/run benchmark), or set ONEFED_ANSIBLE_PLAYBOOK to an ansible-playbook; ssh (openssh-client)"
                    + " is needed too");
        }
        if (!Files.isExecutable(Path.of("/usr/bin/ssh"))) {
            throw new IllegalStateException("/usr/bin/ssh is missing: Ansible's ssh connection needs openssh-client");
        }
        return p;
    }

    /** Runs the playbook in {@code dir} (with its inventory.yml and ansible.cfg) and waits at most {@code minutes}. */
    static Result run(Path binary, Path dir, int minutes) {
        try {
            Path home = Files.createDirectories(dir.resolve("ansible-home"));
            Path log = dir.resolve("ansible.log");
            List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-i", "inventory.yml", "playbook.yml"));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("ANSIBLE_CONFIG", dir.resolve("ansible.cfg").toString());
            pb.environment().put("ANSIBLE_HOME", home.toString());
            pb.environment().put("ANSIBLE_LOCAL_TEMP", home.resolve("tmp").toString());
            pb.environment().put("ANSIBLE_NOCOLOR", "1");
            long t0 = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroyForcibly();
                throw new IllegalStateException("ansible-playbook did not end within " + minutes + " min; see " + log);
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            return new Result(wall, p.exitValue(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
