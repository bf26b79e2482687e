package io.onefed.upgrade.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Issue 13, point 5: the service's jar carries no SSH server, no simulator, no fault injector and no demo users.
 * What goes into the jar is src/main and the pom's compile/runtime dependencies, so this holds both to it: a main
 * class that imports the simulator or MINA sshd, a demo profile or simulator script back under src/main/resources,
 * or an sshd dependency without test scope fails here (the jar itself is only built after the tests).
 */
class ServiceJarContentsTest {

    private static final List<String> TEST_ONLY = List.of("io.onefed.upgrade.simulator", "org.apache.sshd");

    @Test
    void mainSourcesNameNeitherTheSimulatorNorTheSshServer() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(f);
                TEST_ONLY.stream().filter(text::contains).forEach(name -> found.add(f + " names " + name));
                if (f.toString().replace('\\', '/').contains("/simulator/")) {
                    found.add(f + " is a simulator file");
                }
            }
        }
        assertThat(found).as("src/main must not depend on test-only code (move it to src/test)").isEmpty();
        try (Stream<Path> resources = Files.list(Path.of("src/main/resources"))) {
            assertThat(resources.map(p -> p.getFileName().toString()))
                    .as("the demo profile and its users belong to src/test/resources")
                    .noneMatch(name -> name.startsWith("application-demo"));
        }
    }

    @Test
    void theSshServerIsATestDependencyOnly() throws Exception {
        var pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        NodeList deps = pom.getElementsByTagName("dependency");
        List<String> sshd = new ArrayList<>();
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            if ("org.apache.sshd".equals(text(d, "groupId"))) {
                sshd.add(text(d, "artifactId") + ":" + text(d, "scope"));
            }
        }
        assertThat(sshd).isNotEmpty().allMatch(s -> s.endsWith(":test"), "scope test");
    }

    private static String text(Element e, String tag) {
        NodeList l = e.getElementsByTagName(tag);
        return l.getLength() == 0 ? null : l.item(0).getTextContent().trim();
    }
}
