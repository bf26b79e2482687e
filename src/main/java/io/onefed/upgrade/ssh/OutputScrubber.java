package io.onefed.upgrade.ssh;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.SecretRef;
import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.federation.ZoneProperties;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Removes every configured secret value from a remote command's captured output, where the output enters the
 * service ({@link JschRemoteShell} decodes every capture through it), before anything stores or shows it: step
 * records, decision forms, history, the audit report, webhooks, logs. Real tools print secrets: onedb's MySQL
 * backend runs {@code mysqldump -u U -p'PASS' ...} and on failure raises "Unknown error running '<that command>'"
 * (OpenNebula/one src/onedb/onedb_backend.rb, BackEndMySQL#backup, branch one-7.0), printed to stderr.
 * <p>The secrets are read at each use (rotated files are followed), never kept: the zones' MySQL passwords
 * ({@code database.password}) and oneadmin's credentials ({@code federation.credentials}: {@code user:password} and
 * the password alone). A capture is scrubbed whole, after all its chunks arrived, so a secret split across chunks
 * is found. A capture keeps only its tail: a secret cut by the start of the tail leaves its end there, and a
 * command killed mid-write leaves the start of one at the end; such fragments (4 characters and more) at either
 * edge are removed too.
 */
public final class OutputScrubber {

    /** What replaces a secret. */
    public static final String MARKER = "[secret removed]";
    /** Shorter fragments at an edge are left: too likely to be ordinary text. */
    static final int MIN_FRAGMENT = 4;

    /** Scrubs nothing: for SSH layers without a federation (tests of the SSH layer alone). */
    public static final OutputScrubber NONE = new OutputScrubber(List::of);

    private final Supplier<List<char[]>> secrets;

    public OutputScrubber(Supplier<List<char[]>> secrets) {
        this.secrets = secrets;
    }

    /** The secrets of {@code federation}: every zone's database password and oneadmin's credentials. */
    public static OutputScrubber of(FederationProperties federation, SecretResolver resolver) {
        return new OutputScrubber(() -> {
            List<char[]> values = new ArrayList<>();
            if (federation == null) {
                return values;
            }
            char[] credentials = resolveQuietly(resolver, federation.credentials());
            if (credentials != null) {
                values.add(credentials);
                String text = new String(credentials);
                int colon = text.indexOf(':');
                if (colon > 0 && colon < text.length() - 1) {
                    values.add(text.substring(colon + 1).toCharArray());
                }
            }
            if (federation.zones() != null) {
                for (ZoneProperties zone : federation.zones()) {
                    if (zone.database() != null) {
                        char[] password = resolveQuietly(resolver, zone.database().password());
                        if (password != null) {
                            values.add(password);
                        }
                    }
                }
            }
            return values;
        });
    }

    private static char[] resolveQuietly(SecretResolver resolver, SecretRef ref) {
        if (ref == null || ref.isEmpty()) {
            return null;
        }
        try {
            return resolver.resolve(ref, "secret");
        } catch (RuntimeException e) {
            return null; // unreadable now: nothing of it can have reached a command either
        }
    }

    /** {@code text} with every secret (and edge fragment of one) replaced by {@link #MARKER}. */
    public String scrub(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        List<char[]> raw = secrets.get();
        if (raw.isEmpty()) {
            return text;
        }
        Set<String> values = new LinkedHashSet<>();
        for (char[] c : raw) {
            String v = new String(c);
            Arrays.fill(c, '\0');
            if (!v.isEmpty()) {
                values.add(v);
                // as a shell prints it inside single quotes after quoting: ' becomes '\''
                values.add(v.replace("'", "'\\''"));
            }
        }
        // longest first: a secret containing another is removed whole
        List<String> ordered = values.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
        String out = text;
        for (String v : ordered) {
            out = out.replace(v, MARKER);
        }
        for (String v : ordered) {
            out = scrubEdges(out, v);
        }
        return out;
    }

    private static String scrubEdges(String text, String secret) {
        // the tail's first bytes may be the cut end of a multi-byte character: decoded as U+FFFD, skipped
        int start = 0;
        while (start < text.length() && text.charAt(start) == '\uFFFD') {
            start++;
        }
        for (int n = secret.length() - 1; n >= Math.min(MIN_FRAGMENT, secret.length()); n--) {
            if (text.startsWith(secret.substring(secret.length() - n), start)) {
                text = text.substring(0, start) + MARKER + text.substring(start + n);
                break;
            }
        }
        for (int n = secret.length() - 1; n >= Math.min(MIN_FRAGMENT, secret.length()); n--) {
            if (text.endsWith(secret.substring(0, n))) {
                text = text.substring(0, text.length() - n) + MARKER;
                break;
            }
        }
        return text;
    }
}
