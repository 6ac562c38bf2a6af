package org.countersign.gitlab.sim;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiPredicate;

/**
 * A stateful, in-memory GitLab for tests: a real HTTP server answering the GitLab REST API subset that
 * Countersign uses (under {@code baseUrl() + "/api/v4"}, for GitLab4J) and sending GitLab-shaped
 * webhooks back. Tests act "as a user in the UI" through the action methods, which record the same
 * resource events GitLab records and fire the same webhooks.
 *
 * <p>Contracts: all methods are thread-safe. Every timestamp comes from {@link #setClock(Clock)} (default
 * system UTC, truncated to millis). Action methods throw {@link java.util.NoSuchElementException} for an
 * unknown project or issue. A user {@code root} (id 1, admin) exists from the start; it is the
 * {@code created_by} of memberships. Webhooks are delivered asynchronously in order; use
 * {@link #awaitWebhooksSent()} before asserting on deliveries.
 *
 * <p>Usage: {@code try (GitLabSimulator sim = GitLabSimulator.start()) { ... new GitLabApi(sim.baseUrl(),
 * user.token()) ... }}
 */
public final class GitLabSimulator implements AutoCloseable {

    static {
        // The JDK HttpServer writes headers and body separately; without TCP_NODELAY, Nagle's algorithm
        // meets the client's delayed ACK and every API answer waits ~40 ms, which real GitLab does not.
        // (Read once per JVM, when the first HttpServer starts; the Maven build also sets it.)
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    public static final int GUEST = 10;
    public static final int PLANNER = 15;
    public static final int REPORTER = 20;
    public static final int DEVELOPER = 30;
    public static final int MAINTAINER = 40;
    public static final int OWNER = 50;

    private final HttpServer server;
    private final ExecutorService executor;
    private final String baseUrl;
    private final SimState state = new SimState();
    private final SimJson json;
    private final SimHttpApi api;
    private final WebhookSender webhooks;
    private final SimUser root;
    /** Makes "change state + enqueue its webhook" atomic so deliveries follow the order of changes. */
    private final Object mutationLock = new Object();

    private GitLabSimulator(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
        json = new SimJson(baseUrl, state);
        webhooks = new WebhookSender(state, baseUrl);
        api = new SimHttpApi(state, json, baseUrl, new SimHttpApi.Mutations() {
            @Override
            public IssueChange updateIssue(SimUser actor, long projectId, long iid, IssueUpdate update) {
                return applyUpdate(actor, projectId, iid, update);
            }

            @Override
            public NoteCreated addNote(SimUser actor, long projectId, long iid, String body, boolean internal) {
                return applyNote(actor, projectId, iid, body, internal, false);
            }
        });
        server.createContext("/", api);
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "gitlab-sim-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        root = state.addUser("root", "Administrator", true);
    }

    /** Starts a simulator on a random loopback port. */
    public static GitLabSimulator start() {
        return start(0);
    }

    /** Starts a simulator on the given loopback port (0: any free port). */
    public static GitLabSimulator start(int port) {
        try {
            return new GitLabSimulator(port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** E.g. {@code http://127.0.0.1:41234}; pass it to {@code new GitLabApi(baseUrl, token)}. */
    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public void close() {
        webhooks.close();
        server.stop(0);
        executor.shutdownNow();
    }

    // ================================================================ time

    /** Clock for every timestamp from now on (tests may backdate history by setting a fixed clock). */
    public void setClock(Clock clock) {
        state.setClock(clock);
    }

    public Clock clock() {
        return state.clock();
    }

    // ================================================================ setup

    /** The built-in administrator (id 1, username {@code root}). */
    public SimUser root() {
        return root;
    }

    /** Creates a user with a fresh personal access token ({@link SimUser#token()}). */
    public SimUser addUser(String username, String name) {
        return state.addUser(username, name, false);
    }

    /** Creates a project; its name is the last path segment. */
    public SimProject createProject(String pathWithNamespace) {
        String name = pathWithNamespace.substring(pathWithNamespace.lastIndexOf('/') + 1);
        return state.createProject(pathWithNamespace, name);
    }

    /** Returns the project label {@code name}, creating it with {@code color} (e.g. {@code #FF0000}) if missing. */
    public SimLabel createLabel(SimProject project, String name, String color) {
        return state.ensureLabel(project.id(), name, color, null);
    }

    /** Adds (or replaces) a membership; {@code accessLevel} one of the constants of this class. */
    public SimMember addMember(SimProject project, SimUser user, int accessLevel) {
        return state.addMember(project.id(), user, accessLevel, root);
    }

    public boolean removeMember(SimProject project, SimUser user) {
        return state.removeMember(project.id(), user.id());
    }

    /** Creates a board whose lists are bound to the given labels (created if missing), in order. */
    public SimBoard createBoard(SimProject project, String name, String... listLabels) {
        return state.createBoard(project.id(), name, Arrays.asList(listLabels));
    }

    /** Adds a project hook subscribed to issue, confidential issue, note and confidential note events. */
    public SimWebhook addWebhook(SimProject project, String url, String secretToken) {
        return state.addHook(project.id(), url, secretToken);
    }

    /** Changes the URL of a hook; queued deliveries go to the new URL. */
    public SimWebhook setWebhookUrl(SimWebhook hook, String url) {
        return state.setHookUrl(hook.id(), url);
    }

    /** Chooses the hook's triggers (Issues, Confidential issues, Comments, Confidential comments). */
    public SimWebhook setWebhookTriggers(SimWebhook hook, boolean issues, boolean confidentialIssues, boolean notes,
            boolean confidentialNotes) {
        return state.setHookTriggers(hook.id(), issues, confidentialIssues, notes, confidentialNotes);
    }

    /** Current state of a hook (alert status, failures, disabled_until). */
    public SimWebhook webhook(SimWebhook hook) {
        return state.hook(hook.id());
    }

    /** Clears a hook's failures and {@code disabled_until} (like a successful test delivery). */
    public SimWebhook enableWebhook(SimWebhook hook) {
        return state.enableHook(hook.id());
    }

    // ================================================================ UI actions (fire webhooks)

    /** Creates an opened, non-confidential issue without labels; Issue Hook {@code open}. */
    public SimIssue createIssue(SimUser actor, SimProject project, String title, SimUser... assignees) {
        return createIssue(actor, project, title, false, List.of(), assignees);
    }

    /**
     * Creates an issue with an empty description (confidential issues fire {@code Confidential Issue
     * Hook}); labels are created if missing and recorded as label {@code add} events; Issue Hook action {@code open}.
     */
    public SimIssue createIssue(SimUser actor, SimProject project, String title, boolean confidential,
            List<String> labels, SimUser... assignees) {
        synchronized (mutationLock) {
            IssueChange c = state.createIssue(actor, project.id(), title, "", confidential, labels,
                    Arrays.stream(assignees).map(SimUser::id).toList());
            publish(c);
            return c.after();
        }
    }

    /**
     * Drags the card from list {@code fromLabelOrNull} (null = Open list) to list {@code toLabel}: one
     * update, label events sharing one timestamp, one Issue Hook {@code update} with {@code changes.labels}.
     */
    public SimIssue moveToList(SimUser actor, SimProject project, long iid, String fromLabelOrNull, String toLabel) {
        return update(actor, project, iid, IssueUpdate.labels(List.of(toLabel),
                fromLabelOrNull == null ? List.of() : List.of(fromLabelOrNull)));
    }

    public SimIssue addLabels(SimUser actor, SimProject project, long iid, String... labels) {
        return update(actor, project, iid, IssueUpdate.labels(List.of(labels), List.of()));
    }

    public SimIssue removeLabels(SimUser actor, SimProject project, long iid, String... labels) {
        return update(actor, project, iid, IssueUpdate.labels(List.of(), List.of(labels)));
    }

    /** Sets the assignees (one update, Issue Hook {@code update} with {@code changes.assignees}). */
    public SimIssue setAssignees(SimUser actor, SimProject project, long iid, SimUser... assignees) {
        return update(actor, project, iid, new IssueUpdate(null, null, null, null,
                Arrays.stream(assignees).map(SimUser::id).toList(), false));
    }

    /** "Close issue" button: labels untouched; state event {@code closed}; Issue Hook {@code close}. */
    public SimIssue close(SimUser actor, SimProject project, long iid) {
        return update(actor, project, iid, IssueUpdate.state("close"));
    }

    /**
     * Drag into the board's Closed list: closes AND removes every board-list label of every board of the
     * project in the same update (one timestamp), one Issue Hook {@code close} with {@code labels},
     * {@code state_id} and {@code closed_at} changes.
     */
    public SimIssue dragToClosed(SimUser actor, SimProject project, long iid) {
        return update(actor, project, iid, IssueUpdate.dragToClosed());
    }

    /** Reopens: state event {@code reopened}; Issue Hook {@code reopen}. */
    public SimIssue reopen(SimUser actor, SimProject project, long iid) {
        return update(actor, project, iid, IssueUpdate.state("reopen"));
    }

    /** A comment; Note Hook (Confidential Note Hook when the issue is confidential). */
    public SimNote comment(SimUser actor, SimProject project, long iid, String body) {
        return note(actor, project, iid, body, false);
    }

    /** An internal note; Confidential Note Hook. */
    public SimNote internalComment(SimUser actor, SimProject project, long iid, String body) {
        return note(actor, project, iid, body, true);
    }

    /** Records a system note ({@code system: true}); fires no webhook, as GitLab. */
    public SimNote systemNote(SimUser actor, SimProject project, long iid, String body) {
        return applyNote(actor, project.id(), iid, body, false, true).note();
    }

    // ================================================================ inspection

    public SimIssue issue(SimProject project, long iid) {
        return state.issue(project.id(), iid).orElseThrow(() -> new java.util.NoSuchElementException(
                "no issue #" + iid));
    }

    public List<SimIssue> issues(SimProject project) {
        return state.issues(project.id());
    }

    /** Notes of an issue, oldest first (system notes included). */
    public List<SimNote> notes(SimProject project, long iid) {
        return state.notes(project.id(), iid);
    }

    public List<SimLabelEvent> labelEvents(SimProject project, long iid) {
        return state.labelEvents(project.id(), iid);
    }

    public List<SimStateEvent> stateEvents(SimProject project, long iid) {
        return state.stateEvents(project.id(), iid);
    }

    public List<SimLabel> labels(SimProject project) {
        return state.labels(project.id());
    }

    /** Every delivery ever recorded, in order; {@code get(i).id() == i}. */
    public List<WebhookDelivery> webhookDeliveries() {
        return webhooks.deliveries();
    }

    // ================================================================ webhook control

    /** Holds deliveries in the queue until {@link #resumeWebhooks()}. */
    public void pauseWebhooks() {
        webhooks.pause();
    }

    public void resumeWebhooks() {
        webhooks.resume();
    }

    /** While true, new deliveries are recorded as {@code DROPPED} and never sent (lost webhooks). */
    public void dropWebhooks(boolean drop) {
        webhooks.drop(drop);
    }

    /** Manual resend: same body and {@code Idempotency-Key}, new {@code X-Gitlab-Webhook-UUID}. */
    public WebhookDelivery redeliver(long deliveryId) {
        return webhooks.redeliver(deliveryId);
    }

    /** Blocks (max 30 s) until every queued delivery is sent; throws if paused with a non-empty queue. */
    public void awaitWebhooksSent() {
        try {
            webhooks.awaitSent(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Receiver timeout per delivery (default 10 s, GitLab's); shorten it to test timeouts quickly. */
    public void setWebhookTimeout(Duration timeout) {
        webhooks.setTimeout(timeout);
    }

    // ================================================================ API control

    /** The next {@code n} API requests answer {@code status} (429 adds {@code Retry-After: 1}). */
    public void failNext(int n, int status) {
        api.failNext(n, status, (method, template) -> true);
    }

    /**
     * Like {@link #failNext(int, int)} for requests matching {@code method} and {@code pathTemplate}
     * (either may be null = any), e.g. {@code failNext(2, 500, "PUT", "/projects/:id/issues/:iid")}.
     */
    public void failNext(int n, int status, String method, String pathTemplate) {
        api.failNext(n, status, (m, t) -> (method == null || method.equalsIgnoreCase(m))
                && (pathTemplate == null || pathTemplate.equals(t)));
    }

    /**
     * Like {@link #failNext(int, int)} for requests where {@code appliesTo.test(method, pathTemplate)};
     * unmatched paths have the template {@code (unmatched)}.
     */
    public void failNext(int n, int status, BiPredicate<String, String> appliesTo) {
        api.failNext(n, status, appliesTo);
    }

    /**
     * The next {@code n} requests matching {@code method} and {@code pathTemplate} (null = any) answer 429
     * with neither {@code Retry-After} nor {@code RateLimit-*} headers, as GitLab's per-endpoint application
     * limits do (e.g. notes creation: {@code API::Helpers::RateLimiter#check_rate_limit!},
     * lib/api/helpers/rate_limiter.rb), unlike its Rack::Attack throttles.
     */
    public void throttleNextWithoutHeaders(int n, String method, String pathTemplate) {
        api.failNext(n, 429, false, (m, t) -> (method == null || method.equalsIgnoreCase(m))
                && (pathTemplate == null || pathTemplate.equals(t)));
    }

    public void clearFaults() {
        api.clearFaults();
    }

    /** Artificial delay before every API response (null or zero = none). */
    public void setLatency(Duration latency) {
        api.setLatency(latency);
    }

    /** Requests so far for e.g. {@code ("GET", "/projects/:id/issues")}. */
    public long requestCount(String method, String pathTemplate) {
        return api.count(method, pathTemplate);
    }

    /** All counters keyed {@code "METHOD /template"}, e.g. {@code "GET /projects/:id/issues/:iid/notes"}. */
    public Map<String, Long> requestCounts() {
        return api.counts();
    }

    public long totalRequests() {
        return api.total();
    }

    public void resetRequestCounts() {
        api.resetCounts();
    }

    // ================================================================ internals

    private SimIssue update(SimUser actor, SimProject project, long iid, IssueUpdate update) {
        IssueChange c = applyUpdate(actor, project.id(), iid, update);
        return c == null ? issue(project, iid) : c.after();
    }

    private SimNote note(SimUser actor, SimProject project, long iid, String body, boolean internal) {
        return applyNote(actor, project.id(), iid, body, internal, false).note();
    }

    private IssueChange applyUpdate(SimUser actor, long projectId, long iid, IssueUpdate update) {
        synchronized (mutationLock) {
            IssueChange c = state.updateIssue(actor, projectId, iid, update);
            if (c != null) {
                publish(c);
            }
            return c;
        }
    }

    private NoteCreated applyNote(SimUser actor, long projectId, long iid, String body, boolean internal,
            boolean system) {
        synchronized (mutationLock) {
            NoteCreated created = state.addNote(actor, projectId, iid, body, internal, system);
            publish(created);
            return created;
        }
    }

    private void publish(IssueChange c) {
        String event = c.after().confidential() ? WebhookSender.CONFIDENTIAL_ISSUE_HOOK : WebhookSender.ISSUE_HOOK;
        webhooks.enqueue(c.project().id(), event, SimJson.toJson(json.issueHook(c)));
    }

    private void publish(NoteCreated c) {
        if (c.note().system()) {
            return; // GitLab never fires Note Hooks for system notes.
        }
        boolean confidential = c.note().internal() || c.issue().confidential();
        String event = confidential ? WebhookSender.CONFIDENTIAL_NOTE_HOOK : WebhookSender.NOTE_HOOK;
        webhooks.enqueue(c.project().id(), event, SimJson.toJson(json.noteHook(c)));
    }
}
