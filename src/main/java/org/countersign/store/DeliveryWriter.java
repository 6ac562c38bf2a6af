package org.countersign.store;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
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
 */
@ApplicationScoped
public class DeliveryWriter {

    private static final Logger LOG = Logger.getLogger(DeliveryWriter.class);
    static final int MAX_BATCH = 200;

    private record Pending(DeliveryQueue.NewDelivery delivery, CompletableFuture<Long> result) {
    }

    private final DeliveryQueue deliveries;
    private final Duration coalesce;
    private final BlockingQueue<Pending> waiting = new LinkedBlockingQueue<>(20_000);
    private volatile boolean running;
    private Thread writer;

    public DeliveryWriter(DeliveryQueue deliveries, Settings settings) {
        this.deliveries = deliveries;
        this.coalesce = settings.worker().coalesce();
    }

    void start(@Observes StartupEvent ev) {
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
     * Stores the delivery; returns its id, or -1 for a duplicate. Throws if it could not be stored
     * (the caller answers 5xx so GitLab knows the delivery was not taken).
     */
    public long write(DeliveryQueue.NewDelivery delivery) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        try {
            if (!waiting.offer(new Pending(delivery, result), 5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("delivery intake is saturated");
            }
            return result.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while storing a delivery", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not store the delivery", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("storing the delivery took too long", e);
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
                try {
                    long[] ids = deliveries.enqueueAll(batch.stream().map(Pending::delivery).toList(), coalesce);
                    for (int i = 0; i < ids.length; i++) {
                        batch.get(i).result().complete(ids[i]);
                    }
                } catch (RuntimeException e) {
                    LOG.errorf(e, "storing %d deliveries failed", batch.size());
                    batch.forEach(p -> p.result().completeExceptionally(e));
                }
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
