package org.countersign.runtime;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * How an instance runs its periodic jobs (reconciliation, reminders, emergency deadlines): every
 * {@code every}, first after one period, a run skipped while the previous one is still going, and a
 * failure logged and left to the next run. The job's name lets tests pause and resume it.
 */
public final class PeriodicJob {

    private PeriodicJob() {
    }

    public static void schedule(Scheduler scheduler, String name, Duration every, Runnable task, Logger log, String what) {
        scheduler.newJob(name)
                .setInterval(every.toString())
                .setDelayed(every.toString())
                .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                .setTask(execution -> {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        log.errorf(e, "%s failed; the next run retries: %s", what, e.getMessage());
                    }
                })
                .schedule();
    }
}
