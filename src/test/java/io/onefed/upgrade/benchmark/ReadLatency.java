package io.onefed.upgrade.benchmark;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an operator's reads cost while an upgrade runs: {@code GET /api/upgrades/{id}} and
 * {@code GET /api/federation/status}, one after the other, then a second's pause, on a thread of their own (a
 * slow read must not hold up the approvals). Records each call's latency and the answers that were not 200.
 */
final class ReadLatency implements AutoCloseable {

    /** Latencies per path (ms) and the number of answers other than 200. */
    record Reads(List<Long> millis, int failures) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String authorization;
    private final List<String> paths;
    private final Map<String, List<Long>> millis = new LinkedHashMap<>();
    private final Map<String, Integer> failures = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean stop;

    ReadLatency(int port, String user, String password, List<String> paths) {
        this.base = "http://127.0.0.1:" + port;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
        this.paths = List.copyOf(paths);
        paths.forEach(p -> {
            millis.put(p, new ArrayList<>());
            failures.put(p, 0);
        });
        this.thread = new Thread(this::poll, "bench-reads");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void poll() {
        while (!stop) {
            for (String path : paths) {
                long t = System.nanoTime();
                int status;
                try {
                    status = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5))
                            .header("Authorization", authorization).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode();
                } catch (IOException e) {
                    status = -1;
                } catch (InterruptedException e) {
                    return;
                }
                long ms = (System.nanoTime() - t) / 1_000_000;
                synchronized (this) {
                    millis.get(path).add(ms);
                    if (status != 200) {
                        failures.merge(path, 1, Integer::sum);
                    }
                }
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    synchronized Reads of(String path) {
        return new Reads(List.copyOf(millis.get(path)), failures.get(path));
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
