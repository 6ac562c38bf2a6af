package org.countersign.reminders;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Reminders to reviewers ({@code countersign.reminder.*}, i.e. {@code COUNTERSIGN_REMINDER_*}); read
 * through {@link ReminderSettings}, which validates them.
 */
@ConfigMapping(prefix = "countersign.reminder")
public interface ReminderConfig {

    /** How long a ticket waits in review before a reminder, and between reminders; {@code off} disables them. */
    @WithDefault("24h")
    String after();

    /** How often each instance looks for tickets owed a reminder. */
    @WithName("check-interval")
    @WithDefault("5m")
    String checkInterval();
}
