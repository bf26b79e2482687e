package io.onefed.upgrade.security;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failed logins per client, and how long a client must wait before its next login attempt. A client's first
 * {@code freeFailures} failures cost nothing; after each further one its next attempt waits {@code firstDelay},
 * doubled with each further failure up to {@code maxDelay}; an attempt before that is refused unchecked. A client forgets its failures after {@code forgetAfter} without one.
 * <p>
 * An attempt counts as failed from the moment it starts until it is known to have succeeded, so parallel
 * attempts cannot slip past the wait. A success takes back only its own count, never earlier failures: a client
 * with one valid account cannot reset its count between guesses at another one's password. At most
 * {@code maxClients} clients are remembered (the least recently seen go first), so the table's memory is bounded
 * whatever an attacker sends.
 */
public final class LoginThrottle {

    private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);

    private final LoginThrottleProperties settings;
    private final LongSupplier clock;
    private final LinkedHashMap<String, Client> clients = new LinkedHashMap<>(64, 0.75f, true);

    public LoginThrottle(LoginThrottleProperties settings, LongSupplier clockMillis) {
        this.settings = settings;
        this.clock = clockMillis;
    }

    public LoginThrottle(LoginThrottleProperties settings) {
        this(settings, System::currentTimeMillis);
    }

    private static final class Client {
        int attempts; // failures, plus the attempts under way
        int inFlight;
        long lastFailureAt;
        long nextAllowedAt;
    }

    /**
     * Called before a login attempt of {@code client} is checked.
     *
     * @return empty: go ahead (and call {@link #finished} afterwards); otherwise how long the client must wait
     */
    public synchronized Optional<Duration> attempt(String client) {
        long now = clock.getAsLong();
        Client c = clients.get(client);
        if (c != null && forgotten(c, now)) {
            clients.remove(client);
            c = null;
        }
        if (c == null) {
            makeRoom(now);
            c = new Client();
            clients.put(client, c);
        }
        if (now < c.nextAllowedAt) {
            return Optional.of(Duration.ofMillis(c.nextAllowedAt - now));
        }
        c.attempts++;
        c.inFlight++;
        c.nextAllowedAt = now + delayAfter(c.attempts);
        return Optional.empty();
    }

    /** Called once an attempt that {@link #attempt} let through has been answered. */
    public synchronized void finished(String client, boolean failed) {
        long now = clock.getAsLong();
        Client c = clients.get(client);
        if (c == null) {
            return; // forgotten meanwhile (the table was full)
        }
        c.inFlight = Math.max(0, c.inFlight - 1);
        if (failed) {
            c.lastFailureAt = now;
            c.nextAllowedAt = now + delayAfter(c.attempts);
            if (c.attempts == settings.freeFailures() + 1) {
                log.warn("Login attempts from {} are slowed down after {} failed logins (onefed.security.login-throttle)",
                        client, c.attempts);
            }
            return;
        }
        c.attempts = Math.max(0, c.attempts - 1);
        if (c.attempts == 0 && c.inFlight == 0) {
            clients.remove(client);
        } else {
            c.nextAllowedAt = c.lastFailureAt + delayAfter(c.attempts);
        }
    }

    /** How long a client that has failed {@code failures} times waits before its next attempt. */
    long delayAfter(int failures) {
        int over = failures - settings.freeFailures();
        if (over <= 0) {
            return 0;
        }
        long first = settings.firstDelay().toMillis();
        long max = settings.maxDelay().toMillis();
        long delay = first;
        for (int i = 1; i < over && delay < max; i++) {
            delay *= 2;
        }
        return Math.min(delay, max);
    }

    synchronized int size() {
        return clients.size();
    }

    private boolean forgotten(Client c, long now) {
        return c.inFlight == 0 && now - c.lastFailureAt >= settings.forgetAfter().toMillis();
    }

    private void makeRoom(long now) {
        if (clients.size() < settings.maxClients()) {
            return;
        }
        clients.values().removeIf(c -> forgotten(c, now));
        Iterator<Map.Entry<String, Client>> eldest = clients.entrySet().iterator();
        while (clients.size() >= settings.maxClients() && eldest.hasNext()) {
            eldest.next();
            eldest.remove();
        }
    }

    /**
     * The client a request comes from: its remote address, an IPv6 address by its /64 (one host usually holds a
     * whole /64, so counting single addresses would not slow it down).
     */
    public static String clientOf(String remoteAddress) {
        if (remoteAddress == null || remoteAddress.isBlank()) {
            return "unknown";
        }
        if (remoteAddress.indexOf(':') < 0) {
            return remoteAddress; // IPv4 (an address literal: no name lookup anywhere here)
        }
        try {
            InetAddress a = InetAddress.getByName(remoteAddress); // an IPv6 literal: parsed, not resolved
            if (a instanceof Inet6Address) {
                byte[] b = a.getAddress();
                StringBuilder s = new StringBuilder();
                for (int i = 0; i < 8; i += 2) {
                    s.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
                }
                return s.append(":/64").toString();
            }
            return a.getHostAddress();
        } catch (UnknownHostException e) {
            return remoteAddress;
        }
    }
}
