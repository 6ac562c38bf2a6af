package org.countersign.probes;

import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.countersign.config.CountersignConfig;
import org.countersign.config.Settings;
import org.countersign.policy.Wording;
import org.countersign.store.ProbeAlertQueue;
import org.countersign.store.ProbeStore;
import org.countersign.workflow.GitLabPort;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The alerts of a check going down (or failing again) and recovering: the ticket on the check's project
 * (opened, commented, or the recovery note), the signed outgoing webhook, the e-mail. Each is a queued
 * {@code probe_alert} row sent by {@link ProbeJobs}, idempotent on retry: the ticket carries a marker that a
 * retry looks for before creating another, notes carry theirs, and webhook receivers get the alert's id in
 * {@code X-Countersign-Delivery}.
 */
@ApplicationScoped
public class ProbeAlerts {

    public enum Event { DOWN, UP }

    /** The header with the HMAC-SHA256 of the body under COUNTERSIGN_PROBES_WEBHOOK_SECRET: {@code sha256=<hex>}. */
    public static final String SIGNATURE_HEADER = "X-Countersign-Signature";

    private final ProbeStore store;
    private final ProbeAlertQueue queue;
    private final ProbesSettings settings;
    private final Settings core;
    private final Optional<String> publicUrl;
    private final GitLabPort gitlab;
    private final ReactiveMailer mailer;
    private final Clock clock;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Duration MAIL_TIMEOUT = Duration.ofSeconds(30);
    /** Released whenever an alert is queued in this instance: the alert loop wakes at once. */
    private final Semaphore queued = new Semaphore(0);

    public ProbeAlerts(ProbeStore store, ProbeAlertQueue queue, ProbesSettings settings, Settings core, GitLabPort gitlab,
                       ReactiveMailer mailer, Clock clock, ObjectMapper json, CountersignConfig config) {
        this.publicUrl = config.publicUrl();
        this.store = store;
        this.queue = queue;
        this.settings = settings;
        this.core = core;
        this.gitlab = gitlab;
        this.mailer = mailer;
        this.clock = clock;
        this.json = json;
    }

    /** Queues the alerts of a transition on every channel configured, in the caller's transaction. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void queue(long checkId, long transitionId, Event event) {
        for (String ch : channels()) {
            queue.enqueue(checkId, transitionId, ch, event.name());
        }
        queued.release();
    }

    /** As {@link #queue} for many transitions at once (the sweep): one statement per channel. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void queueAll(long[] checkIds, long[] transitionIds, Event event) {
        if (checkIds.length == 0) {
            return;
        }
        for (String ch : channels()) {
            queue.enqueueAll(checkIds, transitionIds, ch, event.name());
        }
        queued.release();
    }

    private List<String> channels() {
        List<String> channels = new ArrayList<>(List.of("TICKET"));
        if (settings.webhookUrl().isPresent()) {
            channels.add("WEBHOOK");
        }
        if (!settings.mailTo().isEmpty()) {
            channels.add("EMAIL");
        }
        return channels;
    }

    /** Waits until an alert is queued in this instance, or {@code max} passed. */
    void awaitQueued(Duration max) throws InterruptedException {
        queued.tryAcquire(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Wakes the alert loop. */
    void wake() {
        queued.release();
    }

    /** Sends one claimed alert; returns the sentence recorded as its outcome (null = nothing to do: SKIPPED). */
    public String send(ProbeAlertQueue.Claimed a) throws Exception {
        Optional<StoredCheck> check = store.find(a.checkId());
        Optional<ProbeStore.StoredTransition> t = store.transition(a.transitionId());
        if (check.isEmpty() || t.isEmpty()) {
            return null; // the check was deleted meanwhile
        }
        Event event = Event.valueOf(a.event());
        return switch (a.channel()) {
            case "TICKET" -> ticket(a, check.get(), t.get(), event);
            case "WEBHOOK" -> webhook(a, check.get(), t.get(), event);
            case "EMAIL" -> email(check.get(), t.get(), event);
            default -> throw new IllegalStateException("unknown channel " + a.channel());
        };
    }

    private String ticket(ProbeAlertQueue.Claimed a, StoredCheck c, ProbeStore.StoredTransition t, Event event) {
        boolean retry = a.attempt() > 1;
        Optional<ProbeStore.OpenTicket> open = QuarkusTransaction.requiringNew().call(() -> store.openTicket(c.id()));
        if (open.isPresent()) {
            GitLabPort.IssueState state = gitlab.issueState(open.get().projectId(), open.get().iid());
            if (state.closed()) {
                // closed (with its sign-off: the gate reopens any other close): the next failure gets a new ticket
                ProbeStore.OpenTicket o = open.get();
                QuarkusTransaction.requiringNew().run(() -> store.ticketClosed(o.id(), clock.instant()));
                open = Optional.empty();
            }
        }
        String marker = ProbeWording.marker(a.id());
        if (event == Event.UP) {
            if (open.isEmpty()) {
                return null;
            }
            return note(open.get(), marker, retry, ProbeWording.recoveryNote(c, t, core.reviewLabel(), page(open.get()), marker),
                    "recovery note");
        }
        if (open.isPresent()) {
            return note(open.get(), marker, retry, ProbeWording.failureNote(c, t, store.lastRun(c.id(), t.at()), page(open.get()),
                    marker), "failure comment");
        }
        long projectId = gitlab.project(c.spec().project().orElse(core.projects().get(0))).id();
        String label = settings.config().probeLabel();
        Optional<Long> existing = retry ? gitlab.findOpenIssue(projectId, label, marker) : Optional.empty();
        long iid = existing.isPresent() ? existing.get() : gitlab.createIssue(projectId, ProbeWording.title(c),
                ProbeWording.description(c, t, store.lastRun(c.id(), t.at()), settings.pingUrlShape(), core.reviewLabel(), marker),
                List.of(label));
        Instant now = clock.instant();
        boolean recorded = QuarkusTransaction.requiringNew().call(() -> store.ticketOpened(c.id(), projectId, iid, now));
        return (existing.isPresent() ? "found the ticket opened by an earlier try: " : "opened ticket ") + projectId + "#" + iid
                + (recorded ? "" : " (another ticket was recorded open meanwhile)");
    }

    /** The ticket's page on Countersign (COUNTERSIGN_PUBLIC_URL), which every note links to, as the gate's do. */
    private Optional<String> page(ProbeStore.OpenTicket o) {
        return Wording.ticketPage(publicUrl, o.projectId(), o.iid());
    }

    private String note(ProbeStore.OpenTicket o, String marker, boolean retry, String body, String what) {
        if (retry && gitlab.hasNoteContaining(o.projectId(), o.iid(), marker)) {
            return what + " already on " + o.projectId() + "#" + o.iid();
        }
        gitlab.postNote(o.projectId(), o.iid(), body, false);
        return what + " on " + o.projectId() + "#" + o.iid();
    }

    private String webhook(ProbeAlertQueue.Claimed a, StoredCheck c, ProbeStore.StoredTransition t, Event event) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", event == Event.DOWN ? "check.down" : "check.up");
        body.put("id", a.id());
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("slug", c.spec().slug());
        check.put("name", c.spec().name());
        check.put("status", t.to());
        body.put("check", check);
        body.put("cause", Cause.valueOf(t.cause()).text());
        body.put("detail", t.detail());
        body.put("at", t.at().toString());
        byte[] bytes = json.writeValueAsBytes(body);
        String url = settings.webhookUrl().orElseThrow();
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("User-Agent", "Countersign")
                .header("X-Countersign-Event", (String) body.get("event"))
                .header("X-Countersign-Delivery", String.valueOf(a.id()))
                .header(SIGNATURE_HEADER, "sha256=" + hmacSha256(settings.config().probes().webhook().secret().orElseThrow(), bytes))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
        HttpResponse<Void> res = http.send(req, HttpResponse.BodyHandlers.discarding());
        if (res.statusCode() / 100 != 2) {
            throw new IllegalStateException("webhook " + url + " answered " + res.statusCode());
        }
        return "webhook delivered (" + res.statusCode() + ")";
    }

    private String email(StoredCheck c, ProbeStore.StoredTransition t, Event event) {
        List<String> to = settings.mailTo();
        // bounded: an SMTP server that hangs makes this a retry, not a stuck alert loop
        mailer.send(Mail.withText(to.get(0), ProbeWording.mailSubject(c, event), ProbeWording.mailBody(c, t, event))
                .setTo(to)).await().atMost(MAIL_TIMEOUT);
        return "e-mail sent to " + String.join(", ", to);
    }

    /** Hex HMAC-SHA256 of {@code body} under {@code secret}. */
    public static String hmacSha256(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
