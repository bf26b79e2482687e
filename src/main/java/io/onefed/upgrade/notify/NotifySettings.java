package io.onefed.upgrade.notify;

import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code onefed.notify.webhook-url}: where JSON events are POSTed; unset means no notifications. */
@ConfigurationProperties(prefix = "onefed.notify")
public record NotifySettings(URI webhookUrl) {
}
