package org.countersign.workflow;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.countersign.runtime.InstanceId;
import org.countersign.store.EmergencyCloses;
import org.countersign.store.Leases;
import org.jboss.logging.Logger;

/**
 * Re-evaluates the tickets whose emergency close passed its review deadline, so that the policy (which
 * gets the time as data) rejects those still unreviewed and they are reopened into the review column.
 * Safe with several instances: one holds the job's lease at a time, and an evaluation twice over would
 * still queue each action once (actions are unique per key, the ticket is locked while deciding).
 */
@ApplicationScoped
public class EmergencyDeadlines {

    private static final Logger LOG = Logger.getLogger(EmergencyDeadlines.class);
    static final String LEASE = "emergency-deadlines";
    private static final Duration LEASE_TTL = Duration.ofMinutes(5);
    private static final int BATCH = 100;

    private final EmergencyCloses emergencies;
    private final EvaluateTicket evaluate;
    private final Leases leases;
    private final InstanceId instance;
    private final Clock clock;

    public EmergencyDeadlines(EmergencyCloses emergencies, EvaluateTicket evaluate, Leases leases, InstanceId instance,
                              Clock clock) {
        this.emergencies = emergencies;
        this.evaluate = evaluate;
        this.leases = leases;
        this.instance = instance;
        this.clock = clock;
    }

    /** Returns how many tickets were re-evaluated (0 when another instance holds the job). */
    public int run() {
        if (!leases.tryAcquire(LEASE, instance.id(), LEASE_TTL)) {
            return 0;
        }
        try {
            List<EmergencyCloses.Due> due = emergencies.due(clock.instant(), BATCH);
            int done = 0;
            for (EmergencyCloses.Due d : due) {
                try {
                    evaluate.evaluate(d.projectId(), d.iid(), "emergency-deadline");
                    done++;
                } catch (RuntimeException e) {
                    LOG.warnf("ticket %d#%d: emergency review deadline %s passed, re-evaluation failed (next run retries): %s",
                            d.projectId(), d.iid(), d.dueAt(), e.getMessage());
                }
            }
            return done;
        } finally {
            leases.release(LEASE, instance.id());
        }
    }
}
