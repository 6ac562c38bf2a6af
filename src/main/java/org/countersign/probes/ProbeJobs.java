package org.countersign.probes;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.countersign.config.Settings;
import org.countersign.runtime.Backoff;
import org.countersign.runtime.InstanceId;
import org.countersign.store.ProbeAlertQueue;
import org.countersign.store.ProbeStore;
import org.jboss.logging.Logger;

/**
 * The probes' background work on every instance: at start-up, the checks file into the database; then a
 * loop that sweeps for lateness every COUNTERSIGN_PROBES_SWEEP_INTERVAL and sends queued alerts (woken at
 * once by alerts queued here, polling otherwise). Running it on every instance is safe: the sweep changes
 * each check once, and alerts are claimed with {@code FOR UPDATE SKIP LOCKED}.
 */
@ApplicationScoped
public class ProbeJobs {

    private static final Logger LOG = Logger.getLogger(ProbeJobs.class);
    static final Duration PING_RETENTION = Duration.ofDays(30);

    private final ProbeStore store;
    private final ProbeAlertQueue queue;
    private final ProbeAlerts alerts;
    private final SweepChecks sweep;
    private final ProbesSettings settings;
    private final Settings core;
    private final InstanceId instance;
    private final Clock clock;
    private volatile boolean running;
    private Thread loop;

    public ProbeJobs(ProbeStore store, ProbeAlertQueue queue, ProbeAlerts alerts, SweepChecks sweep, ProbesSettings settings,
                     Settings core, InstanceId instance, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.alerts = alerts;
        this.sweep = sweep;
        this.settings = settings;
        this.core = core;
        this.instance = instance;
        this.clock = clock;
    }

    /** After the schema migration (store/SchemaMigration runs first, at PLATFORM_BEFORE). */
    void start(@Observes @Priority(Interceptor.Priority.APPLICATION) StartupEvent ev) {
        if (settings.fileManaged()) {
            store.syncFileChecks(settings.fileChecks(), clock.instant());
            LOG.infof("%d checks from COUNTERSIGN_CHECKS_FILE", settings.fileChecks().size());
        }
        running = true;
        loop = new Thread(this::run, "countersign-probes");
        loop.setDaemon(true);
        loop.start();
    }

    void stop(@Observes ShutdownEvent ev) {
        running = false;
        alerts.wake();
        if (loop != null) {
            try {
                loop.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        long nextSweep = 0;
        long nextPrune = 0;
        Duration poll = core.worker().pollInterval();
        while (running) {
            try {
                if (System.nanoTime() - nextSweep >= 0) {
                    int n = sweep.sweep(clock.instant());
                    if (n > 0) {
                        LOG.infof("probe sweep: %d transitions", n);
                    }
                    nextSweep = System.nanoTime() + settings.config().probes().sweepInterval().toNanos();
                }
                if (System.nanoTime() - nextPrune >= 0) {
                    store.prunePings(clock.instant().minus(PING_RETENTION));
                    nextPrune = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
                }
                if (sendAlerts() == 0 && running) {
                    alerts.awaitQueued(poll);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | Error e) {
                LOG.errorf("probes: %s", e.toString());
                LOG.debug("probes failure", e);
                try {
                    Thread.sleep(poll.toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Claims and sends the alerts that are due; returns how many were handled. */
    public int sendAlerts() {
        Duration lease = core.worker().lease();
        List<ProbeAlertQueue.Claimed> claimed = queue.claim(10, instance.id(), lease);
        for (ProbeAlertQueue.Claimed a : claimed) {
            if (!queue.renew(a.id(), instance.id(), lease)) {
                continue;
            }
            try {
                String outcome = alerts.send(a);
                QuarkusTransaction.requiringNew().run(() -> queue.finish(a.id(), instance.id(), outcome == null ? "SKIPPED" : "DONE",
                        outcome == null ? "nothing to do" : outcome));
                LOG.infof("probe alert %d (%s %s): %s", a.id(), a.channel(), a.event(), outcome);
            } catch (Exception e) {
                String error = e.toString();
                if (a.attempt() >= settings.config().probes().alertMaxAttempts()) {
                    queue.dead(a.id(), instance.id(), error, "gave up after " + a.attempt() + " attempts: " + error);
                    LOG.errorf("probe alert %d (%s) DEAD: %s", a.id(), a.channel(), error);
                } else {
                    Duration delay = Backoff.after(a.attempt(), Optional.empty());
                    queue.retry(a.id(), instance.id(), delay, error);
                    LOG.warnf("probe alert %d (%s) failed, retry in %s: %s", a.id(), a.channel(), delay, error);
                }
            }
        }
        return claimed.size();
    }

    /** For tests and the admin view: sweeps now as of {@code now}. */
    public int sweepAt(Instant now) {
        return sweep.sweep(now);
    }
}
