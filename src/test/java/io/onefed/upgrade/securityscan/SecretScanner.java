package io.onefed.upgrade.securityscan;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Looks for secrets where they must never be: every text and binary column of every table of a database, and the
 * service's console output (where its log goes). A hit names the secret's label and the place, never the secret.
 */
public final class SecretScanner {

    /** What was looked at, for the report: tables, columns and values read. */
    public record Scan(int tables, int columns, long values, List<String> hits) {
    }

    private final Map<String, String> secrets = new LinkedHashMap<>();

    /** @param label how a hit names the secret (e.g. "OpenNebula password"), never the value */
    public SecretScanner secret(String label, String value) {
        if (value == null || value.length() < 8) {
            throw new IllegalArgumentException(label + ": a secret to scan for must have 8 characters or more, or"
                    + " the scan finds it by chance in unrelated text");
        }
        secrets.put(label, value);
        return this;
    }

    /**
     * The key's base64 body lines (the key material itself); the armour lines are public knowledge. Each line is
     * scanned on its own: a key split over lines would hide from a whole-file search.
     */
    public SecretScanner privateKey(String label, Path keyFile) {
        try {
            int n = 0;
            for (String line : Files.readAllLines(keyFile)) {
                if (!line.startsWith("-----") && line.strip().length() >= 32) {
                    secret(label + " line " + (++n), line.strip());
                }
            }
            if (n == 0) {
                throw new IllegalArgumentException(keyFile + " holds no key material to scan for");
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int secretCount() {
        return secrets.size();
    }

    /** Every text, varchar, char and bytea column of every table in {@code schema}. */
    public Scan scanDatabase(String jdbcUrl, String user, String password, String schema) {
        List<String> hits = new ArrayList<>();
        int tables = 0;
        int columns = 0;
        long values = 0;
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            Map<String, List<String>> byTable = new LinkedHashMap<>();
            try (var ps = c.prepareStatement("SELECT table_name, column_name FROM information_schema.columns"
                    + " WHERE table_schema = ? AND data_type IN ('text', 'character varying', 'character', 'bytea')"
                    + " ORDER BY table_name, ordinal_position")) {
                ps.setString(1, schema);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        byTable.computeIfAbsent(rs.getString(1), t -> new ArrayList<>()).add(rs.getString(2));
                    }
                }
            }
            try (var ps = c.prepareStatement("SELECT count(*) FROM information_schema.tables WHERE table_schema = ?")) {
                ps.setString(1, schema);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    tables = rs.getInt(1);
                }
            }
            for (Map.Entry<String, List<String>> t : byTable.entrySet()) {
                for (String col : t.getValue()) {
                    columns++;
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT \"" + col
                            + "\" FROM \"" + schema + "\".\"" + t.getKey() + "\" WHERE \"" + col + "\" IS NOT NULL")) {
                        while (rs.next()) {
                            values++;
                            byte[] raw = rs.getBytes(1);
                            String text = new String(raw, StandardCharsets.UTF_8);
                            // Latin-1 too: serialized Java objects are not UTF-8
                            String latin = new String(raw, StandardCharsets.ISO_8859_1);
                            for (Map.Entry<String, String> secret : secrets.entrySet()) {
                                if (text.contains(secret.getValue()) || latin.contains(secret.getValue())) {
                                    hits.add(secret.getKey() + " in " + t.getKey() + "." + col);
                                }
                            }
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot scan " + jdbcUrl + ": " + e.getMessage(), e);
        }
        return new Scan(tables, columns, values, hits);
    }

    public List<String> scanText(String where, String text) {
        List<String> hits = new ArrayList<>();
        for (Map.Entry<String, String> secret : secrets.entrySet()) {
            int at = text.indexOf(secret.getValue());
            if (at >= 0) {
                int lineStart = text.lastIndexOf('\n', at) + 1;
                int lineEnd = text.indexOf('\n', at);
                String line = text.substring(lineStart, lineEnd < 0 ? text.length() : lineEnd);
                hits.add(secret.getKey() + " in " + where + ": "
                        + line.replace(secret.getValue(), "<" + secret.getKey() + ">"));
            }
        }
        return hits;
    }

    /**
     * Copies everything written to System.out and System.err (the console appender of the service's logging writes
     * there) from {@link #start()} on, while still passing it through.
     */
    public static final class ConsoleCapture {
        private static final ByteArrayOutputStream BUFFER = new ByteArrayOutputStream();
        private static PrintStream originalOut;
        private static PrintStream originalErr;

        private ConsoleCapture() {
        }

        public static synchronized void start() {
            if (originalOut != null) {
                return;
            }
            originalOut = System.out;
            originalErr = System.err;
            System.setOut(new PrintStream(new Tee(originalOut), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(new Tee(originalErr), true, StandardCharsets.UTF_8));
        }

        public static synchronized void stop() {
            if (originalOut != null) {
                System.setOut(originalOut);
                System.setErr(originalErr);
                originalOut = null;
                originalErr = null;
            }
        }

        public static String text() {
            synchronized (BUFFER) {
                return BUFFER.toString(StandardCharsets.UTF_8);
            }
        }

        private static final class Tee extends OutputStream {
            private final OutputStream through;

            Tee(OutputStream through) {
                this.through = through;
            }

            @Override
            public void write(int b) throws IOException {
                synchronized (BUFFER) {
                    BUFFER.write(b);
                }
                through.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                synchronized (BUFFER) {
                    BUFFER.write(b, off, len);
                }
                through.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                through.flush();
            }
        }
    }
}
