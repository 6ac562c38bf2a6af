package org.countersign.gitlab;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.countersign.config.Settings;
import org.countersign.store.DeliveryQueue;
import org.countersign.store.DeliveryWriter;
import org.countersign.workflow.WatchProjects;
import org.countersign.web.ProblemException;
import org.countersign.web.SecretToken;
import org.countersign.runtime.IntakePressure;
import org.countersign.runtime.Metrics;
import org.countersign.runtime.WorkSignal;

/**
 * {@code POST /webhooks/gitlab}: verifies the secret token, stores the delivery and answers 202 at
 * once (GitLab times out at 10 s and disables a hook after 4 failures); the work happens later in a
 * worker. A repeated delivery (same {@code Idempotency-Key}, else same event UUID and body) is stored
 * once. Events other than issue and note events, and events about projects Countersign does not watch
 * (a group webhook sends every project's), are acknowledged and ignored.
 */
@Path("/webhooks/gitlab")
public class WebhookResource {

    private final SecretToken secret;
    private final WebhookParser parser;
    private final DeliveryWriter writer;
    private final WatchProjects watch;
    private final WorkSignal signal;
    private final Metrics metrics;
    private final IntakePressure pressure;

    public WebhookResource(Settings settings, WebhookParser parser, DeliveryWriter writer, WatchProjects watch,
                           WorkSignal signal, Metrics metrics, IntakePressure pressure) {
        this.secret = new SecretToken(settings.webhookSecret());
        this.parser = parser;
        this.writer = writer;
        this.watch = watch;
        this.signal = signal;
        this.metrics = metrics;
        this.pressure = pressure;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response receive(@HeaderParam("X-Gitlab-Token") String token,
                            @HeaderParam("X-Gitlab-Event") String event,
                            @HeaderParam("Idempotency-Key") String idempotencyKey,
                            @HeaderParam("X-Gitlab-Event-UUID") String eventUuid,
                            byte[] body) {
        pressure.enter();
        try {
            return handle(token, event, idempotencyKey, eventUuid, body);
        } finally {
            pressure.exit();
        }
    }

    private Response handle(String token, String event, String idempotencyKey, String eventUuid, byte[] body) {
        if (!secret.matches(token)) {
            metrics.delivery("unauthorized");
            throw new ProblemException(401, "Unauthorized", "Missing or wrong X-Gitlab-Token.");
        }
        if (event == null || event.isBlank()) {
            metrics.delivery("malformed");
            throw new ProblemException(400, "Bad Request", "Missing X-Gitlab-Event header.");
        }
        if (!WebhookParser.isHandled(event)) {
            metrics.delivery("ignored");
            return Response.ok(Map.of("status", "ignored", "reason", "event '" + event + "' is not used by Countersign")).build();
        }
        WebhookParser.Trigger trigger;
        try {
            trigger = parser.parse(event, body == null ? new byte[0] : body);
        } catch (ProblemException e) {
            metrics.delivery("malformed");
            throw e;
        }
        if (trigger.ignoredBecause() != null) {
            metrics.delivery("ignored");
            return Response.ok(Map.of("status", "ignored", "reason", trigger.ignoredBecause())).build();
        }
        String payload = new String(body, StandardCharsets.UTF_8);
        if (!watch.mayBeWatched(trigger.projectId())) {
            metrics.delivery("ignored");
            return Response.ok(Map.of("status", "ignored", "reason", "project " + trigger.projectId() + " is not watched")).build();
        }
        long id = writer.write(new DeliveryQueue.NewDelivery(
                WebhookParser.dedupeKey(idempotencyKey, eventUuid, event, body), event, eventUuid,
                trigger.projectId(), trigger.issueIid(), trigger.actorId(), payload));
        if (id < 0) {
            metrics.delivery("duplicate");
            return Response.accepted(Map.of("status", "duplicate")).build();
        }
        metrics.delivery("queued");
        signal.deliveryQueued();
        return Response.accepted(Map.of("status", "queued", "delivery", id)).build();
    }
}
