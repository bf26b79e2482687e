package io.onefed.upgrade.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.steps.NodeHosts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link ParsedTexts}: a per-zone text form is parsed once while it stays the same, and nobody can change it. */
class ParsedTextsTest {

    final List<String> parsed = new ArrayList<>();
    final ParsedTexts<Integer> lengths = new ParsedTexts<>(2, text -> {
        parsed.add(text);
        if (text.startsWith("bad")) {
            throw new IllegalArgumentException("zoneLeaders: '" + text + "' is not id=value");
        }
        return text.length();
    });

    @Test
    void theSameTextIsParsedOnceAndAnotherTextAgain() {
        assertThat(lengths.parse("0=fe1,100=fe2")).isEqualTo(13);
        assertThat(lengths.parse(new String("0=fe1,100=fe2"))).as("equal text, another instance").isEqualTo(13);
        assertThat(lengths.parse("0=fe1,100=fe3,101=fe4")).isEqualTo(21);

        assertThat(parsed).containsExactly("0=fe1,100=fe2", "0=fe1,100=fe3,101=fe4");
    }

    @Test
    void onlyTheLastFewTextsAreKept() {
        lengths.parse("a");
        lengths.parse("b");
        lengths.parse("c");
        lengths.parse("a");

        assertThat(parsed).containsExactly("a", "b", "c", "a");
    }

    @Test
    void aTextThatDoesNotParseFailsEveryTime() {
        assertThatThrownBy(() -> lengths.parse("bad leaders")).hasMessageContaining("zoneLeaders");
        assertThatThrownBy(() -> lengths.parse("bad leaders")).hasMessageContaining("zoneLeaders");

        assertThat(parsed).hasSize(2);
    }

    @Test
    void theSharedParsedFormsCannotBeChangedAndSkippingHostsStillWorks() {
        String nodes = "0=0:kvm1 1:kvm2;100=5:kvm9";
        Map<Integer, List<NodeHosts.Node>> hosts = NodeHosts.parse(nodes);

        assertThat(NodeHosts.parse(nodes)).isSameAs(hosts);
        assertThatThrownBy(() -> hosts.put(7, List.of())).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> hosts.get(0).add(new NodeHosts.Node(2, "kvm3")))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(NodeHosts.without(nodes, 0, Set.of("kvm1"))).isEqualTo("0=1:kvm2;100=5:kvm9");
        assertThat(NodeHosts.of(nodes, 0)).extracting(NodeHosts.Node::name).containsExactly("kvm1", "kvm2");

        Map<Integer, String> leaders = Leaders.parseMap("0=fe1,100=fe2");
        assertThatThrownBy(() -> leaders.put(101, "fe3")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(Leaders.parse("0=fe1,100=fe2").byZone()).isSameAs(leaders);
    }
}
