package io.onefed.upgrade.federation;

/** An upgrade needs the federation, but the service was started without one. */
public class FederationNotConfiguredException extends IllegalStateException {

    public FederationNotConfiguredException() {
        super("No federation is configured, so no upgrade can start: set FEDERATION_CONFIG to the path of the"
                + " federation YAML file (federation.name, federation.zones, ...) and restart the service");
    }
}
