package io.onefed.upgrade.notify;

import java.util.Map;

/**
 * Tells people outside the engine that something needs them or happened: an approval waits, an upgrade ended,
 * an incident was raised. Never throws and never blocks the process: delivery problems are logged.
 * Bodies carry ids, names and messages only, never a secret.
 */
public interface Notifier {

    void send(String event, Map<String, Object> fields);

    Notifier NONE = (event, fields) -> { };
}
