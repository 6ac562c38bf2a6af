package org.countersign.reminders;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.countersign.config.ConfigValidation;
import org.countersign.config.Settings;

/**
 * The validated reminder settings. A bad value stops start-up with a message naming the variable, as
 * {@link Settings} does for the core ones, before the schema migration (which runs at
 * {@code PLATFORM_BEFORE}) touches the database.
 */
@Startup(Interceptor.Priority.PLATFORM_BEFORE - 20)
@ApplicationScoped
public class ReminderSettings {

    static final String AFTER = "COUNTERSIGN_REMINDER_AFTER (countersign.reminder.after)";
    static final String CHECK = "COUNTERSIGN_REMINDER_CHECK_INTERVAL (countersign.reminder.check-interval)";

    private final Optional<Duration> after;
    private final Duration checkInterval;

    public ReminderSettings(ReminderConfig config) {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new Settings.InvalidConfigurationException(problems);
        }
        this.after = parseAfter(config.after());
        this.checkInterval = ConfigValidation.parseInterval(config.checkInterval());
    }

    /** What is wrong with the reminder settings, one sentence per variable; empty when they are valid. */
    public static List<String> problems(ReminderConfig config) {
        List<String> problems = new ArrayList<>();
        try {
            parseAfter(config.after());
        } catch (IllegalArgumentException e) {
            problems.add(AFTER + " is invalid: '" + config.after() + "' is neither a positive duration (30m, 24h, 2d)"
                    + " of at least one minute nor 'off'");
        }
        try {
            Duration d = ConfigValidation.parseInterval(config.checkInterval());
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException();
            }
        } catch (DateTimeParseException | IllegalArgumentException e) {
            problems.add(CHECK + " is invalid: '" + config.checkInterval() + "' is not a positive duration (1s, 5m)");
        }
        return problems;
    }

    private static Optional<Duration> parseAfter(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("off")) {
            return Optional.empty();
        }
        Duration d;
        try {
            d = ConfigValidation.parseInterval(t);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(e);
        }
        if (d.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("too short");
        }
        return Optional.of(d);
    }

    /** How long a ticket waits in review before a reminder (and between two); empty when reminders are off. */
    public Optional<Duration> after() {
        return after;
    }

    public Duration checkInterval() {
        return checkInterval;
    }
}
