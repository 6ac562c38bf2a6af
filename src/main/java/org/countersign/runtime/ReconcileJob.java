package org.countersign.runtime;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.countersign.config.Settings;
import org.countersign.workflow.GovernedTypes;
import org.countersign.workflow.ReconcileProjects;
import org.countersign.workflow.WatchProjects;
import org.jboss.logging.Logger;

/**
 * Reconciliation at start-up and every {@code countersign.reconcile.interval}. At start-up the
 * watched projects are resolved before the service takes traffic, so a project's watch starts when
 * the service starts, not when its first webhook happens to arrive; the first pass then runs in the
 * background. The periodic job is scheduled here, after {@link Settings} has validated the interval,
 * so a bad value gets Countersign's message naming the variable rather than the scheduler's. Every tick
 * also refreshes this instance's copy of the projects' governed types ({@link GovernedTypes}), whether or
 * not this instance wins the pass's lease.
 */
@ApplicationScoped
public class ReconcileJob {
    /** The scheduled job's identity (for {@code Scheduler.pause}/{@code resume}). */
    public static final String JOB = "reconcile";
    private static final Logger LOG = Logger.getLogger(ReconcileJob.class);

    private final ReconcileProjects reconcile;
    private final WatchProjects watch;
    private final Settings settings;
    private final Scheduler scheduler;
    private final GovernedTypes governedTypes;

    public ReconcileJob(ReconcileProjects reconcile, WatchProjects watch, Settings settings, Scheduler scheduler,
                        GovernedTypes governedTypes) {
        this.governedTypes = governedTypes;
        this.reconcile = reconcile;
        this.watch = watch;
        this.settings = settings;
        this.scheduler = scheduler;
    }

    void onStart(@Observes StartupEvent ev) {
        if (org.countersign.config.RunMode.oneShot()) {
            return; // a one-shot command (setup) neither watches nor reconciles
        }
        watch.ensureWatched();
        Thread first = new Thread(this::pass, "countersign-reconcile-startup");
        first.setDaemon(true);
        first.start();
        PeriodicJob.schedule(scheduler, JOB, settings.reconcileInterval(), this::pass, LOG, "reconciliation tick");
    }

    private void pass() {
        try {
            // every instance, lease or not: a policy changed on another instance reaches this one's intake
            governedTypes.reload();
            reconcile.run();
        } catch (RuntimeException | Error e) {
            // never let the start-up pass's thread die silently (the scheduler catches for the periodic ones)
            LOG.errorf(e, "reconciliation failed; the next pass retries: %s", e.getMessage());
        }
    }
}
