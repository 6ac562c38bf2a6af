package org.countersign.gitlab.sim;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tiny webhook receiver for tests (JDK HttpServer on a random loopback port): records every POST and
 * answers the queued statuses (then 200), optionally after a delay.
 */
final class TestWebhookReceiver implements AutoCloseable {

    /** A received request; header names are matched case-insensitively. */
    record Received(Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final Deque<Integer> statuses = new ArrayDeque<>();
    private volatile long delayMillis;

    TestWebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", ex -> {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(",", v)));
            String body;
            try (InputStream in = ex.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            int status;
            synchronized (this) {
                received.add(new Received(headers, body));
                status = statuses.isEmpty() ? 200 : statuses.poll();
            }
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                ex.sendResponseHeaders(status, -1);
            } catch (IOException ignored) {
                // the sender gave up (timeout)
            }
            ex.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/gitlab";
    }

    /** The next requests answer these statuses, in order; afterwards 200. */
    synchronized void respondWith(Integer... codes) {
        statuses.addAll(List.of(codes));
    }

    void delay(long millis) {
        this.delayMillis = millis;
    }

    synchronized List<Received> received() {
        return List.copyOf(received);
    }

    synchronized void clear() {
        received.clear();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
