package org.countersign.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

/**
 * HTTP load with the JDK client (HTTP/1.1, keep-alive):
 * <ul>
 * <li>{@link #openLoop}: requests are due at fixed intended times ({@code start + i / rate}) whatever
 *     the server does, sent asynchronously, and each latency is measured from the intended send time,
 *     so a stalled server shows in the latencies instead of silently slowing the sender (no coordinated
 *     omission);</li>
 * <li>{@link #closedLoop}: N clients each send the next request as soon as the previous one is
 *     answered, for a fixed time: the throughput at saturation.</li>
 * </ul>
 */
final class LoadGenerator {

    /** What one phase measured. Latencies in ms; throughput = answered requests per second of the phase. */
    record Result(String name, double seconds, long sent, long ok, long errors, Map<Integer, Long> statuses,
                  Latencies.Summary latency, double throughput) {
    }

    private final HttpClient client;
    private final ExecutorService clientExecutor;

    LoadGenerator() {
        clientExecutor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "bench-http-client");
            t.setDaemon(true);
            return t;
        });
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(clientExecutor)
                .build();
    }

    void close() {
        clientExecutor.shutdownNow();
    }

    /**
     * Sends {@code rate} requests per second for {@code seconds}; {@code request.apply(i)} builds the
     * i-th request. Waits (at most 30 s) for the last answers.
     */
    Result openLoop(String name, LongFunction<HttpRequest> request, int rate, double seconds, int expectedStatus) {
        long total = Math.round(rate * seconds);
        long periodNanos = 1_000_000_000L / rate;
        Latencies latencies = new Latencies((int) total);
        Map<Integer, Long> statuses = new ConcurrentHashMap<>();
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<CompletableFuture<?>> pending = new ArrayList<>((int) total);
        long start = System.nanoTime() + 10_000_000L;
        for (long i = 0; i < total; i++) {
            long intended = start + i * periodNanos;
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            HttpRequest req = request.apply(i);
            pending.add(client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((resp, failure) -> {
                long latency = System.nanoTime() - intended;
                synchronized (latencies) {
                    latencies.add(latency);
                }
                if (failure != null) {
                    errors.incrementAndGet();
                    statuses.merge(-1, 1L, Long::sum);
                } else {
                    statuses.merge(resp.statusCode(), 1L, Long::sum);
                    if (resp.statusCode() == expectedStatus) {
                        ok.incrementAndGet();
                    } else {
                        errors.incrementAndGet();
                    }
                }
            }));
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // counted below: unanswered requests are neither ok nor errors
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        Latencies.Summary summary;
        synchronized (latencies) {
            summary = latencies.summary();
        }
        return new Result(name, elapsed, total, ok.get(), errors.get() + (total - ok.get() - errors.get()),
                Map.copyOf(statuses), summary, ok.get() / elapsed);
    }

    /** {@code clients} concurrent clients, each sending back to back, for {@code seconds}. */
    Result closedLoop(String name, LongFunction<HttpRequest> request, int clients, double seconds, int expectedStatus) {
        AtomicLong seq = new AtomicLong();
        Map<Integer, Long> statuses = new ConcurrentHashMap<>();
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<Latencies> perClient = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        for (int c = 0; c < clients; c++) {
            Latencies mine = new Latencies(4096);
            perClient.add(mine);
            Thread t = new Thread(() -> {
                while (System.nanoTime() < end) {
                    HttpRequest req = request.apply(seq.getAndIncrement());
                    long sent = System.nanoTime();
                    try {
                        HttpResponse<byte[]> resp = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
                        mine.add(System.nanoTime() - sent);
                        statuses.merge(resp.statusCode(), 1L, Long::sum);
                        if (resp.statusCode() == expectedStatus) {
                            ok.incrementAndGet();
                        } else {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        mine.add(System.nanoTime() - sent);
                        errors.incrementAndGet();
                        statuses.merge(-1, 1L, Long::sum);
                        if (e instanceof InterruptedException) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }, "bench-client-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        Latencies all = new Latencies(8192);
        perClient.forEach(all::addAll);
        return new Result(name, elapsed, seq.get(), ok.get(), errors.get(), Map.copyOf(statuses), all.summary(),
                ok.get() / elapsed);
    }

    static HttpRequest.Builder post(URI uri, byte[] body) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }
}
