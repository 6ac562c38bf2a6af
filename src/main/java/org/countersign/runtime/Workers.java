package org.countersign.runtime;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.countersign.config.Settings;
import org.countersign.policy.Action;
import org.countersign.store.ActionQueue;
import org.countersign.store.AuditLog;
import org.countersign.store.AuditRecord;
import org.countersign.store.DecisionJson;
import org.countersign.store.DeliveryQueue;
import org.countersign.workflow.ApplyAction;
import org.countersign.workflow.GitLabFailure;
import org.countersign.workflow.HandleDelivery;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Two background loops per instance: one works off webhook deliveries, one applies GitLab actions.
 * Each claims rows from PostgreSQL (several instances share the work), is woken at once by work
 * queued in this instance and polls otherwise. Failures are retried with backoff; an item that keeps
 * failing is parked as DEAD with its last error. On shutdown the loops finish the item in hand.
 */
@ApplicationScoped
public class Workers {

    private static final Logger LOG = Logger.getLogger(Workers.class);
    /**
     * Deliveries are claimed one at a time, as actions are (see {@link #processAction}): an evaluation
     * covers every pending delivery about its ticket (they are then skipped in one statement), so a
     * larger claim would only hold deliveries that the first evaluation makes moot, each then costing
     * its own transactions; and a fresh claim needs no renewal before the work starts.
     */
    private static final int DELIVERY_BATCH = 1;
    /** Shortest idle sleep: a due row another worker is claiming right now must not make this one spin. */
    private static final long MIN_SLEEP_MS = 5;
    /** Pause before each delivery while the intake is under pressure (see IntakePressure). */
    private static final long YIELD_TO_INTAKE_MS = 100;

    private final DeliveryQueue deliveries;
    private final ActionQueue actions;
    private final HandleDelivery handleDelivery;
    private final ApplyAction applyAction;
    private final AuditLog audit;
    private final DecisionJson json;
    private final WorkSignal signal;
    private final InstanceId instance;
    private final Settings settings;
    private final Clock clock;
    private final Metrics metrics;
    private final IntakePressure pressure;
    private volatile boolean running;
    private ExecutorService loops;

    public Workers(DeliveryQueue deliveries, ActionQueue actions, HandleDelivery handleDelivery, ApplyAction applyAction,
                   AuditLog audit, DecisionJson json, WorkSignal signal, InstanceId instance, Settings settings, Clock clock,
                   Metrics metrics, IntakePressure pressure) {
        this.deliveries = deliveries;
        this.actions = actions;
        this.handleDelivery = handleDelivery;
        this.applyAction = applyAction;
        this.audit = audit;
        this.json = json;
        this.signal = signal;
        this.instance = instance;
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        this.pressure = pressure;
    }

    void start(@Observes StartupEvent ev) {
        running = true;
        int deliveryThreads = Math.max(1, settings.worker().deliveryThreads());
        loops = Executors.newFixedThreadPool(deliveryThreads + 1, r -> {
            Thread t = new Thread(r);
            t.setName("countersign-" + (t.getId()));
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < deliveryThreads; i++) {
            loops.submit(() -> loop("deliveries", this::deliveryBatch));
        }
        loops.submit(() -> loop("actions", this::actionBatch));
    }

    void stop(@Observes ShutdownEvent ev) {
        running = false;
        for (int i = 0; i < settings.worker().deliveryThreads() + 1; i++) {
            signal.deliveryQueued();
        }
        signal.actionsQueued();
        loops.shutdown();
        try {
            if (!loops.awaitTermination(20, TimeUnit.SECONDS)) {
                LOG.warn("workers did not finish in time; their claims expire and another instance takes over");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private interface Batch {
        /** Works off one batch; returns how many items it handled. */
        int run();
    }

    private void loop(String name, Batch batch) {
        Duration poll = settings.worker().pollInterval();
        while (running) {
            try {
                if (batch.run() == 0 && running) {
                    if (name.equals("deliveries")) {
                        awaitDeliveries(poll);
                    } else {
                        signal.awaitActions(poll);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // the database is unreachable or similar: back off, never let the loop die (an Error too,
                // say from a JDBC driver: the executor would swallow it and the loop would be gone silently)
                LOG.errorf(e, "%s worker: %s", name, e.getMessage());
                try {
                    Thread.sleep(poll.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Idle delivery worker: sleeps until the first pending delivery is due (deliveries wait
     * {@code countersign.worker.coalesce} after they arrive), or for the poll interval when none is
     * pending or the first is due later. A delivery this instance queues meanwhile is due a coalescing
     * window from then, which may be sooner (say the pending one is a retry minutes away): the wake-up
     * moves forward to it, without a database round trip per queued delivery.
     */
    private void awaitDeliveries(Duration poll) throws InterruptedException {
        long now = System.nanoTime();
        long wait = deliveries.untilNextDue().map(d -> Math.min(poll.toMillis(), d.toMillis() + 1)).orElse(poll.toMillis());
        long deadline = now + TimeUnit.MILLISECONDS.toNanos(Math.max(MIN_SLEEP_MS, wait));
        long coalesce = settings.worker().coalesce().toNanos() + TimeUnit.MILLISECONDS.toNanos(1);
        while (running && (now = System.nanoTime()) < deadline) {
            if (signal.awaitDeliveries(Duration.ofNanos(deadline - now))) {
                deadline = Math.min(deadline, System.nanoTime() + coalesce);
            }
        }
    }

    private int deliveryBatch() {
        if (pressure.busy()) {
            try {
                Thread.sleep(YIELD_TO_INTAKE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
        List<DeliveryQueue.Claimed> claimed = deliveries.claim(DELIVERY_BATCH, instance.id(), settings.worker().lease());
        for (DeliveryQueue.Claimed d : claimed) {
            MDC.put("delivery", d.id());
            MDC.put("project", String.valueOf(d.projectId()));
            MDC.put("issue", String.valueOf(d.issueIid()));
            try {
                processDelivery(d);
            } finally {
                MDC.remove("delivery");
                MDC.remove("project");
                MDC.remove("issue");
            }
        }
        return claimed.size();
    }

    private void processDelivery(DeliveryQueue.Claimed d) {
        int max = settings.worker().maxAttempts();
        if (d.attempt() > max) {
            metrics.dead("deliveries", d.eventName());
            deliveries.dead(d.id(), instance.id(), "gave up after " + max + " attempts");
            return;
        }
        try {
            HandleDelivery.Result r = handleDelivery.handle(d);
            deliveries.finish(d, instance.id(), r.status(), r.outcome(), r.coveredUntil());
        } catch (RuntimeException e) {
            Optional<Duration> retryAfter = e instanceof GitLabFailure g ? g.retryAfter() : Optional.empty();
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (d.attempt() >= max) {
                LOG.errorf("delivery %d is dead after %d attempts: %s", d.id(), d.attempt(), error);
                metrics.dead("deliveries", d.eventName());
                deliveries.dead(d.id(), instance.id(), error);
            } else {
                Duration delay = Backoff.after(d.attempt(), retryAfter);
                LOG.warnf("delivery %d failed (attempt %d), retrying in %d ms: %s", d.id(), d.attempt(), delay.toMillis(), error);
                metrics.retry("deliveries", d.eventName());
                deliveries.retry(d.id(), instance.id(), delay, error);
            }
        }
    }

    private int actionBatch() {
        List<ActionQueue.Claimed> claimed = actions.claim(1, instance.id(), settings.worker().lease());
        for (ActionQueue.Claimed a : claimed) {
            MDC.put("project", String.valueOf(a.projectId()));
            MDC.put("issue", String.valueOf(a.iid()));
            MDC.put("action", a.key());
            try {
                processAction(a);
            } finally {
                MDC.remove("project");
                MDC.remove("issue");
                MDC.remove("action");
            }
        }
        return claimed.size();
    }

    /**
     * Applies one action. Its claim is renewed right before the GitLab calls, and the lease is required
     * to exceed the time those calls may take (see ConfigValidation), so no other instance can take the
     * action over while this one may still be changing GitLab.
     */
    private void processAction(ActionQueue.Claimed a) {
        if (!actions.renew(a.id(), instance.id(), settings.worker().lease())) {
            return;
        }
        int max = settings.worker().maxAttempts();
        if (a.attempt() > max) {
            finishAction(a, "DEAD", "gave up after " + max + " attempts");
            return;
        }
        Action action = json.action(a.kind(), a.payload());
        try {
            ApplyAction.Outcome out = applyAction.apply(a.projectId(), a.iid(), action);
            finishAction(a, out.status(), out.message());
            LOG.infof("action %s on %d#%d: %s", a.key(), a.projectId(), a.iid(), out.message());
        } catch (RuntimeException e) {
            Optional<Duration> retryAfter = e instanceof GitLabFailure g ? g.retryAfter() : Optional.empty();
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (a.attempt() >= max) {
                LOG.errorf("action %s on %d#%d is dead after %d attempts: %s", a.key(), a.projectId(), a.iid(), a.attempt(), error);
                finishAction(a, "DEAD", error);
            } else {
                Duration delay = Backoff.after(a.attempt(), retryAfter);
                LOG.warnf("action %s failed (attempt %d), retrying in %d ms: %s", a.key(), a.attempt(), delay.toMillis(), error);
                metrics.retry("actions", a.kind());
                actions.retry(a.id(), instance.id(), delay, error);
            }
        }
    }

    private void finishAction(ActionQueue.Claimed a, String status, String message) {
        metrics.action(a.kind(), status);
        if (status.equals("DEAD")) {
            metrics.dead("actions", a.kind());
        }
        QuarkusTransaction.requiringNew().run(() -> {
            if (actions.finish(a.id(), instance.id(), status, status.equals("DEAD") ? message : null)) {
                audit.append(new AuditRecord(null, clock.instant(), a.projectId(), a.iid(), "ACTION", "countersign", status,
                        a.kind() + ": " + message, "action:" + a.id(), a.key(), null));
            }
        });
    }
}
