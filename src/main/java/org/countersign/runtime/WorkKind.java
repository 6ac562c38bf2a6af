package org.countersign.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One queue as the generic worker loop ({@link Workers}) sees it: how to claim its items, do one, and
 * record what became of it. {@code T} is a claimed item. Every method but {@link #process} and
 * {@link #awaitWork} runs its own transaction; all of them act only while this worker holds the claim.
 */
interface WorkKind<T> {

    /**
     * What the loop needs to know about a claimed item.
     *
     * @param attempt      the attempt now running (claiming counted it)
     * @param throttles    the 429s the item met in a row before this attempt
     * @param blockedCause set when this claim is the probe of a cause that had blocked the item
     * @param projectId    the GitLab project concerned, null if none
     * @param label        the {@code kind} label of its metrics (event name, action kind)
     * @param name         how log lines name it, e.g. {@code delivery 12}
     * @param mdc          the MDC entries of every log line written while it is worked on
     */
    record Item(long id, int attempt, int throttles, String blockedCause, Long projectId, String label, String name,
                Map<String, String> mdc) {
    }

    /** {@code deliveries} or {@code actions}: the {@code queue} label of the metrics. */
    String queue();

    /** Claims ready items for {@code worker} (possibly none). */
    List<T> claim(String worker, Duration lease);

    Item item(T t);

    /** Called right before the work; false when the claim was lost and the item must be left alone. */
    boolean prepare(T t, String worker, Duration lease);

    /** Does the work and ends the item as DONE or SKIPPED; throws when it failed (nothing recorded then). */
    void process(T t, String worker);

    void retry(T t, String worker, Duration delay, String error, boolean throttled);

    void dead(T t, String worker, String error, String reason);

    /** Parks the item as BLOCKED by {@code cause}; {@code newly}: it was not blocked by that cause before. */
    void block(T t, String worker, String cause, String error, String reason, Duration probeInterval, boolean newly);

    /** Releases one BLOCKED item per due cause as a probe; returns the causes probed. */
    List<String> releaseProbes(Duration probeInterval, int probeAttempts);

    /** Idle: waits until work may be ready in this queue, at most about {@code poll}, or until not running. */
    void awaitWork(Duration poll, BooleanSupplier running) throws InterruptedException;

    /** This instance queued work of this kind (e.g. requeued blocked items): wake a waiting worker. */
    void wake();
}
