package io.onefed.upgrade.federation;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The last few texts of one per-zone text form ({@code zoneLeaders}, {@code zonePackageVersions}, {@code zoneNodes})
 * and what they parse to. Each text holds the whole federation and every poll of every zone reads its own zone's
 * entry from it: parsed afresh each time, that made a poll's work grow with the number of zones (at 100 zones a
 * tenth of the poll jobs' CPU and allocation went to it, benchmark JFR profile of 2026-12-02). The parsed values
 * are shared, so the parser must return immutable ones.
 */
public final class ParsedTexts<T> {

    private final Function<String, T> parser;
    private final Map<String, T> recent;

    public ParsedTexts(int size, Function<String, T> parser) {
        this.parser = parser;
        this.recent = new LinkedHashMap<>(size * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, T> eldest) {
                return size() > size;
            }
        };
    }

    /** What the text parses to; a text that does not parse throws each time it is asked, and is not kept. */
    public T parse(String text) {
        synchronized (recent) {
            T known = recent.get(text);
            if (known != null) {
                return known;
            }
        }
        T parsed = parser.apply(text);
        synchronized (recent) {
            recent.put(text, parsed);
        }
        return parsed;
    }
}
