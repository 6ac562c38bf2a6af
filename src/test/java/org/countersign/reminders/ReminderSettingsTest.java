package org.countersign.reminders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.countersign.config.Settings;
import org.junit.jupiter.api.Test;

/** COUNTERSIGN_REMINDER_*: accepted values, "off", and refusals that name the variable. */
class ReminderSettingsTest {

    private static ReminderConfig config(String after, String check) {
        return new ReminderConfig() {
            @Override
            public String after() {
                return after;
            }

            @Override
            public String checkInterval() {
                return check;
            }
        };
    }

    @Test
    void defaultsAndForms() {
        assertEquals(Optional.of(Duration.ofHours(24)), new ReminderSettings(config("24h", "5m")).after());
        assertEquals(Optional.of(Duration.ofDays(2)), new ReminderSettings(config("2d", "5m")).after());
        assertEquals(Optional.of(Duration.ofMinutes(90)), new ReminderSettings(config("PT90M", "5m")).after());
        assertEquals(Optional.empty(), new ReminderSettings(config("off", "5m")).after());
        assertEquals(Duration.ofSeconds(30), new ReminderSettings(config("24h", "30s")).checkInterval());
    }

    @Test
    void badValuesNameTheVariable() {
        List<String> problems = ReminderSettings.problems(config("tomorrow", "0s"));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("COUNTERSIGN_REMINDER_AFTER (countersign.reminder.after) is invalid: 'tomorrow'"),
                problems.get(0));
        assertTrue(problems.get(1).startsWith("COUNTERSIGN_REMINDER_CHECK_INTERVAL"), problems.get(1));
        assertTrue(ReminderSettings.problems(config("30s", "1m")).get(0).contains("at least one minute"));
        Settings.InvalidConfigurationException e = assertThrows(Settings.InvalidConfigurationException.class,
                () -> new ReminderSettings(config("-1h", "1m")));
        assertTrue(e.getMessage().contains("COUNTERSIGN_REMINDER_AFTER"), e.getMessage());
    }
}
