package io.onefed.upgrade.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs {@code {"event": ..., "at": ..., ...fields}} as JSON to {@code onefed.notify.webhook-url}. Sent from one
 * background thread with short timeouts, so a slow or dead receiver never holds an engine job or transaction;
 * when the queue is full or delivery fails, the event is logged (without its body) and dropped.
 */
public class WebhookNotifier implements Notifier, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final Clock clock;
    private final HttpClient http;
    private final ThreadPoolExecutor sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1000), r -> {
                Thread t = new Thread(r, "webhook-notifier");
                t.setDaemon(true);
                return t;
            });

    public WebhookNotifier(URI url, Clock clock) {
        if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))) {
            throw new IllegalArgumentException("onefed.notify.webhook-url: '" + url + "' is not an http(s) URL");
        }
        this.url = url;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    }

    @Override
    public void send(String event, Map<String, Object> fields) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", event);
        body.put("at", clock.instant().toString());
        body.putAll(fields);
        try {
            byte[] bytes = JSON.writeValueAsBytes(body);
            sender.execute(() -> deliver(event, bytes));
        } catch (RejectedExecutionException e) {
            log.warn("webhook: queue full, event {} not sent", event);
        } catch (RuntimeException | com.fasterxml.jackson.core.JsonProcessingException e) {
            log.warn("webhook: event {} not sent: {}", event, e.toString());
        }
    }

    private void deliver(String event, byte[] body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json").header("User-Agent", "one-fed-upgrade")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                log.warn("webhook: {} answered HTTP {} to event {}", safe(url), response.statusCode(), event);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("webhook: event {} not delivered to {}: {}", event, safe(url), e.toString());
        }
    }

    /** The URL without user info or query (either may hold a token). */
    static String safe(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + url.getPath();
    }

    /** Waits for queued events (tests, shutdown). */
    public boolean drain(Duration max) throws InterruptedException {
        sender.shutdown();
        return sender.awaitTermination(max.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }
}
