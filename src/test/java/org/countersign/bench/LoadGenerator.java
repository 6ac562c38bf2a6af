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
 * <li>{@link #closedLoopRaw}: the same with a lean client — one blocking socket per client thread,
 *     keep-alive, the request written out by hand and the answer read up to its {@code Content-Length}.
 *     The JDK client costs about as much CPU per request as the service's whole HTTP layer (its selector
 *     thread, a hand-over per request, its header and body machinery), and load generator and service
 *     share the 2 cores: with it, a benchmark mostly measures the client.</li>
 * </ul>
 */
final class LoadGenerator {

    /** What one phase measured. Latencies in ms; throughput = answered requests per second of the phase. */
    record Result(String name, double seconds, long sent, long ok, long errors, Map<Integer, Long> statuses,
                  Latencies.Summary latency, double throughput) {
    }

    /** CPU of the lean client threads that have ended (they end with their phase, before it is accounted). */
    private static final AtomicLong ENDED_CLIENT_CPU = new AtomicLong();

    static long endedClientCpuNanos() {
        return ENDED_CLIENT_CPU.get();
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

    /** A request for {@link #closedLoopRaw}: extra headers (name, value) and the body. */
    record RawRequest(List<String[]> headers, byte[] body) {
    }

    /** {@link #closedLoop} with the lean client: POSTs to {@code uri}, HTTP/1.1 keep-alive, one socket per client. */
    Result closedLoopRaw(String name, URI uri, java.util.function.LongFunction<RawRequest> request, int clients, double seconds,
                         int expectedStatus) {
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
                RawConnection conn = null;
                while (System.nanoTime() < end) {
                    RawRequest req = request.apply(seq.getAndIncrement());
                    long sent = System.nanoTime();
                    try {
                        if (conn == null) {
                            conn = new RawConnection(uri);
                        }
                        int status = conn.post(req);
                        mine.add(System.nanoTime() - sent);
                        statuses.merge(status, 1L, Long::sum);
                        if (status == expectedStatus) {
                            ok.incrementAndGet();
                        } else {
                            errors.incrementAndGet();
                        }
                        if (conn.closed) {
                            conn = null;
                        }
                    } catch (java.io.IOException | RuntimeException e) {
                        mine.add(System.nanoTime() - sent);
                        errors.incrementAndGet();
                        statuses.merge(-1, 1L, Long::sum);
                        if (conn != null) {
                            conn.close();
                            conn = null;
                        }
                    }
                }
                if (conn != null) {
                    conn.close();
                }
                ENDED_CLIENT_CPU.addAndGet(java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
            }, "bench-client-raw-" + c);
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

    /** One keep-alive HTTP/1.1 connection: writes a POST, reads the status line, headers and body. */
    private static final class RawConnection {
        private final java.net.Socket socket;
        private final java.io.OutputStream out;
        private final java.io.InputStream in;
        private final byte[] head;
        private final byte[] buf = new byte[16 * 1024];
        private int pos;
        private int lim;
        boolean closed;

        RawConnection(URI uri) throws java.io.IOException {
            socket = new java.net.Socket(uri.getHost(), uri.getPort());
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            out = new java.io.BufferedOutputStream(socket.getOutputStream(), 8 * 1024);
            in = socket.getInputStream();
            head = ("POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nContent-Type: application/json\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }

        int post(RawRequest r) throws java.io.IOException {
            StringBuilder h = new StringBuilder(256);
            for (String[] header : r.headers()) {
                h.append(header[0]).append(": ").append(header[1]).append("\r\n");
            }
            h.append("Content-Length: ").append(r.body().length).append("\r\n\r\n");
            out.write(head);
            out.write(h.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(r.body());
            out.flush();
            return readResponse();
        }

        private int readResponse() throws java.io.IOException {
            String statusLine = line();
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            for (String l = line(); !l.isEmpty(); l = line()) {
                int colon = l.indexOf(':');
                String name = l.substring(0, colon).trim();
                String value = l.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
                    chunked = true;
                } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                    closed = true;
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(line().trim(), 16); size > 0; size = Long.parseLong(line().trim(), 16)) {
                    skip(size);
                    line();
                }
                for (String l = line(); !l.isEmpty(); l = line()) {
                    // trailers
                }
            } else if (length > 0) {
                skip(length);
            }
            if (closed) {
                close();
            }
            return status;
        }

        private void fill() throws java.io.IOException {
            pos = 0;
            lim = in.read(buf);
            if (lim <= 0) {
                lim = 0;
                throw new java.io.EOFException("connection closed by the server");
            }
        }

        private String line() throws java.io.IOException {
            StringBuilder sb = new StringBuilder(64);
            while (true) {
                if (pos == lim) {
                    fill();
                }
                byte b = buf[pos++];
                if (b == '\n') {
                    int n = sb.length();
                    return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
                }
                sb.append((char) (b & 0xff));
            }
        }

        private void skip(long n) throws java.io.IOException {
            while (n > 0) {
                if (pos == lim) {
                    fill();
                }
                int k = (int) Math.min(n, lim - pos);
                pos += k;
                n -= k;
            }
        }

        void close() {
            closed = true;
            try {
                socket.close();
            } catch (java.io.IOException ignored) {
                // closing
            }
        }
    }

    static HttpRequest.Builder post(URI uri, byte[] body) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }
}
