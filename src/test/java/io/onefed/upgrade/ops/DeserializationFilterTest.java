package io.onefed.upgrade.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.testsupport.SerialPayloads;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The process-wide filter rejects what an attacker would send (a class with a readObject, a serial bomb), both when
 * set on the command line as the Docker image does and when main installs it. The JVM-wide filter can be set once,
 * so those two run in a child JVM each.
 */
class DeserializationFilterTest {

    /** Exits 0 and prints REJECTED when the JVM refuses the canary, DESERIALIZED when its readObject ran. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            if (args.length > 0 && "install".equals(args[0])) {
                DeserializationFilter.install();
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(SerialPayloads.bytes(new Canary())))) {
                in.readObject();
            } catch (InvalidClassException e) {
                System.out.println("REJECTED " + e.getMessage());
                return;
            }
            System.out.println(Canary.ran ? "DESERIALIZED" : "READ");
        }
    }

    static final class Canary implements Serializable {
        private static final long serialVersionUID = 1L;
        static volatile boolean ran;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            ran = true;
        }
    }

    @Test
    void filterRejectsTheCanaryAndTheSerialBomb() throws Exception {
        Canary.ran = false;
        assertThatThrownBy(() -> read(SerialPayloads.bytes(new Canary()))).isInstanceOf(InvalidClassException.class)
                .hasMessageContaining("REJECTED");
        assertThat(Canary.ran).isFalse();
        long start = System.nanoTime();
        assertThatThrownBy(() -> read(SerialPayloads.bytes(SerialPayloads.bomb(100)))).isInstanceOf(InvalidClassException.class);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(5);
    }

    @Test
    void theImagesCommandLinePropertyRejectsInTheWholeProcess() throws Exception {
        assertThat(runProbe(List.of("-Djdk.serialFilter=" + DeserializationFilter.PATTERN), List.of()))
                .startsWith("REJECTED");
    }

    @Test
    void mainsInstallRejectsInTheWholeProcess() throws Exception {
        assertThat(runProbe(List.of(), List.of("install"))).startsWith("REJECTED");
        // the probe itself proves the canary is live without a filter
        assertThat(runProbe(List.of(), List.of())).isEqualTo("DESERIALIZED");
    }

    private static String runProbe(List<String> jvmArgs, List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Probe.class.getName());
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("probe JVM did not finish within 60 s: " + command);
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(process.exitValue()).as("probe output: %s", out).isZero();
        return out;
    }

    private static Object read(byte[] bytes) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(DeserializationFilter.filter());
            return in.readObject();
        }
    }
}
