package org.countersign.governance;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * How the rule is applied, beside {@code config/CountersignConfig}: the operating mode and the emergency
 * path ({@code COUNTERSIGN_MODE}, {@code COUNTERSIGN_EMERGENCY_*}). Raw strings, checked by
 * {@link Governance} so that a bad value stops the service with a message naming the variable.
 */
@ConfigMapping(prefix = "countersign")
public interface GovernanceConfig {

    /** COUNTERSIGN_MODE: {@code enforce} (default) or {@code shadow} (decide and say, change nothing). */
    Optional<String> mode();

    Emergency emergency();

    interface Emergency {
        /** COUNTERSIGN_EMERGENCY_ENABLED: whether {@code /emergency <reason>} lets a close stand. */
        @WithDefault("true")
        String enabled();

        /** COUNTERSIGN_EMERGENCY_LABEL: the label an emergency close carries until it is reviewed. */
        @WithDefault("Review owed")
        String label();

        /** COUNTERSIGN_EMERGENCY_DEADLINE: how long after the close the retroactive review is due, e.g. 72h, 3d. */
        @WithDefault("72h")
        String deadline();

        /** COUNTERSIGN_EMERGENCY_CHECK_INTERVAL: how often tickets past their review deadline are looked for. */
        @io.smallrye.config.WithName("check-interval")
        @WithDefault("1m")
        String checkInterval();
    }
}
