package org.countersign.reminders;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.countersign.runtime.PeriodicJob;
import org.jboss.logging.Logger;

/**
 * Runs a reminder pass every {@code COUNTERSIGN_REMINDER_CHECK_INTERVAL} on every instance (the
 * database makes each reminder unique, see {@link SendReminders}); nothing when reminders are off.
 */
@ApplicationScoped
public class ReminderJob {
    public static final String JOB = "reminders";
    private static final Logger LOG = Logger.getLogger(ReminderJob.class);

    private final SendReminders send;
    private final ReminderSettings settings;
    private final Scheduler scheduler;

    public ReminderJob(SendReminders send, ReminderSettings settings, Scheduler scheduler) {
        this.send = send;
        this.settings = settings;
        this.scheduler = scheduler;
    }

    void onStart(@Observes StartupEvent ev) {
        if (settings.after().isEmpty()) {
            LOG.info("reminders are off (COUNTERSIGN_REMINDER_AFTER=off)");
            return;
        }
        PeriodicJob.schedule(scheduler, JOB, settings.checkInterval(), send::run, LOG, "reminder pass");
    }
}
