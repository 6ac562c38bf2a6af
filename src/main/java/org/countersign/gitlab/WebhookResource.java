package org.countersign.gitlab;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.countersign.config.Settings;
import org.countersign.store.DeliveryQueue;
import org.countersign.store.DeliveryWriter;
import org.countersign.governance.PolicyFile;
import org.countersign.workflow.ProjectPolicies;
import org.countersign.workflow.WatchProjects;
import org.countersign.web.ProblemException;
import org.countersign.web.SecretToken;
import org.countersign.runtime.IntakePressure;
import org.countersign.runtime.Metrics;
import org.countersign.runtime.WorkSignal;
import org.countersign.web.Problem;
import org.jboss.logging.Logger;

/**
 * {@code POST /webhooks/gitlab}: verifies the secret token, stores the delivery and answers 202 at
 * once (GitLab times out at 10 s and disables a hook after 4 failures in a row); the work happens later
 * in a worker. A repeated delivery (same {@code Idempotency-Key}, else same event UUID and body) is
 * stored once while the first is kept (a delivery covered by an evaluation is dropped: see
 * {@link DeliveryQueue#dropCovered}).
 *
 * <p>Every authentic delivery (right token) that Countersign does not act on is acknowledged with 200
 * {@code {"status":"ignored","reason":…}}: events other than issue and note events, work items of a
 * type that is not governed, events about projects Countersign does not watch (a group webhook sends
 * every project's), and events whose fields it cannot read. 400 is left for requests that are no GitLab
 * event at all (no event header, a body that is not a JSON object with an {@code object_kind}), 401
 * for a wrong token. A delivery that cannot be stored within {@link DeliveryWriter#BUDGET} (database
 * unreachable) gets 503 with {@code Retry-After}: a 202 promises that it is stored.
 *
 * <p>The endpoint does not block: it runs on the HTTP event loop (the body read whole first, as
 * before), hands the delivery to the group-commit writer and answers when the writer's future
 * completes — no request thread parked per webhook waiting for the commit, no hand-over to a worker
 * thread and back. Only a large body (from {@value #PARSE_ON_WORKER_BYTES} bytes: a long description)
 * is parsed on a worker thread, so that it never holds up the other connections of its event loop.
 */
@Path("/webhooks/gitlab")
public class WebhookResource {

    private static final Logger LOG = Logger.getLogger(WebhookResource.class);
    /** Seconds a sender is asked to wait after a 503 (GitLab does not retry by itself; a resend may). */
    static final int RETRY_AFTER_SECONDS = 30;
    /** Bodies from this size are parsed on a worker thread instead of the event loop. */
    static final int PARSE_ON_WORKER_BYTES = 256 * 1024;

    private final SecretToken secret;
    private final WebhookParser parser;
    private final DeliveryWriter writer;
    private final WatchProjects watch;
    private final WorkSignal signal;
    private final Metrics metrics;
    private final IntakePressure pressure;
    private final ProjectPolicies policies;
    static final String PUSH_HOOK = "Push Hook";

    public WebhookResource(Settings settings, WebhookParser parser, DeliveryWriter writer, WatchProjects watch,
                           WorkSignal signal, Metrics metrics, IntakePressure pressure, ProjectPolicies policies) {
        this.policies = policies;
        this.secret = new SecretToken(settings.webhookSecret());
        this.parser = parser;
        this.writer = writer;
        this.watch = watch;
        this.signal = signal;
        this.metrics = metrics;
        this.pressure = pressure;
    }

    @POST
    @NonBlocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> receive(@HeaderParam("X-Gitlab-Token") String token,
                                             @HeaderParam("X-Gitlab-Event") String event,
                                             @HeaderParam("Idempotency-Key") String idempotencyKey,
                                             @HeaderParam("X-Gitlab-Event-UUID") String eventUuid,
                                             byte[] body) {
        pressure.enter();
        CompletionStage<Response> answer;
        try {
            if (body != null && body.length >= PARSE_ON_WORKER_BYTES && secret.matches(token)) {
                answer = CompletableFuture.supplyAsync(() -> handleAsProblem(token, event, idempotencyKey, eventUuid, body),
                        Infrastructure.getDefaultWorkerPool()).thenCompose(r -> r);
            } else {
                answer = handle(token, event, idempotencyKey, eventUuid, body);
            }
        } catch (RuntimeException | Error e) {
            pressure.exit();
            throw e;
        }
        return answer.whenComplete((r, failure) -> pressure.exit());
    }

    /** {@link #handle}, with a refusal turned into its response (the exception mapper sees no failed stage). */
    private CompletionStage<Response> handleAsProblem(String token, String event, String idempotencyKey, String eventUuid,
                                                      byte[] body) {
        try {
            return handle(token, event, idempotencyKey, eventUuid, body);
        } catch (ProblemException e) {
            return CompletableFuture.completedFuture(Response.status(e.problem().status()).type(Problem.MEDIA_TYPE)
                    .entity(e.problem()).build());
        }
    }

    private CompletionStage<Response> handle(String token, String event, String idempotencyKey, String eventUuid, byte[] body) {
        if (!secret.matches(token)) {
            metrics.delivery("unauthorized");
            throw new ProblemException(401, "Unauthorized", "Missing or wrong X-Gitlab-Token.");
        }
        if (event == null || event.isBlank()) {
            metrics.delivery("malformed");
            throw new ProblemException(400, "Bad Request", "Missing X-Gitlab-Event header.");
        }
        if (PUSH_HOOK.equals(event)) {
            return done(push(body == null ? new byte[0] : body, eventUuid));
        }
        if (!WebhookParser.isHandled(event)) {
            return done(ignored("event '" + event + "' is not used by Countersign", false, eventUuid));
        }
        WebhookParser.Trigger trigger;
        try {
            trigger = parser.parse(event, body == null ? new byte[0] : body);
        } catch (ProblemException e) {
            metrics.delivery("malformed");
            throw e;
        }
        if (trigger.ignored()) {
            return done(ignored(trigger.ignoredBecause(), trigger.unreadable(), eventUuid));
        }
        if (!watch.mayBeWatched(trigger.projectId())) {
            return done(ignored("project " + trigger.projectId() + " is not watched", false, eventUuid));
        }
        String payload = new String(body, StandardCharsets.UTF_8);
        // completed on the writer thread once committed (or failed by the budget): only a response built
        // here, the rest of the answer happens on the request's event loop
        return writer.submit(new DeliveryQueue.NewDelivery(
                        WebhookParser.dedupeKey(idempotencyKey, eventUuid, event, body), event, eventUuid,
                        trigger.projectId(), trigger.issueIid(), trigger.actorId(), payload, trigger.closes()))
                .handle((id, failure) -> failure == null ? stored(id, trigger) : notStored(failure, trigger, eventUuid));
    }

    private Response stored(long id, WebhookParser.Trigger trigger) {
        if (id < 0) {
            metrics.delivery("duplicate");
            return Response.accepted(DUPLICATE).build();
        }
        metrics.delivery("queued");
        signal.deliveryQueued(trigger.closes());
        // {"status":"queued","delivery":<id>}, written out: no serializer lookup for the busiest answer
        return Response.accepted("{\"status\":\"queued\",\"delivery\":" + id + "}").build();
    }

    private static final String DUPLICATE = "{\"status\":\"duplicate\"}";

    private Response notStored(Throwable failure, WebhookParser.Trigger trigger, String eventUuid) {
        DeliveryWriter.NotStored e = DeliveryWriter.notStored(failure);
        metrics.delivery("unavailable");
        LOG.warnf("webhook %s about %d#%d answered 503, not stored: %s", eventUuid == null ? "(no event UUID)" : eventUuid,
                trigger.projectId(), trigger.issueIid(), e.getMessage());
        return Response.status(503).type(Problem.MEDIA_TYPE).header("Retry-After", RETRY_AFTER_SECONDS)
                .entity(Problem.of(503, "Service Unavailable", "The delivery could not be stored; it was not taken. "
                        + "Send it again later.")).build();
    }

    private static CompletionStage<Response> done(Response r) {
        return CompletableFuture.completedFuture(r);
    }

    /**
     * 200, not acted on. An unreadable delivery (an authentic event with fields Countersign cannot read:
     * perhaps GitLab changed its payloads, and only reconciliation catches those tickets now) is logged
     * as a warning and counted apart; the others are routine.
     */
    /**
     * A push that touches {@code .countersign.yml} on the default branch of a watched project makes the
     * policy be re-read (in the background; every reconciliation pass re-reads it too). Any other push is
     * acknowledged and ignored: an authentic delivery never gets a 4xx.
     */
    private Response push(byte[] body, String eventUuid) {
        Optional<PushHook.Push> push = PushHook.read(body, PolicyFile.PATH);
        if (push.isEmpty()) {
            return ignored("a push event Countersign cannot read", true, eventUuid);
        }
        if (!watch.mayBeWatched(push.get().projectId())) {
            return ignored("project " + push.get().projectId() + " is not watched", false, eventUuid);
        }
        if (!push.get().touchesFileOnDefaultBranch()) {
            return ignored("the push does not touch " + PolicyFile.PATH + " on the default branch", false, eventUuid);
        }
        policies.refreshSoon(push.get().projectId(), "push:" + push.get().after());
        metrics.delivery("policy_refresh");
        return Response.accepted(Map.of("status", "accepted", "reason", PolicyFile.PATH + " is read again")).build();
    }

    private Response ignored(String reason, boolean unreadable, String eventUuid) {
        metrics.delivery(unreadable ? "unreadable" : "ignored");
        if (unreadable) {
            LOG.warnf("webhook %s ignored, its payload cannot be read: %s", eventUuid == null ? "(no event UUID)" : eventUuid, reason);
        } else {
            LOG.debugf("webhook %s ignored: %s", eventUuid == null ? "(no event UUID)" : eventUuid, reason);
        }
        return Response.ok(Map.of("status", "ignored", "reason", reason)).build();
    }
}
