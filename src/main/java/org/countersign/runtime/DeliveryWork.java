package org.countersign.runtime;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.countersign.store.DeliveryQueue;
import org.countersign.workflow.HandleDelivery;

/** Webhook deliveries as a {@link WorkKind}: each is turned into an evaluation of its ticket. */
final class DeliveryWork implements WorkKind<DeliveryQueue.Claimed> {

    /**
     * Deliveries are claimed one at a time, as actions are: an evaluation covers every pending delivery
     * about its ticket (they are then skipped in one statement), so a larger claim would only hold
     * deliveries that the first evaluation makes moot, each then costing its own transactions; and a
     * fresh claim needs no renewal before the work starts.
     */
    private static final int BATCH = 1;
    /** Shortest idle sleep: a due row another worker is claiming right now must not make this one spin. */
    private static final long MIN_SLEEP_MS = 5;
    /** Pause before each delivery while the intake is under pressure (see IntakePressure). */
    private static final long YIELD_TO_INTAKE_MS = 100;

    private final DeliveryQueue deliveries;
    private final HandleDelivery handleDelivery;
    private final WorkSignal signal;
    private final IntakePressure pressure;
    private final Duration coalesce;

    DeliveryWork(DeliveryQueue deliveries, HandleDelivery handleDelivery, WorkSignal signal, IntakePressure pressure,
                 Duration coalesce) {
        this.deliveries = deliveries;
        this.handleDelivery = handleDelivery;
        this.signal = signal;
        this.pressure = pressure;
        this.coalesce = coalesce;
    }

    @Override
    public String queue() {
        return "deliveries";
    }

    @Override
    public List<DeliveryQueue.Claimed> claim(String worker, Duration lease) {
        if (pressure.busy()) {
            try {
                Thread.sleep(YIELD_TO_INTAKE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
        return deliveries.claim(BATCH, worker, lease);
    }

    @Override
    public Item item(DeliveryQueue.Claimed d) {
        Map<String, String> mdc = new LinkedHashMap<>();
        mdc.put("delivery", String.valueOf(d.id()));
        mdc.put("project", String.valueOf(d.projectId()));
        mdc.put("issue", String.valueOf(d.issueIid()));
        return new Item(d.id(), d.attempt(), d.throttles(), d.blockedCause(), d.projectId(), d.eventName(),
                "delivery " + d.id(), mdc);
    }

    @Override
    public boolean prepare(DeliveryQueue.Claimed d, String worker, Duration lease) {
        return true; // a fresh claim of one delivery: its whole lease is ahead
    }

    @Override
    public void process(DeliveryQueue.Claimed d, String worker) {
        HandleDelivery.Result r = handleDelivery.handle(d);
        deliveries.finish(d, worker, r.status(), r.outcome(), r.coveredUntil());
    }

    @Override
    public void retry(DeliveryQueue.Claimed d, String worker, Duration delay, String error, boolean throttled) {
        deliveries.retry(d.id(), worker, delay, error, throttled);
    }

    @Override
    public void dead(DeliveryQueue.Claimed d, String worker, String error, String reason) {
        deliveries.dead(d.id(), worker, error, reason);
    }

    @Override
    public void block(DeliveryQueue.Claimed d, String worker, String cause, String error, String reason, Duration probeInterval,
                      boolean newly) {
        deliveries.block(d.id(), worker, cause, error, reason, probeInterval);
    }

    @Override
    public List<String> releaseProbes(Duration probeInterval, int probeAttempts) {
        return deliveries.releaseProbes(probeInterval, probeAttempts);
    }

    /**
     * Sleeps until the first pending delivery is due (deliveries wait {@code countersign.worker.coalesce}
     * after they arrive), or for the poll interval when none is pending or the first is due later. A
     * delivery this instance queues meanwhile is due a coalescing window from then, which may be sooner
     * (say the pending one is a retry minutes away): the wake-up moves forward to it, without a database
     * round trip per queued delivery. A close is due at once: the wake-up is immediate.
     */
    @Override
    public void awaitWork(Duration poll, BooleanSupplier running) throws InterruptedException {
        long now = System.nanoTime();
        long wait = deliveries.untilNextDue().map(d -> Math.min(poll.toMillis(), d.toMillis() + 1)).orElse(poll.toMillis());
        long deadline = now + TimeUnit.MILLISECONDS.toNanos(Math.max(MIN_SLEEP_MS, wait));
        long window = coalesce.toNanos() + TimeUnit.MILLISECONDS.toNanos(1);
        while (running.getAsBoolean() && (now = System.nanoTime()) < deadline) {
            if (signal.awaitDeliveries(Duration.ofNanos(deadline - now))) {
                if (signal.takeUrgent()) {
                    return; // a close: due now
                }
                deadline = Math.min(deadline, System.nanoTime() + window);
            }
        }
    }

    @Override
    public void wake() {
        signal.deliveryQueued();
    }
}
