package org.countersign.governance;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.countersign.config.ConfigValidation;
import org.countersign.config.Settings;
import org.countersign.policy.Mode;

/**
 * The validated operating mode and emergency-path defaults. Built at start-up: a bad value stops the
 * service with one message naming each offending environment variable (as {@code config/Settings}).
 */
@Startup
@ApplicationScoped
public class Governance {

    /** The emergency path's settings from the environment (a project's .countersign.yml may override them). */
    public record EmergencyDefaults(boolean enabled, String label, Duration deadline) {
    }

    private final Mode mode;
    private final EmergencyDefaults emergency;
    private final Duration checkInterval;

    public Governance(GovernanceConfig config) {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new Settings.InvalidConfigurationException(problems);
        }
        this.mode = config.mode().filter(m -> !m.isBlank()).map(Mode::parse).orElse(Mode.ENFORCE);
        this.emergency = new EmergencyDefaults(Boolean.parseBoolean(config.emergency().enabled().strip()),
                config.emergency().label().strip(), ConfigValidation.parseInterval(config.emergency().deadline()));
        this.checkInterval = ConfigValidation.parseInterval(config.emergency().checkInterval());
    }

    /** Every problem with the values, each naming its environment variable. Pure. */
    public static List<String> problems(GovernanceConfig c) {
        List<String> p = new ArrayList<>();
        c.mode().filter(m -> !m.isBlank()).ifPresent(m -> {
            try {
                Mode.parse(m);
            } catch (IllegalArgumentException e) {
                p.add("COUNTERSIGN_MODE (countersign.mode): " + e.getMessage());
            }
        });
        String enabled = c.emergency().enabled().strip().toLowerCase(Locale.ROOT);
        if (!enabled.equals("true") && !enabled.equals("false")) {
            p.add("COUNTERSIGN_EMERGENCY_ENABLED (countersign.emergency.enabled) must be true or false, got '"
                    + c.emergency().enabled() + "'");
        }
        if (c.emergency().label().isBlank()) {
            p.add("COUNTERSIGN_EMERGENCY_LABEL (countersign.emergency.label) must name a label");
        }
        p.addAll(deadlineProblems("COUNTERSIGN_EMERGENCY_CHECK_INTERVAL (countersign.emergency.check-interval)",
                c.emergency().checkInterval()));
        p.addAll(deadlineProblems("COUNTERSIGN_EMERGENCY_DEADLINE (countersign.emergency.deadline)", c.emergency().deadline()));
        return p;
    }

    static List<String> deadlineProblems(String name, String value) {
        try {
            Duration d = ConfigValidation.parseInterval(value);
            if (d.isNegative() || d.isZero()) {
                return List.of(name + " must be positive, got '" + value + "'");
            }
            return List.of();
        } catch (RuntimeException e) {
            return List.of(name + " is not a duration such as 72h or 3d: '" + value + "'");
        }
    }

    public Mode mode() {
        return mode;
    }

    public Duration checkInterval() {
        return checkInterval;
    }

    public EmergencyDefaults emergency() {
        return emergency;
    }
}
