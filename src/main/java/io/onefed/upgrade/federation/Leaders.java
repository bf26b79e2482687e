package io.onefed.upgrade.federation;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Raft leader of each zone as found by the preflight, by zone id. Kept in the process as {@code zoneLeaders}
 * in its text form, e.g. {@code 0=fe1,100=fe2}, because a stopped zone can no longer be asked who leads it; the
 * text form is also in the plan the approval hashes, so {@link #format()} must stay as it is.
 */
public record Leaders(Map<Integer, String> byZone) {

    private static final ParsedTexts<Leaders> PARSED = new ParsedTexts<>(16, text -> new Leaders(read(text)));

    public Leaders {
        byZone = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byZone));
    }

    /** Reads the text form; null or blank is no leaders (then each zone's first server leads). */
    public static Leaders parse(String text) {
        return PARSED.parse(text == null ? "" : text);
    }

    public String format() {
        return formatMap(byZone);
    }

    /** The server that runs the zone's DB steps: its recorded leader, else its first server. */
    public ServerProperties leaderOf(ZoneProperties zone) {
        String name = byZone.get(zone.id());
        return zone.servers().stream().filter(s -> s.name().equals(name)).findFirst().orElse(zone.servers().get(0));
    }

    /** The shared text form of a per-zone value ({@code id=value,id=value}), in the map's order. */
    public static String formatMap(Map<Integer, String> values) {
        return values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    /** The text form's values, in its order; unmodifiable. */
    public static Map<Integer, String> parseMap(String text) {
        return parse(text).byZone();
    }

    private static Map<Integer, String> read(String text) {
        Map<Integer, String> values = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return values;
        }
        for (String pair : text.split(",")) {
            String[] kv = pair.split("=", 2);
            values.put(Integer.parseInt(kv[0].trim()), kv[1].trim());
        }
        return values;
    }
}
