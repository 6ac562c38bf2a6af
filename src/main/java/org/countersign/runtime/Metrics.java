package org.countersign.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.countersign.store.ActionQueue;
import org.countersign.store.DeliveryQueue;

/**
 * Countersign's metrics, served by Micrometer at {@code /q/metrics} (Prometheus format). Names are
 * listed in docs/operations.md. Queue depths are read from PostgreSQL, at most every few seconds.
 */
@ApplicationScoped
public class Metrics {

    private static final Duration DEPTH_CACHE = Duration.ofSeconds(5);

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final CachedCounts deliveryCounts;
    private final CachedCounts actionCounts;

    public Metrics(MeterRegistry registry, DeliveryQueue deliveries, ActionQueue actions) {
        this.registry = registry;
        this.deliveryCounts = new CachedCounts(deliveries::counts);
        this.actionCounts = new CachedCounts(actions::counts);
        for (String status : new String[] {"PENDING", "DEAD", "BLOCKED"}) {
            Gauge.builder("countersign_queue_depth", () -> deliveryCounts.get().getOrDefault(status, 0L))
                    .tag("queue", "deliveries").tag("status", status.toLowerCase())
                    .description("Deliveries or actions waiting (pending) or parked (dead, blocked)").register(registry);
            Gauge.builder("countersign_queue_depth", () -> actionCounts.get().getOrDefault(status, 0L))
                    .tag("queue", "actions").tag("status", status.toLowerCase())
                    .description("Deliveries or actions waiting (pending) or parked (dead, blocked)").register(registry);
        }
    }

    /** A webhook answered: {@code outcome} queued, duplicate, ignored, unauthorized or malformed. */
    public void delivery(String outcome) {
        counter("countersign_deliveries_total", "outcome", outcome).increment();
    }

    public void decision(String verdict) {
        counter("countersign_decisions_total", "verdict", verdict).increment();
    }

    /** A failed attempt that will be tried again; {@code queue} deliveries or actions. */
    public void retry(String queue, String kind) {
        counter("countersign_retries_total", "queue", queue, "kind", kind).increment();
    }

    public void dead(String queue, String kind) {
        counter("countersign_dead_letters_total", "queue", queue, "kind", kind).increment();
    }

    /** An item parked as BLOCKED (GitLab refused the bot's token or role; it is retried once that is fixed). */
    public void blocked(String queue, String kind) {
        counter("countersign_blocked_total", "queue", queue, "kind", kind).increment();
    }

    public void action(String kind, String outcome) {
        counter("countersign_actions_total", "kind", kind, "outcome", outcome).increment();
    }

    /** One GitLab API call: {@code status} is the HTTP status, 0 when GitLab was not reached, 200 for success. */
    public void gitlabCall(String operation, int status, Duration took) {
        timers.computeIfAbsent(operation + "|" + status, k -> Timer.builder("countersign_gitlab_requests")
                        .tag("operation", operation).tag("status", Integer.toString(status))
                        .description("GitLab API calls by operation and HTTP status (0: unreachable)")
                        .publishPercentileHistogram(false).register(registry))
                .record(took);
    }

    private Counter counter(String name, String... tags) {
        return counters.computeIfAbsent(name + String.join("|", tags), k -> Counter.builder(name).tags(tags).register(registry));
    }

    /** Counts per status, refreshed from the database at most every {@link #DEPTH_CACHE}. */
    private static final class CachedCounts {
        private final Supplier<Map<String, Long>> source;
        private volatile Map<String, Long> value = Map.of();
        private volatile long readAt;

        CachedCounts(Supplier<Map<String, Long>> source) {
            this.source = source;
        }

        Map<String, Long> get() {
            long now = System.nanoTime();
            if (readAt == 0 || now - readAt > DEPTH_CACHE.toNanos()) {
                try {
                    value = source.get();
                } catch (RuntimeException e) {
                    // database unreachable: keep the last known value; health says what is wrong
                }
                readAt = now;
            }
            return value;
        }
    }
}
