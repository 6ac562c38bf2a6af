package org.countersign.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The intake's group-commit writer when the database misbehaves: a request never waits past its budget,
 * and the one writer thread survives whatever a batch throws, {@link Error}s included.
 */
class DeliveryWriterTest {

    /** A delivery queue whose insert does what the test says. */
    private static final class FakeQueue extends DeliveryQueue {
        final List<List<String>> batches = new CopyOnWriteArrayList<>();
        final AtomicLong ids = new AtomicLong();
        volatile Function<List<NewDelivery>, long[]> behaviour;

        FakeQueue() {
            super(null);
            behaviour = batch -> batch.stream().mapToLong(d -> ids.incrementAndGet()).toArray();
        }

        @Override
        public long[] enqueueAll(List<NewDelivery> batch, Duration coalesce) {
            batches.add(batch.stream().map(NewDelivery::dedupeKey).toList());
            return behaviour.apply(batch);
        }
    }

    private final FakeQueue queue = new FakeQueue();
    private DeliveryWriter writer;

    private DeliveryWriter start(Duration budget) {
        writer = new DeliveryWriter(queue, Duration.ZERO, budget);
        writer.start();
        return writer;
    }

    @AfterEach
    void stop() throws InterruptedException {
        queue.behaviour = batch -> new long[batch.size()];
        if (writer != null) {
            writer.stop(null);
        }
    }

    private static DeliveryQueue.NewDelivery delivery(String key) {
        return new DeliveryQueue.NewDelivery(key, "Issue Hook", null, 1L, 2L, 3L, "{}", false);
    }

    @Test
    void anErrorFromTheDatabaseLayerFailsItsBatchAndTheWriterGoesOn() {
        start(Duration.ofSeconds(8));
        queue.behaviour = batch -> {
            throw new StackOverflowError("thrown by a driver");
        };
        DeliveryWriter.NotStored e = assertThrows(DeliveryWriter.NotStored.class, () -> writer.write(delivery("a")));
        assertTrue(e.getMessage().contains("thrown by a driver"), e.getMessage());
        queue.behaviour = batch -> {
            throw new IllegalStateException("could not store: connection refused");
        };
        assertThrows(DeliveryWriter.NotStored.class, () -> writer.write(delivery("b")));
        queue.behaviour = batch -> batch.stream().mapToLong(d -> queue.ids.incrementAndGet()).toArray();
        assertEquals(1, writer.write(delivery("c")), "the writer thread is still there");
    }

    @Test
    void aStuckDatabaseGetsAnAnswerWithinTheBudgetAndRequestsThatGaveUpAreDropped() throws Exception {
        start(Duration.ofMillis(500));
        CountDownLatch stuck = new CountDownLatch(1);
        queue.behaviour = batch -> {
            try {
                stuck.await(30, TimeUnit.SECONDS); // a statement on a partitioned connection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return batch.stream().mapToLong(d -> queue.ids.incrementAndGet()).toArray();
        };
        long begin = System.nanoTime();
        assertThrows(DeliveryWriter.NotStored.class, () -> writer.write(delivery("first")));
        // while the writer is stuck on the first, the second waits in the queue and gives up too
        assertThrows(DeliveryWriter.NotStored.class, () -> writer.write(delivery("second")));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        assertTrue(tookMs < 1_500, "two requests answered in " + tookMs + " ms, 500 ms each at most");
        stuck.countDown();
        queue.behaviour = batch -> batch.stream().mapToLong(d -> queue.ids.incrementAndGet()).toArray();
        assertEquals(2, writer.write(delivery("third")));
        // "first" was taken before its request gave up (it is stored; a resend is a duplicate);
        // "second" was not, and is never written
        assertEquals(List.of(List.of("first"), List.of("third")), queue.batches);
    }

    @Test
    void theDefaultBudgetIsBelowGitLabsWebhookTimeout() {
        assertTrue(DeliveryWriter.BUDGET.compareTo(Duration.ofSeconds(10)) < 0);
    }
}
