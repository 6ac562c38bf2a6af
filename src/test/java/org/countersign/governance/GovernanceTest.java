package org.countersign.governance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.countersign.config.Settings;
import org.countersign.policy.Mode;
import org.junit.jupiter.api.Test;

/** COUNTERSIGN_MODE and COUNTERSIGN_EMERGENCY_*: defaults, and bad values named by their variable. */
class GovernanceTest {

    record Config(Optional<String> mode, String enabled, String label, String deadline, String checkInterval)
            implements GovernanceConfig, GovernanceConfig.Emergency {
        @Override
        public Emergency emergency() {
            return this;
        }
    }

    @Test
    void defaultsEnforceWithTheEmergencyPathOn() {
        Governance g = new Governance(new Config(Optional.empty(), "true", "Review owed", "72h", "1m"));
        assertEquals(Mode.ENFORCE, g.mode());
        assertEquals(new Governance.EmergencyDefaults(true, "Review owed", Duration.ofHours(72)), g.emergency());
        assertEquals(Mode.SHADOW, new Governance(new Config(Optional.of(" Shadow "), "false", "x", "3d", "30s")).mode());
    }

    @Test
    void badValuesAreNamedByTheirVariable() {
        List<String> p = Governance.problems(new Config(Optional.of("dry-run"), "yes", " ", "soon", "0s"));
        assertEquals(5, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("COUNTERSIGN_MODE (countersign.mode): 'dry-run' is not a mode (expected enforce or shadow)"), p.get(0));
        assertTrue(p.stream().anyMatch(m -> m.startsWith("COUNTERSIGN_EMERGENCY_ENABLED")), p.toString());
        assertTrue(p.stream().anyMatch(m -> m.startsWith("COUNTERSIGN_EMERGENCY_LABEL")), p.toString());
        assertTrue(p.stream().anyMatch(m -> m.startsWith("COUNTERSIGN_EMERGENCY_DEADLINE (countersign.emergency.deadline) is not a duration")), p.toString());
        assertTrue(p.stream().anyMatch(m -> m.startsWith("COUNTERSIGN_EMERGENCY_CHECK_INTERVAL (countersign.emergency.check-interval) must be positive")), p.toString());
        assertThrows(Settings.InvalidConfigurationException.class,
                () -> new Governance(new Config(Optional.of("dry-run"), "true", "Review owed", "72h", "1m")));
    }
}
