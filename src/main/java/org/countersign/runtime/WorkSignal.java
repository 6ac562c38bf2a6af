package org.countersign.runtime;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Wakes this instance's workers as soon as it queues work, so a delivery or an action does not wait
 * for the next poll. Other instances find the work by polling ({@code countersign.worker.poll-interval}).
 */
@ApplicationScoped
public class WorkSignal {
    private final Semaphore deliveries = new Semaphore(0);
    private final Semaphore actions = new Semaphore(0);

    private final java.util.concurrent.atomic.AtomicBoolean urgent = new java.util.concurrent.atomic.AtomicBoolean();

    public void deliveryQueued() {
        deliveries.release();
    }

    /** A delivery was queued; {@code urgent} ones (closes) are due at once and wake a worker at once. */
    public void deliveryQueued(boolean urgentOne) {
        if (urgentOne) {
            urgent.set(true);
        }
        deliveries.release();
    }

    /** Whether an urgent delivery was queued since the last call. */
    boolean takeUrgent() {
        return urgent.getAndSet(false);
    }

    public void actionsQueued() {
        actions.release();
    }

    /** Waits at most {@code max} for this instance to queue a delivery; true if it did. */
    boolean awaitDeliveries(Duration max) throws InterruptedException {
        return await(deliveries, max);
    }

    void awaitActions(Duration max) throws InterruptedException {
        await(actions, max);
    }

    private static boolean await(Semaphore s, Duration max) throws InterruptedException {
        if (s.tryAcquire(max.toNanos(), TimeUnit.NANOSECONDS)) {
            s.drainPermits();
            return true;
        }
        return false;
    }
}
