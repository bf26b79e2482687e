package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.opennebula.OneClients;
import java.time.Instant;

/** After the start step: does the zone's oned answer again, and on the target version? */
public class ZoneApiCheck {

    public enum ApiState { UP, WAITING, FAILED }

    public record Result(ApiState state, String detail) {
    }

    private final OneClients clients;

    public ZoneApiCheck(OneClients clients) {
        this.clients = clients;
    }

    public Result check(ZoneProperties zone, String targetVersion, Instant deadline, Instant now) {
        String version;
        try {
            version = clients.forZone(zone).systemVersion();
        } catch (RuntimeException e) {
            return now.isAfter(deadline)
                    ? new Result(ApiState.FAILED, zone.endpoint() + " still does not answer after the deadline: " + e.getMessage())
                    : new Result(ApiState.WAITING, zone.endpoint() + " does not answer yet: " + e.getMessage());
        }
        if (OneVersion.parse(version).equals(OneVersion.parse(targetVersion))) {
            return new Result(ApiState.UP, zone.endpoint() + " answers " + version);
        }
        return new Result(ApiState.FAILED, zone.endpoint() + " answers " + version + ", expected " + targetVersion);
    }
}
