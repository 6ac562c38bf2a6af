package org.countersign.gitlab.sim;

import java.time.Instant;
import java.util.Map;

/**
 * One webhook delivery (one hook x one triggering action, or a manual redelivery), as recorded in the
 * simulator's delivery log. {@code id} is the index in {@link GitLabSimulator#webhookDeliveries()}.
 * The mutable outcome fields are updated by the sender thread; reads are thread-safe.
 */
public final class WebhookDelivery {

    /** Lifecycle of a delivery. */
    public enum Outcome {
        /** Waiting in the send queue. */
        QUEUED,
        /** Sent, receiver answered 2xx. */
        DELIVERED,
        /** Sent, receiver answered non-2xx, timed out or was unreachable (counts for auto-disabling). */
        FAILED,
        /** Lost on purpose ({@code dropWebhooks(true)}): never sent. */
        DROPPED,
        /** Not sent because the hook was (temporarily) disabled when its turn came. */
        SKIPPED_DISABLED
    }

    private final long id;
    private final long hookId;
    private final String event;
    private final String body;
    private final String eventUuid;
    private final String idempotencyKey;
    private final Long redeliveryOf;
    private final Instant createdAt;

    private volatile Outcome outcome = Outcome.QUEUED;
    private volatile String url;
    private volatile Map<String, String> headers = Map.of();
    private volatile int responseStatus;
    private volatile String error;

    WebhookDelivery(long id, long hookId, String event, String body, String eventUuid, String idempotencyKey,
            Long redeliveryOf, Instant createdAt) {
        this.id = id;
        this.hookId = hookId;
        this.event = event;
        this.body = body;
        this.eventUuid = eventUuid;
        this.idempotencyKey = idempotencyKey;
        this.redeliveryOf = redeliveryOf;
        this.createdAt = createdAt;
    }

    public long id() { return id; }
    public long hookId() { return hookId; }
    /** The {@code X-Gitlab-Event} value, e.g. {@code Issue Hook}. */
    public String event() { return event; }
    public String body() { return body; }
    public String eventUuid() { return eventUuid; }
    public String idempotencyKey() { return idempotencyKey; }
    /** Id of the original delivery when this is a manual redelivery, else null. */
    public Long redeliveryOf() { return redeliveryOf; }
    /** Simulated time of the triggering action. */
    public Instant createdAt() { return createdAt; }
    public Outcome outcome() { return outcome; }
    /** URL the delivery was sent to (null until sent). */
    public String url() { return url; }
    /** Headers actually sent (empty until sent). */
    public Map<String, String> headers() { return headers; }
    /** HTTP status answered by the receiver, 0 if none (not sent, timeout, connection error). */
    public int responseStatus() { return responseStatus; }
    public String error() { return error; }

    void markSending(String url, Map<String, String> headers) {
        this.url = url;
        this.headers = Map.copyOf(headers);
    }

    void finish(Outcome outcome, int status, String error) {
        this.responseStatus = status;
        this.error = error;
        this.outcome = outcome;
    }

    @Override
    public String toString() {
        return "WebhookDelivery[" + id + " " + event + " hook=" + hookId + " " + outcome + " status=" + responseStatus
                + (redeliveryOf == null ? "" : " redeliveryOf=" + redeliveryOf) + "]";
    }
}
