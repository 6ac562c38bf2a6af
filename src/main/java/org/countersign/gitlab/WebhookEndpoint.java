package org.countersign.gitlab;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.countersign.config.Settings;
import org.countersign.governance.PolicyFile;
import org.countersign.runtime.IntakePressure;
import org.countersign.runtime.Metrics;
import org.countersign.runtime.WorkSignal;
import org.countersign.store.DeliveryQueue;
import org.countersign.store.DeliveryWriter;
import org.countersign.web.Problem;
import org.countersign.web.ProblemException;
import org.countersign.web.ProblemMapper;
import org.countersign.web.SecretToken;
import org.countersign.workflow.ProjectPolicies;
import org.countersign.workflow.WatchProjects;
import org.eclipse.microprofile.config.inject.ConfigProperty;
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
 * for a wrong token, 413 for a body over {@code quarkus.http.limits.max-body-size} (GitLab's own limit
 * is 25 MB). A delivery that cannot be stored within {@link DeliveryWriter#BUDGET} (database
 * unreachable) gets 503 with {@code Retry-After}: a 202 promises that it is stored. Every error is
 * {@code application/problem+json}, as from the rest of the API.
 *
 * <p>A plain Vert.x route, not a JAX-RS resource: at saturation the JAX-RS handler chain and its
 * context propagation were a quarter of the event loops' time for the busiest endpoint of the service,
 * which needs none of it (docs/performance.md). The route does not block: it runs on the HTTP event
 * loop, hands the delivery to the group-commit writer and answers when the writer's future completes —
 * no request thread parked per webhook waiting for the commit. Only a large body (from
 * {@value #PARSE_ON_WORKER_BYTES} bytes: a long description) is parsed on a worker thread, so that it
 * never holds up the other connections of its event loop.
 */
@ApplicationScoped
public class WebhookEndpoint {

    public static final String PATH = "/webhooks/gitlab";

    private static final Logger LOG = Logger.getLogger(WebhookEndpoint.class);
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
    private final ObjectMapper json;
    private final long maxBodyBytes;
    static final String PUSH_HOOK = "Push Hook";

    public WebhookEndpoint(Settings settings, WebhookParser parser, DeliveryWriter writer, WatchProjects watch,
                           WorkSignal signal, Metrics metrics, IntakePressure pressure, ProjectPolicies policies,
                           ObjectMapper json,
                           @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize maxBody) {
        this.policies = policies;
        this.json = json;
        this.maxBodyBytes = maxBody.asLongValue();
        this.secret = new SecretToken(settings.webhookSecret());
        this.parser = parser;
        this.writer = writer;
        this.watch = watch;
        this.signal = signal;
        this.metrics = metrics;
        this.pressure = pressure;
    }

    void routes(@Observes Router router) {
        router.post(PATH).handler(this::read);
        router.route(PATH).handler(rc -> send(rc, problem(405, "Method Not Allowed",
                "Method not allowed on this resource: GitLab delivers webhooks with POST.")
                .header("Allow", "POST")));
    }

    /**
     * Reads the body whole, at most {@code quarkus.http.limits.max-body-size} bytes (Quarkus itself refuses
     * a larger {@code Content-Length} with 413 before any route; this catches a chunked body that grows
     * past it). Not Vert.x Web's {@code BodyHandler}: it decodes form and multipart bodies by their
     * {@code Content-Type}, and a malformed multipart boundary made it throw (a 500 the fuzz test found);
     * a webhook's body is JSON whatever its {@code Content-Type} says.
     */
    private void read(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        long declared = contentLength(request); // at most maxBodyBytes: Quarkus refused a larger one
        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            rc.response().writeContinue();
        }
        Buffer body = Buffer.buffer(declared > 0 ? (int) Math.min(declared, 1 << 20) : 4096);
        boolean[] refused = {false};
        request.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            if (body.length() + (long) chunk.length() > maxBodyBytes) {
                refused[0] = true;
                tooLarge(rc);
                return;
            }
            body.appendBuffer(chunk);
        });
        request.exceptionHandler(e -> LOG.debugf("webhook body not read: %s", e.toString()));
        request.endHandler(v -> {
            if (!refused[0]) {
                receive(rc, body.getBytes());
            }
        });
        request.resume();
    }

    private static long contentLength(HttpServerRequest request) {
        String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        try {
            return value == null ? -1 : Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void tooLarge(RoutingContext rc) {
        rc.response().putHeader(HttpHeaders.CONNECTION, "close");
        send(rc, problem(413, "Request Entity Too Large", "The request body is too large (at most " + maxBodyBytes
                + " bytes)."));
    }

    /** One delivery, on the event loop: answered when stored (or refused, or ignored). */
    void receive(RoutingContext rc, byte[] body) {
        String token = rc.request().getHeader("X-Gitlab-Token");
        String event = rc.request().getHeader("X-Gitlab-Event");
        String idempotencyKey = rc.request().getHeader("Idempotency-Key");
        String eventUuid = rc.request().getHeader("X-Gitlab-Event-UUID");
        Context context = Vertx.currentContext();
        pressure.enter();
        CompletionStage<Answer> answer;
        try {
            if (body.length >= PARSE_ON_WORKER_BYTES && secret.matches(token)) {
                answer = CompletableFuture.supplyAsync(() -> handleAsProblem(token, event, idempotencyKey, eventUuid, body),
                        Infrastructure.getDefaultWorkerPool()).thenCompose(r -> r);
            } else {
                answer = handleAsProblem(token, event, idempotencyKey, eventUuid, body);
            }
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e); // answered 500 problem below, like any unexpected failure
        }
        answer.whenComplete((a, failure) -> {
            pressure.exit();
            Answer out = failure == null ? a : unexpected(failure);
            if (context == null || Vertx.currentContext() == context) {
                send(rc, out);
            } else {
                context.runOnContext(v -> send(rc, out)); // completed on a writer or worker thread
            }
        });
    }

    /** {@link #handle}, with a refusal ({@link ProblemException}) turned into its problem answer. */
    private CompletionStage<Answer> handleAsProblem(String token, String event, String idempotencyKey, String eventUuid,
                                                      byte[] body) {
        try {
            return handle(token, event, idempotencyKey, eventUuid, body);
        } catch (ProblemException e) {
            return done(problem(e.problem()));
        }
    }

    private CompletionStage<Answer> handle(String token, String event, String idempotencyKey, String eventUuid, byte[] body) {
        if (!secret.matches(token)) {
            metrics.delivery("unauthorized");
            throw new ProblemException(401, "Unauthorized", "Missing or wrong X-Gitlab-Token.");
        }
        if (event == null || event.isBlank()) {
            metrics.delivery("malformed");
            throw new ProblemException(400, "Bad Request", "Missing X-Gitlab-Event header.");
        }
        if (PUSH_HOOK.equals(event)) {
            return done(push(body, eventUuid));
        }
        if (!WebhookParser.isHandled(event)) {
            return done(ignored("event '" + event + "' is not used by Countersign", false, eventUuid));
        }
        WebhookParser.Trigger trigger;
        try {
            trigger = parser.parse(event, body);
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

    private Answer stored(long id, WebhookParser.Trigger trigger) {
        if (id < 0) {
            metrics.delivery("duplicate");
            return new Answer(202, JSON, DUPLICATE, null);
        }
        metrics.delivery("queued");
        signal.deliveryQueued(trigger.closes());
        // {"status":"queued","delivery":<id>}, written out: no serializer lookup for the busiest answer
        return new Answer(202, JSON, "{\"status\":\"queued\",\"delivery\":" + id + "}", null);
    }

    private static final String DUPLICATE = "{\"status\":\"duplicate\"}";

    private Answer notStored(Throwable failure, WebhookParser.Trigger trigger, String eventUuid) {
        DeliveryWriter.NotStored e = DeliveryWriter.notStored(failure);
        metrics.delivery("unavailable");
        LOG.warnf("webhook %s about %d#%d answered 503, not stored: %s", named(eventUuid), trigger.projectId(),
                trigger.issueIid(), e.getMessage());
        return problem(503, "Service Unavailable", "The delivery could not be stored; it was not taken. "
                + "Send it again later.").header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
    }

    private static String named(String eventUuid) {
        return eventUuid == null ? "(no event UUID)" : eventUuid;
    }

    private static CompletionStage<Answer> done(Answer r) {
        return CompletableFuture.completedFuture(r);
    }

    /**
     * A push that touches {@code .countersign.yml} on the default branch of a watched project makes the
     * policy be re-read (in the background; every reconciliation pass re-reads it too). Any other push is
     * acknowledged and ignored: an authentic delivery never gets a 4xx.
     */
    private Answer push(byte[] body, String eventUuid) {
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
        return new Answer(202, JSON, write(Map.of("status", "accepted", "reason", PolicyFile.PATH + " is read again")), null);
    }

    /**
     * 200, not acted on. An unreadable delivery (an authentic event with fields Countersign cannot read:
     * perhaps GitLab changed its payloads, and only reconciliation catches those tickets now) is logged
     * as a warning and counted apart; the others are routine.
     */
    private Answer ignored(String reason, boolean unreadable, String eventUuid) {
        metrics.delivery(unreadable ? "unreadable" : "ignored");
        if (unreadable) {
            LOG.warnf("webhook %s ignored, its payload cannot be read: %s", named(eventUuid), reason);
        } else {
            LOG.debugf("webhook %s ignored: %s", named(eventUuid), reason);
        }
        return new Answer(200, JSON, write(Map.of("status", "ignored", "reason", reason)), null);
    }

    // ---------------------------------------------------------------- answers

    private static final String JSON = "application/json";

    /** What the route answers: status, media type, body, and at most one extra header. */
    record Answer(int status, String type, String body, Map.Entry<String, String> extra) {
        Answer header(String name, String value) {
            return new Answer(status, type, body, Map.entry(name, value));
        }
    }

    private Answer problem(Problem p) {
        return new Answer(p.status(), Problem.MEDIA_TYPE, write(p), null);
    }

    private Answer problem(int status, String title, String detail) {
        return problem(Problem.of(status, title, detail));
    }

    /** A failure nobody expected: logged with an id the answer repeats. */
    private Answer unexpected(Throwable failure) {
        return problem(ProblemMapper.logged(failure));
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
        }
    }

    private static void send(RoutingContext rc, Answer a) {
        HttpServerResponse response = rc.response();
        if (response.ended() || response.closed()) {
            return; // the sender went away; a stored delivery stays stored
        }
        response.setStatusCode(a.status()).putHeader(HttpHeaders.CONTENT_TYPE, a.type());
        if (a.extra() != null) {
            response.putHeader(a.extra().getKey(), a.extra().getValue());
        }
        response.end(a.body());
    }
}
