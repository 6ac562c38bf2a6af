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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.countersign.config.Settings;
import org.jboss.logging.Logger;

/**
 * Group commit for the webhook intake: requests hand their delivery to one writer thread, which stores
 * whatever has gathered (up to {@value #MAX_BATCH}) in one statement and one commit, then releases
 * each request with its result. A request is answered only after its delivery is committed, so the
 * 202 keeps its promise; under load many deliveries share a commit instead of each paying for one.
 * With no load a batch is a single delivery, written at once. (Four writers were tried: smaller
 * batches, more commits, more PostgreSQL CPU and no more throughput on the 2-core benchmark machine.)
 *
 * <p>A request waits at most {@link #BUDGET} in all (GitLab gives up on a webhook after 10 s and counts
 * that as a failure): when the database is unreachable or too slow, {@link #write} throws
 * {@link NotStored} and the intake answers 503 — a delivery it could not store is never acknowledged.
 * A request that gave up is dropped from the queue if the writer has not taken it yet. The writer
 * thread survives any failure of a batch, {@link Error}s included, and goes on with the next one.
 */
@ApplicationScoped
public class DeliveryWriter {

    private static final Logger LOG = Logger.getLogger(DeliveryWriter.class);
    static final int MAX_BATCH = 200;
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

    private final DeliveryQueue deliveries;
    private final Duration coalesce;
    private final Duration budget;
    private final BlockingQueue<Pending> waiting = new LinkedBlockingQueue<>(20_000);
    private volatile boolean running;
    private Thread writer;

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
        writer = new Thread(this::loop, "countersign-delivery-writer");
        writer.setDaemon(true);
        writer.start();
    }

    void stop(@Observes ShutdownEvent ev) throws InterruptedException {
        running = false;
        writer.join(5_000);
    }

    /**
     * Stores the delivery; returns its id, or -1 for a duplicate. Returns or throws within
     * {@link #BUDGET}.
     *
     * @throws NotStored if it could not be stored in time (the caller answers 5xx so that GitLab knows
     *                   the delivery was not taken)
     */
    public long write(DeliveryQueue.NewDelivery delivery) {
        long deadline = System.nanoTime() + budget.toNanos();
        CompletableFuture<Long> result = new CompletableFuture<>();
        try {
            if (!waiting.offer(new Pending(delivery, result), budget.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new NotStored("the delivery intake is saturated", null);
            }
            return result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            result.cancel(false);
            Thread.currentThread().interrupt();
            throw new NotStored("interrupted while storing the delivery", e);
        } catch (ExecutionException e) {
            throw new NotStored("could not store the delivery: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException | CancellationException e) {
            // dropped if the writer has not taken it yet; if it has, it is stored and a resend is a duplicate
            result.cancel(false);
            throw new NotStored("storing the delivery took more than " + budget.toSeconds() + " s", null);
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
                // never let the intake's only writer die: every later webhook would wait in vain
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
