package io.onefed.upgrade.federation;

/**
 * The CA certificates the service trusts for {@code https://} XML-RPC endpoints
 * ({@code federation.xmlrpc.trust-store}): a key store file (PKCS12 by default, or JKS) holding only
 * certificates, and where its password comes from (a {@link SecretRef}, optional: a store of certificates alone
 * may have none). Not set: the JVM's default CA certificates.
 */
public record TrustStoreProperties(String path, String type, SecretRef password) {

    public static final String DEFAULT_TYPE = "PKCS12";

    public TrustStoreProperties {
        path = path == null || path.isBlank() ? null : path.trim();
        type = type == null || type.isBlank() ? DEFAULT_TYPE : type.trim();
    }

    /** Safe to log: the file and type, and where the password lives, never its value. */
    @Override
    public String toString() {
        return path + " (" + type + ", password " + (password == null ? "(none)" : password) + ")";
    }
}
