package org.countersign.probes;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.countersign.store.ProbeStore;

/**
 * A ping in: rate limit, state change (ProbeRules), the ping and the transition recorded, the alerts queued —
 * one transaction, under the check's row lock, so concurrent pings of one key (on any instance) apply in
 * turn and each transition happens once.
 */
@ApplicationScoped
public class RecordPing {

    /** What the ping endpoint answers. */
    public enum Result { OK, UNKNOWN_KEY, RATE_LIMITED }

    /** The first bytes of a POST body kept as the run's log. */
    public static final int LOG_LIMIT = 10 * 1024;

    private final ProbeStore store;
    private final ProbeAlerts alerts;
    private final ProbesSettings settings;
    private final Clock clock;

    public RecordPing(ProbeStore store, ProbeAlerts alerts, ProbesSettings settings, Clock clock) {
        this.store = store;
        this.alerts = alerts;
        this.settings = settings;
        this.clock = clock;
    }

    @Transactional
    public Result record(UUID key, Ping ping, String log) {
        Optional<StoredCheck> found = store.lockByKey(key);
        if (found.isEmpty()) {
            return Result.UNKNOWN_KEY;
        }
        StoredCheck c = found.get();
        Instant now = clock.instant();
        double tokens = tokens(c, now) - 1;
        if (tokens < 0) {
            store.saveRate(c.id(), tokens + 1, now);
            return Result.RATE_LIMITED;
        }
        ProbeRules.Outcome out = ProbeRules.onPing(c.spec(), c.state(), ping, now);
        store.saveState(c.id(), out.state(), ProbeRules.deadlines(c.spec(), out.state()), tokens, now);
        store.insertPing(c.id(), now, ping.kind().name().toLowerCase(java.util.Locale.ROOT), ping.exitStatus().orElse(null),
                out.ranFor().map(Duration::toMillis).orElse(null), log);
        if (out.transition().isPresent()) {
            long transitionId = store.insertTransition(c.id(), now, out.transition().get());
            if (out.failure()) {
                alerts.queue(c.id(), transitionId, ProbeAlerts.Event.DOWN);
            } else if (out.recovery()) {
                alerts.queue(c.id(), transitionId, ProbeAlerts.Event.UP);
            }
        }
        return Result.OK;
    }

    /** The key's token bucket refilled up to now: {@code ping-burst} at most, {@code ping-rate} a minute. */
    private double tokens(StoredCheck c, Instant now) {
        int burst = settings.config().probes().pingBurst();
        if (c.rateAt() == null) {
            return burst;
        }
        double elapsed = Math.max(0, Duration.between(c.rateAt(), now).toNanos() / 1e9);
        return Math.min(burst, c.rateTokens() + elapsed * settings.config().probes().pingRate() / 60.0);
    }
}
