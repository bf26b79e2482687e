package io.onefed.upgrade.federation;

/** A front-end server of a zone, reached over SSH. */
public record ServerProperties(String name, String host, Integer port, String user) {

    public ServerProperties {
        port = port == null ? 22 : port;
        user = user == null || user.isBlank() ? "root" : user;
    }
}
