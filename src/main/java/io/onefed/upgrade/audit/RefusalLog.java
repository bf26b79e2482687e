package io.onefed.upgrade.audit;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Every request the service refused because the caller may not do it (403 from the engine, the webapps or our
 * API; a completion the approval rules refused), kept in the service's own table {@code ONEFED_REFUSAL} so an
 * auditor sees attempts, not only what succeeded. The report lists the refusals made while an upgrade ran.
 * Only what identifies the attempt is kept: who, when, method, path, status and the refusal's message; never a
 * body (an attacker's body may hold anything) nor a query string. Bounded: at most {@link #PER_MINUTE} rows a
 * minute (a flood is summarised by a count in the next row), each field cut to its column.
 */
public class RefusalLog {

    private static final Logger log = LoggerFactory.getLogger(RefusalLog.class);

    static final String TABLE = "ONEFED_REFUSAL";
    static final int PER_MINUTE = 1000;

    /** One refused request. */
    public record Refusal(Instant at, String userId, String method, String path, int status, String message) {
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private long minute = -1;
    private int inMinute;
    private int dropped;

    public RefusalLog(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Creates the table if missing; every node does it at start. */
    public void createIfMissing() {
        try {
            jdbc.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (ID VARCHAR(36) NOT NULL PRIMARY KEY,"
                    + " REFUSED_AT TIMESTAMP NOT NULL, USER_ID VARCHAR(255), METHOD VARCHAR(16), PATH VARCHAR(1000),"
                    + " STATUS INTEGER, MESSAGE VARCHAR(2000))");
        } catch (org.springframework.dao.DataAccessException e) {
            // two nodes creating it at once (PostgreSQL): the table is there; the first insert would say otherwise
            log.debug("creating {} failed, another node may have created it: {}", TABLE, e.getMessage());
        }
    }

    /** Records one refusal, in a transaction of its own (the refused request's own work was rolled back). */
    public void record(String userId, String method, String path, int status, String message) {
        Instant now = clock.instant();
        String note = "";
        synchronized (this) {
            long m = now.getEpochSecond() / 60;
            if (m != minute) {
                minute = m;
                inMinute = 0;
            }
            if (++inMinute > PER_MINUTE) {
                dropped++;
                return;
            }
            if (dropped > 0) {
                note = " (and " + dropped + " more refusals not recorded one by one: over " + PER_MINUTE + " a minute)";
                dropped = 0;
            }
        }
        try {
            jdbc.update("INSERT INTO " + TABLE + " (ID, REFUSED_AT, USER_ID, METHOD, PATH, STATUS, MESSAGE)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?)", UUID.randomUUID().toString(), Timestamp.from(now),
                    cut(userId, 255), cut(method, 16), cut(path, 1000), status, cut(message + note, 2000));
        } catch (org.springframework.dao.DataAccessException e) {
            // the refusal stands; only its record failed
            log.warn("could not record a refused {} {} by {}: {}", method, path, userId, e.getMessage());
        }
    }

    /** Refusals from {@code from} to {@code to} (null: until now), oldest first, at most {@code limit}. */
    public List<Refusal> between(Instant from, Instant to, int limit) {
        return jdbc.query("SELECT REFUSED_AT, USER_ID, METHOD, PATH, STATUS, MESSAGE FROM " + TABLE
                        + " WHERE REFUSED_AT >= ? AND REFUSED_AT <= ? ORDER BY REFUSED_AT",
                ps -> {
                    ps.setTimestamp(1, Timestamp.from(from));
                    ps.setTimestamp(2, Timestamp.from(to == null ? clock.instant().plusSeconds(1) : to));
                    ps.setMaxRows(limit);
                },
                (rs, i) -> new Refusal(rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getInt(5), rs.getString(6)));
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
