package io.onefed.upgrade.federation;

import java.util.Locale;

/**
 * Which XML-RPC endpoints the configuration names: each zone's {@code endpoint} and each server's
 * {@link ServerProperties#xmlRpcEndpoint}. oneadmin's session is sent to these only; an endpoint read from
 * OpenNebula's answers (SERVER_POOL, zone pool) that is not one of them is reported and never called, since
 * whoever controls a zone's template (or the plain-HTTP path to it) could otherwise point the service at a
 * listener of their own and collect the password.
 */
public final class ConfiguredEndpoints {

    private ConfiguredEndpoints() {
    }

    /** Same endpoint, up to case (scheme and host are case-insensitive) and trailing slashes. */
    public static boolean same(String a, String b) {
        return a != null && b != null && normalize(a).equals(normalize(b));
    }

    private static String normalize(String endpoint) {
        // no regular expression: every XML-RPC call checks its endpoint against every configured one
        String s = endpoint.trim();
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(0, end).toLowerCase(Locale.ROOT);
    }

    /** The server of {@code zone} whose XML-RPC endpoint is {@code endpoint}, or null if none is. */
    public static ServerProperties server(ZoneProperties zone, String endpoint) {
        for (ServerProperties s : zone.servers()) {
            if (s != null && same(s.xmlRpcEndpoint(zone.endpoint()), endpoint)) {
                return s;
            }
        }
        return null;
    }

    public static boolean isConfigured(FederationProperties federation, String endpoint) {
        for (ZoneProperties zone : federation.zones()) {
            if (zone == null) {
                continue;
            }
            if (same(zone.endpoint(), endpoint) || server(zone, endpoint) != null) {
                return true;
            }
        }
        return false;
    }

    /** Why a SERVER_POOL member of {@code zone} is not asked, with the fix. */
    public static String unknownServer(ZoneProperties zone, String serverName, String endpoint) {
        return "SERVER_POOL of zone " + zone.id() + " (" + zone.name() + ") lists server '" + serverName + "' at "
                + endpoint + ", which is not in the configuration, so it was not called (oneadmin's session goes only"
                + " to configured endpoints): if it is one of the zone's front-ends, list it under federation.zones[id="
                + zone.id() + "].servers with its endpoint; otherwise remove it from the zone (onezone server-del)";
    }
}
