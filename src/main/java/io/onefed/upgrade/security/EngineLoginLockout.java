package io.onefed.upgrade.security;

import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Turns off Camunda's per-user login lockout. By default the engine delays a user's next login after each failed
 * one (3 s, doubling up to 60 s) and locks the user for good after 10 failures, whoever sent them: one attacker
 * who knows the admin's name locks the admin out, with the correct password refused. Failed logins are slowed
 * per client instead ({@link LoginThrottleFilter}), which slows the attacker and leaves the real admin, coming
 * from elsewhere, alone. Set in postInit, after Camunda's generic properties, so it holds whatever they say.
 * Users locked before (by an older setting) are unlocked at start by {@link IdentitySetup}.
 */
@Component
public class EngineLoginLockout extends AbstractProcessEnginePlugin {

    private static final Logger log = LoggerFactory.getLogger(EngineLoginLockout.class);

    @Override
    public void postInit(ProcessEngineConfigurationImpl configuration) {
        configuration.setLoginMaxAttempts(Integer.MAX_VALUE);
        configuration.setLoginDelayBase(0);
        configuration.setLoginDelayMaxTime(0);
        log.info("Camunda's per-user login lockout is off; failed logins are slowed per client"
                + " (onefed.security.login-throttle)");
    }
}
