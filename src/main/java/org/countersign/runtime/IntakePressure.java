package org.countersign.runtime;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many webhook requests this instance is answering right now. Acknowledging a webhook is the
 * time-critical work: GitLab waits at most 10 s and disables a hook that keeps failing, while a stored
 * delivery loses nothing by waiting a moment. So while several requests are in flight at once (a burst
 * of webhooks), the delivery workers pause between evaluations and leave the CPU to the intake; the
 * deliveries they have not reached meanwhile pile up per ticket and are covered by fewer evaluations.
 */
@ApplicationScoped
public class IntakePressure {

    /** In-flight requests from which the intake counts as under pressure. */
    static final int BUSY_AT = 4;

    private final AtomicInteger inFlight = new AtomicInteger();

    public void enter() {
        inFlight.incrementAndGet();
    }

    public void exit() {
        inFlight.decrementAndGet();
    }

    public boolean busy() {
        return inFlight.get() >= BUSY_AT;
    }
}
