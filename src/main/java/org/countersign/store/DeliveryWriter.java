package org.countersign.store;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.countersign.config.Settings;
import org.jboss.logging.Logger;

/**
 * Group commit for the webhook intake: requests hand their delivery to a writer thread, which stores
 * whatever has gathered (up to {@value #MAX_BATCH}) in one transaction and one commit, then releases
 * each request with its result. A request is answered only after its delivery is committed, so the
 * 202 keeps its promise; under load many deliveries share a commit instead of each paying for one.
 * With no load a batch is a single delivery, written at once. {@value #WRITERS} writers take
 * turns, so that one stores a batch while the other's commit is being flushed.
 *
 * <p>A request waits at most {@link #BUDGET} in all (GitLab gives up on a webhook after 10 s and counts
 * that as a failure): when the database is unreachable or too slow, {@link #submit}'s future fails with
 * {@link NotStored} (and {@link #write} throws it) and the intake answers 503 — a delivery it could not
 * store is never acknowledged. A request that gave up is dropped from the queue if the writer has not
 * taken it yet. The writer thread survives any failure of a batch, {@link Error}s included, and goes on
 * with the next one.
 *
 * <p>{@link #submit} does not block: the intake's event loop hands the delivery over and answers when
 * the future completes, so no request thread waits for the commit. The budget is enforced by one
 * deadline thread, not a timer per request: every request has the same budget, so their deadlines come
 * in the order they were submitted, and the thread only looks at the oldest ones.
 */
@ApplicationScoped
public class DeliveryWriter {

    private static final Logger LOG = Logger.getLogger(DeliveryWriter.class);
    static final int MAX_BATCH = 200;
    /**
     * Writer threads, each with its own connection. With one, the intake idled while the writer waited for
     * its commit to be flushed (a 2-core machine at 158-165 % of 200 % at saturation); with two, one batch
     * is inserted while the other's commit is flushed (180 %; 0.74 of pgbench instead of 0.71 in the same
     * build, 0.70-0.81 once the inserts were multi-row). Four were CPU-bound but paid more per delivery:
     * smaller batches, more commits (docs/performance.md).
     */
    static final int WRITERS = 2;
    /** The longest a webhook request waits for its delivery to be stored: below GitLab's 10 s timeout. */
    public static final Duration BUDGET = Duration.ofSeconds(8);

    /** The delivery was not stored (database unreachable, too slow, intake saturated): answer 5xx. */
    public static final class NotStored extends RuntimeException {
        NotStored(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record Pending(DeliveryQueue.NewDelivery delivery, CompletableFuture<Long> result) {
    }

    /** A submitted delivery's deadline, in submission order (hence deadline order). */
    private record Deadline(long at, CompletableFuture<Long> result) {
    }

    /** Most deliveries waiting for the writer; more are refused at once (503) rather than queued for ever. */
    static final int MAX_WAITING = 20_000;

    private final DeliveryQueue deliveries;
    private final Duration coalesce;
    private final Duration budget;
    private final BlockingQueue<Pending> waiting = new LinkedBlockingQueue<>(MAX_WAITING);
    private final ConcurrentLinkedQueue<Deadline> deadlines = new ConcurrentLinkedQueue<>();
    private volatile boolean running;
    private final List<Thread> writers = new ArrayList<>();
    private Thread deadlineThread;

    @Inject
    public DeliveryWriter(DeliveryQueue deliveries, Settings settings) {
        this(deliveries, settings.worker().coalesce(), BUDGET);
    }

    DeliveryWriter(DeliveryQueue deliveries, Duration coalesce, Duration budget) {
        this.deliveries = deliveries;
        this.coalesce = coalesce;
        this.budget = budget;
    }

    void start(@Observes StartupEvent ev) {
        start();
    }

    void start() {
        running = true;
        for (int i = 0; i < WRITERS; i++) {
            Thread writer = new Thread(this::loop, "countersign-delivery-writer-" + i);
            writer.setDaemon(true);
            writer.start();
            writers.add(writer);
        }
        deadlineThread = new Thread(this::enforceDeadlines, "countersign-delivery-deadlines");
        deadlineThread.setDaemon(true);
        deadlineThread.start();
    }

    void stop(@Observes ShutdownEvent ev) throws InterruptedException {
        running = false;
        for (Thread writer : writers) {
            writer.join(5_000);
        }
        deadlineThread.interrupt();
        deadlineThread.join(1_000);
    }

    /**
     * Hands the delivery to the writer without waiting. The future completes with its id, or -1 for a
     * duplicate, once it is committed; or fails with {@link NotStored} when it could not be stored within
     * {@link #BUDGET} (database unreachable or too slow) or the intake is saturated. Dependent actions run
     * on the writer thread: keep them short (the intake's resume on its event loop).
     */
    public CompletableFuture<Long> submit(DeliveryQueue.NewDelivery delivery) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        if (!waiting.offer(new Pending(delivery, result))) {
            result.completeExceptionally(new NotStored("the delivery intake is saturated ("
                    + MAX_WAITING + " deliveries waiting to be stored)", null));
            return result;
        }
        deadlines.add(new Deadline(System.nanoTime() + budget.toNanos(), result));
        return result;
    }

    /**
     * Stores the delivery; returns its id, or -1 for a duplicate. Returns or throws within
     * {@link #BUDGET}.
     *
     * @throws NotStored if it could not be stored in time (the caller answers 5xx so that GitLab knows
     *                   the delivery was not taken)
     */
    public long write(DeliveryQueue.NewDelivery delivery) {
        CompletableFuture<Long> result = submit(delivery);
        try {
            return result.get();
        } catch (InterruptedException e) {
            result.cancel(false);
            Thread.currentThread().interrupt();
            throw new NotStored("interrupted while storing the delivery", e);
        } catch (ExecutionException e) {
            throw notStored(e.getCause());
        } catch (CancellationException e) {
            throw new NotStored("storing the delivery was cancelled", null);
        }
    }

    /** The failure a request reports: {@link NotStored} as it is, anything else wrapped in one. */
    public static NotStored notStored(Throwable failure) {
        Throwable t = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return t instanceof NotStored n ? n : new NotStored("could not store the delivery: " + t.getMessage(), t);
    }

    /**
     * Fails every request past its budget that is still waiting: one not yet taken by the writer is then
     * dropped from its queue (the writer skips finished ones); one in a batch being written may still be
     * stored, and a resend is then a duplicate. Deadlines come in submission order, so only the oldest
     * are looked at; the thread checks a few times per budget.
     */
    private void enforceDeadlines() {
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(TimeUnit.MILLISECONDS.toNanos(100),
                budget.toNanos() / 20));
        while (running) {
            long now = System.nanoTime();
            Deadline d;
            while ((d = deadlines.peek()) != null && (d.result().isDone() || d.at() - now <= 0)) {
                deadlines.poll();
                if (!d.result().isDone()) {
                    // dropped if the writer has not taken it yet; if it has, it is stored and a resend is a duplicate
                    d.result().completeExceptionally(new NotStored("storing the delivery took more than "
                            + budget.toMillis() + " ms", null));
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(this, period);
            if (Thread.interrupted() && !running) {
                return;
            }
        }
    }

    private void loop() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (running || !waiting.isEmpty()) {
            try {
                Pending first = waiting.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                waiting.drainTo(batch, MAX_BATCH - 1);
                batch.removeIf(p -> p.result().isDone()); // their requests gave up waiting
                if (!batch.isEmpty()) {
                    store(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable e) {
                // never let an intake writer die: later webhooks would wait in vain
                LOG.errorf(e, "delivery writer: %s", e);
            } finally {
                batch.clear();
            }
        }
    }

    private void store(List<Pending> batch) {
        try {
            long[] ids = deliveries.enqueueAll(batch.stream().map(Pending::delivery).toList(), coalesce);
            for (int i = 0; i < ids.length; i++) {
                batch.get(i).result().complete(ids[i]);
            }
        } catch (Throwable e) { // Errors too (a JDBC driver may throw one): the requests must hear of it
            if (isConnectionProblem(e)) {
                LOG.errorf("storing %d deliveries failed, the database is unreachable: %s", batch.size(), e.getMessage());
            } else {
                LOG.errorf(e, "storing %d deliveries failed", batch.size());
            }
            batch.forEach(p -> p.result().completeExceptionally(e));
        }
    }

    /** A failure to reach the database (SQLState class 08, or no connection from the pool): no stack trace needed. */
    static boolean isConnectionProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && ((s.getSQLState() != null && s.getSQLState().startsWith("08"))
                    || t instanceof java.sql.SQLTransientConnectionException
                    || String.valueOf(s.getMessage()).contains("acquisition timeout"))) { // Agroal's pool
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
