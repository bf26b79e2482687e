package io.onefed.upgrade.federation;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The checked federation configuration, as the rest of the service looks zones up. Built only from a
 * configuration that {@link FederationConfigValidator} accepted, or from none at all ({@link #isConfigured()}
 * false: the service runs, e.g. for the demo, but no upgrade can start).
 */
public final class FederationConfig {

    private final FederationProperties properties;
    private final boolean configured;

    private FederationConfig(FederationProperties properties, boolean configured) {
        this.properties = properties;
        this.configured = configured;
    }

    /**
     * Checks the properties: none configured gives an unconfigured instance; otherwise every problem is
     * reported at once.
     *
     * @throws InvalidFederationConfigException listing each problem with its field and fix
     */
    public static FederationConfig of(FederationProperties properties, FederationConfigValidator validator) {
        if (!FederationConfigValidator.isConfigured(properties)) {
            return new FederationConfig(properties, false);
        }
        List<ConfigProblem> problems = validator.validate(properties);
        if (!problems.isEmpty()) {
            throw new InvalidFederationConfigException(problems);
        }
        return new FederationConfig(properties, true);
    }

    public boolean isConfigured() {
        return configured;
    }

    public FederationProperties properties() {
        return properties;
    }

    public String name() {
        requireConfigured();
        return properties.name();
    }

    public List<ZoneProperties> zones() {
        requireConfigured();
        return properties.zones();
    }

    public ZoneProperties master() {
        requireConfigured();
        // the validator guarantees exactly one
        return properties.zones().stream().filter(ZoneProperties::isMaster).findFirst().orElseThrow();
    }

    /** The slave zones in configuration order. */
    public List<ZoneProperties> slaves() {
        requireConfigured();
        return properties.zones().stream().filter(z -> !z.isMaster()).toList();
    }

    public Optional<ZoneProperties> findZone(int id) {
        requireConfigured();
        return properties.zones().stream().filter(z -> z.id() == id).findFirst();
    }

    /** @throws UnknownZoneException naming the zones that exist */
    public ZoneProperties zone(int id) {
        return findZone(id).orElseThrow(() -> new UnknownZoneException(id, properties.name(),
                properties.zones().stream().map(z -> z.id() + " (" + z.name() + ")").collect(Collectors.joining(", "))));
    }

    /** The OS family of a zone of this federation (validated, so always known). */
    public OsFamily osFamily(ZoneProperties zone) {
        return OsFamily.parse(zone.osFamily()).orElseThrow();
    }

    private void requireConfigured() {
        if (!configured) {
            throw new FederationNotConfiguredException();
        }
    }

    @Override
    public String toString() {
        return configured
                ? "federation '" + properties.name() + "' with zones " + properties.zones().stream()
                        .map(z -> z.id() + " " + z.name() + " (" + z.role() + ")").collect(Collectors.joining(", "))
                : "no federation configured";
    }
}
