package org.countersign.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
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
 * and no writer thread dies of whatever a batch throws, {@link Error}s included.
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
        // each writer takes one and is stuck on it; every request gives up after its budget
        for (int i = 0; i < DeliveryWriter.WRITERS; i++) {
            String key = "taken-" + i;
            assertThrows(DeliveryWriter.NotStored.class, () -> writer.write(delivery(key)));
        }
        // with every writer stuck, the next one waits in the queue and gives up too
        assertThrows(DeliveryWriter.NotStored.class, () -> writer.write(delivery("gave-up")));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        int requests = DeliveryWriter.WRITERS + 1;
        assertTrue(tookMs < 500L * requests + 1_000, requests + " requests answered in " + tookMs + " ms, 500 ms each at most");
        stuck.countDown();
        queue.behaviour = batch -> batch.stream().mapToLong(d -> queue.ids.incrementAndGet()).toArray();
        // stored by whichever writer is free first (the stuck ones finish their batches meanwhile)
        assertTrue(writer.write(delivery("after")) > 0);
        // the taken ones were stored after their requests gave up (a resend is a duplicate); the one
        // that gave up in the queue is never written
        List<List<String>> batches = new ArrayList<>(queue.batches);
        assertEquals(List.of("after"), batches.remove(batches.size() - 1));
        assertEquals(DeliveryWriter.WRITERS, batches.size(), batches.toString());
        assertTrue(batches.stream().allMatch(b -> b.size() == 1 && b.get(0).startsWith("taken-")), batches.toString());
    }

    @Test
    void theDefaultBudgetIsBelowGitLabsWebhookTimeout() {
        assertTrue(DeliveryWriter.BUDGET.compareTo(Duration.ofSeconds(10)) < 0);
    }
}
