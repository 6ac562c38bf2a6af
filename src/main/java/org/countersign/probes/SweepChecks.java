package org.countersign.probes;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import org.countersign.store.ProbeStore;

/**
 * The lateness sweep: every check past its deadlines becomes LATE or DOWN ({@link ProbeRules#sweep}, applied
 * in SQL by {@link ProbeStore#sweep}), and a check that went down gets its alerts queued in the same
 * transaction. Safe to run on every instance at once: each change happens once.
 */
@ApplicationScoped
public class SweepChecks {

    static final int BATCH = 5000;

    private final ProbeStore store;
    private final ProbeAlerts alerts;

    public SweepChecks(ProbeStore store, ProbeAlerts alerts) {
        this.store = store;
        this.alerts = alerts;
    }

    /** Sweeps as of {@code now}; returns the transitions made. */
    public int sweep(Instant now) {
        int total = 0;
        while (true) {
            int n = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> sweepBatch(now));
            total += n;
            if (n < BATCH) {
                return total;
            }
        }
    }

    /** One batch in the caller's transaction (the benchmark measures it in a transaction it rolls back). */
    @Transactional(Transactional.TxType.MANDATORY)
    public int sweepBatch(Instant now) {
        List<ProbeStore.Swept> swept = store.sweep(now, BATCH);
        List<ProbeStore.Swept> down = swept.stream().filter(s -> s.to() == CheckStatus.DOWN).toList();
        alerts.queueAll(down.stream().mapToLong(ProbeStore.Swept::checkId).toArray(),
                down.stream().mapToLong(ProbeStore.Swept::transitionId).toArray(), ProbeAlerts.Event.DOWN);
        return swept.size();
    }
}
