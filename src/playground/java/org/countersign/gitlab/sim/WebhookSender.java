package org.countersign.gitlab.sim;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Delivers webhooks like GitLab: asynchronously, one background thread, in enqueue order, POST JSON with
 * GitLab's headers, 10 s timeout (settable), no automatic retry. Each outcome feeds the hook's
 * auto-disabling state in {@link SimState}; a hook that is not executable when its turn comes is skipped.
 */
final class WebhookSender implements AutoCloseable {

    static final String ISSUE_HOOK = "Issue Hook";
    static final String CONFIDENTIAL_ISSUE_HOOK = "Confidential Issue Hook";
    static final String NOTE_HOOK = "Note Hook";
    static final String CONFIDENTIAL_NOTE_HOOK = "Confidential Note Hook";
    static final String USER_AGENT = "GitLab/18.5.0";

    private final SimState state;
    private final String instanceUrl;
    private final HttpClient http;
    private final Thread thread;

    // All guarded by "this".
    private final List<WebhookDelivery> log = new ArrayList<>();
    private final Deque<WebhookDelivery> queue = new ArrayDeque<>();
    private boolean paused;
    private boolean dropping;
    private boolean inFlight;
    private boolean closed;
    private Duration timeout = Duration.ofSeconds(10);

    WebhookSender(SimState state, String instanceUrl) {
        this.state = state;
        this.instanceUrl = instanceUrl;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.thread = new Thread(this::run, "gitlab-sim-webhooks");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Records one delivery per hook of the project subscribed to {@code event}; all share one
     * {@code X-Gitlab-Event-UUID} (the triggering action), each gets its own {@code Idempotency-Key}.
     */
    synchronized List<WebhookDelivery> enqueue(long projectId, String event, String body) {
        String eventUuid = UUID.randomUUID().toString();
        List<WebhookDelivery> created = new ArrayList<>();
        for (SimWebhook hook : state.hooksFor(projectId, event)) {
            WebhookDelivery d = new WebhookDelivery(log.size(), hook.id(), event, body, eventUuid,
                    UUID.randomUUID().toString(), null, state.now());
            log.add(d);
            created.add(d);
            if (dropping) {
                d.finish(WebhookDelivery.Outcome.DROPPED, 0, "dropped by test");
            } else {
                queue.addLast(d);
            }
        }
        notifyAll();
        return created;
    }

    /**
     * Queues a manual resend of delivery {@code id}: same body, event UUID and {@code Idempotency-Key},
     * a fresh {@code X-Gitlab-Webhook-UUID}. Sent even while dropping is on.
     */
    synchronized WebhookDelivery redeliver(long id) {
        WebhookDelivery original = log.get(Math.toIntExact(id));
        WebhookDelivery d = new WebhookDelivery(log.size(), original.hookId(), original.event(), original.body(),
                original.eventUuid(), original.idempotencyKey(), original.id(), state.now());
        log.add(d);
        queue.addLast(d);
        notifyAll();
        return d;
    }

    synchronized List<WebhookDelivery> deliveries() {
        return List.copyOf(log);
    }

    synchronized void pause() {
        paused = true;
    }

    synchronized void resume() {
        paused = false;
        notifyAll();
    }

    synchronized void drop(boolean drop) {
        dropping = drop;
    }

    synchronized void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * Blocks until the queue is empty and nothing is in flight.
     *
     * @throws IllegalStateException if paused with queued deliveries, or still busy after {@code max}
     */
    synchronized void awaitSent(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!queue.isEmpty() || inFlight) {
            if (paused && !inFlight) {
                throw new IllegalStateException("webhooks are paused with " + queue.size() + " queued");
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("webhooks still pending after " + max);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        thread.interrupt();
    }

    private void run() {
        while (true) {
            WebhookDelivery d;
            Duration sendTimeout;
            synchronized (this) {
                while (!closed && (paused || queue.isEmpty())) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        if (closed) {
                            return;
                        }
                    }
                }
                if (closed) {
                    return;
                }
                d = queue.pollFirst();
                inFlight = true;
                sendTimeout = timeout;
            }
            try {
                send(d, sendTimeout);
            } catch (RuntimeException e) {
                d.finish(WebhookDelivery.Outcome.FAILED, 0, e.toString());
            } finally {
                synchronized (this) {
                    inFlight = false;
                    notifyAll();
                }
            }
        }
    }

    private void send(WebhookDelivery d, Duration sendTimeout) {
        SimWebhook hook = state.hook(d.hookId());
        if (!hook.executable()) {
            d.finish(WebhookDelivery.Outcome.SKIPPED_DISABLED, 0, "hook " + hook.alertStatus());
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", USER_AGENT);
        headers.put("X-Gitlab-Event", d.event());
        if (hook.secretToken() != null) {
            headers.put("X-Gitlab-Token", hook.secretToken());
        }
        headers.put("X-Gitlab-Event-UUID", d.eventUuid());
        headers.put("X-Gitlab-Webhook-UUID", UUID.randomUUID().toString());
        headers.put("Idempotency-Key", d.idempotencyKey());
        headers.put("X-Gitlab-Instance", instanceUrl);
        d.markSending(hook.url(), headers);

        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(hook.url()))
                .timeout(sendTimeout)
                .POST(HttpRequest.BodyPublishers.ofString(d.body()));
        headers.forEach(request::header);
        boolean success;
        try {
            HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            success = status >= 200 && status < 300;
            d.finish(success ? WebhookDelivery.Outcome.DELIVERED : WebhookDelivery.Outcome.FAILED, status, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            d.finish(WebhookDelivery.Outcome.FAILED, 0, "interrupted");
            return;
        } catch (Exception e) {
            success = false;
            d.finish(WebhookDelivery.Outcome.FAILED, 0, e.toString());
        }
        state.recordHookResult(d.hookId(), success);
    }
}
