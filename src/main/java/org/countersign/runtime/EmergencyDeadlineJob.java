package org.countersign.runtime;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.countersign.governance.Governance;
import org.countersign.workflow.EmergencyDeadlines;
import org.jboss.logging.Logger;

/** Runs {@link EmergencyDeadlines} every {@code countersign.emergency.check-interval} (default 1m). */
@ApplicationScoped
public class EmergencyDeadlineJob {
    public static final String JOB = "emergency-deadlines";
    private static final Logger LOG = Logger.getLogger(EmergencyDeadlineJob.class);

    private final EmergencyDeadlines deadlines;
    private final Governance governance;
    private final Scheduler scheduler;

    public EmergencyDeadlineJob(EmergencyDeadlines deadlines, Governance governance, Scheduler scheduler) {
        this.deadlines = deadlines;
        this.governance = governance;
        this.scheduler = scheduler;
    }

    void onStart(@Observes StartupEvent ev) {
        PeriodicJob.schedule(scheduler, JOB, governance.checkInterval(), deadlines::run, LOG, "emergency deadline check");
    }
}
