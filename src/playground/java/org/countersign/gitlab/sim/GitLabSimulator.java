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
import java.util.function.LongSupplier;
import java.util.function.Predicate;

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
    private final SimOidcProvider oidc;
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

            @Override
            public SimIssue moveIssue(SimUser actor, long projectId, long iid, long targetProjectId) {
                return applyMove(actor, projectId, iid, targetProjectId);
            }

            @Override
            public SimIssue createIssue(SimUser actor, long projectId, String title, String description, boolean confidential,
                    List<String> labels, List<Long> assigneeIds) {
                synchronized (mutationLock) {
                    IssueChange c = state.createIssue(actor, projectId, title, description, confidential, labels, assigneeIds);
                    publish(c);
                    return c.after();
                }
            }

            @Override
            public void deleteIssue(SimUser actor, long projectId, long iid) {
                state.deleteIssue(projectId, iid);
            }
        });
        api.setNoteMutations(new PartBMutations());
        server.createContext("/", api);
        oidc = new SimOidcProvider(state, baseUrl);
        for (String path : SimOidcProvider.PATHS) {
            server.createContext(path, oidc);
        }
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

    /**
     * Registers an OAuth application with the {@code openid profile} scopes, as an administrator does in
     * GitLab's Admin area (trusted: no consent screen), for log in with GitLab (see {@link SimOidcProvider}).
     */
    public SimOidcProvider.Application registerOAuthApplication(String name, String redirectUri) {
        return oidc.register(name, redirectUri);
    }

    /** The same, with the given Application ID and secret; {@code redirectUris}: one per line, as in GitLab. */
    public SimOidcProvider.Application registerOAuthApplication(String name, String clientId, String secret,
                                                                String redirectUris) {
        return oidc.register(name, clientId, secret, redirectUris);
    }

    /** The OpenID Connect provider (sign-in sessions, issued codes and tokens). */
    public SimOidcProvider oidc() {
        return oidc;
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

    /** Creates a user whose personal access token is {@code token} (a playground's fixed configuration). */
    public SimUser addUser(String username, String name, String token) {
        return state.addUser(username, name, false, token);
    }

    /** Creates a project; its name is the last path segment. */
    public SimProject createProject(String pathWithNamespace) {
        String name = pathWithNamespace.substring(pathWithNamespace.lastIndexOf('/') + 1);
        return state.createProject(pathWithNamespace, name);
    }

    /** A push to a project's default branch: the commit, and the Push Hook body GitLab sends for it. */
    public record SimPush(String commitId, String hookBody) {
    }

    /** {@code user} commits {@code content} to {@code path} on the default branch ({@code main}). */
    public SimPush commitFile(SimUser user, SimProject project, String path, String content) {
        return push(user, project, state.repository.commit(project.id(), path, content, "Update " + path));
    }

    /** {@code user} deletes {@code path} from the default branch. */
    public SimPush deleteFile(SimUser user, SimProject project, String path) {
        return push(user, project, state.repository.commit(project.id(), path, null, "Delete " + path));
    }

    /**
     * The Push Hook of one commit, in the shape GitLab documents for push events
     * (https://docs.gitlab.com/user/project/integrations/webhook_events/#push-events; built by
     * {@code Gitlab::DataBuilder::Push} in gitlabhq). Not sent by the simulator's hooks (they model
     * issue and note events only): a test posts it to the service as GitLab would.
     */
    private SimPush push(SimUser user, SimProject project, SimRepository.Commit c) {
        var m = SimJson.MAPPER;
        var n = m.createObjectNode();
        n.put("object_kind", "push").put("event_name", "push").put("before", "0000000000000000000000000000000000000000")
                .put("after", c.id()).put("ref", "refs/heads/" + SimRepository.DEFAULT_BRANCH).put("ref_protected", true)
                .put("checkout_sha", c.id()).putNull("message").put("user_id", user.id()).put("user_name", user.name())
                .put("user_username", user.username()).put("user_email", "").putNull("user_avatar")
                .put("project_id", project.id());
        var pr = n.putObject("project");
        pr.put("id", project.id()).put("name", project.pathWithNamespace().substring(project.pathWithNamespace().lastIndexOf('/') + 1))
                .put("description", "").put("web_url", baseUrl() + "/" + project.pathWithNamespace()).putNull("avatar_url")
                .put("path_with_namespace", project.pathWithNamespace()).put("default_branch", SimRepository.DEFAULT_BRANCH)
                .put("visibility_level", 0);
        var commits = n.putArray("commits");
        var cn = commits.addObject();
        cn.put("id", c.id()).put("message", c.message()).put("title", c.message()).put("timestamp", state.now().toString())
                .put("url", baseUrl() + "/" + project.pathWithNamespace() + "/-/commit/" + c.id());
        cn.putObject("author").put("name", user.name()).put("email", user.username() + "@example.org");
        c.added().forEach(cn.putArray("added")::add);
        c.modified().forEach(cn.putArray("modified")::add);
        c.removed().forEach(cn.putArray("removed")::add);
        n.put("total_commits_count", 1);
        n.putObject("repository").put("name", pr.get("name").asText()).put("homepage", pr.get("web_url").asText());
        return new SimPush(c.id(), SimJson.toJson(n));
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

    /** The project's hooks as they are now. */
    public List<SimWebhook> webhooks(SimProject project) {
        return state.hooks(project.id());
    }

    /** The project's boards with their lists. */
    public List<SimBoard> boards(SimProject project) {
        return state.boards(project.id());
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
        api.rateLimits().clear();
    }

    /** Artificial delay before every API response (null or zero = none). */
    public void setLatency(Duration latency) {
        api.setLatency(latency);
    }

    /** Requests so far for e.g. {@code ("GET", "/projects/:id/issues")}. */
    public long requestCount(String method, String pathTemplate) {
        return api.count(method, pathTemplate);
    }

    /**
     * A counter of the requests for {@code method} {@code pathTemplate} made from now on whose raw query
     * string ("" when absent) passes {@code query}: tells one reader's calls from another's on the same
     * endpoint, e.g. counting requests ({@code per_page=1}) apart from reconciliation's listing.
     */
    public LongSupplier watchRequests(String method, String pathTemplate,
            Predicate<String> query) {
        return api.watch(method, pathTemplate, query);
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

    /**
     * Runs {@code action} once, just before the next request for {@code method} {@code pathTemplate} whose
     * query string contains {@code queryPart} (null = any) is answered: someone changing the issue while a
     * reader walks its pages.
     */
    public void beforeNext(String method, String pathTemplate, String queryPart, Runnable action) {
        api.beforeNext(method, pathTemplate, queryPart, action);
    }

    // ================================================================ part A: work items, locks, moves, deletes

    /**
     * Creates a work item of {@code type} ({@code issue}, {@code incident}, {@code task}, {@code test_case},
     * {@code requirement}, ...) as the work item UI does: REST shows {@code issue_type} and {@code type}
     * (upcased); its Issue Hooks, and those of later UI actions on it, say {@code object_kind: work_item} unless
     * the type is {@code issue} (see {@link SimWorkItems#objectKind}). Changes through the REST API still say
     * {@code issue}.
     */
    public SimIssue createWorkItem(SimUser actor, SimProject project, String title, String type,
            SimUser... assignees) {
        return createWorkItem(actor, project, title, type, false, List.of(), assignees);
    }

    public SimIssue createWorkItem(SimUser actor, SimProject project, String title, String type, boolean confidential,
            List<String> labels, SimUser... assignees) {
        synchronized (mutationLock) {
            IssueChange c = state.createWorkItem(actor, project.id(), title, type, confidential, labels,
                    Arrays.stream(assignees).map(SimUser::id).toList());
            publish(c, true);
            return c.after();
        }
    }

    /**
     * "Lock discussion": {@code discussion_locked: true}, system note {@code locked this issue}, Issue Hook
     * {@code update} with {@code changes.discussion_locked}. While locked nobody can reopen the issue (the
     * reopen is silently ignored) and non-members cannot comment.
     */
    public SimIssue lockDiscussion(SimUser actor, SimProject project, long iid) {
        return update(actor, project, iid, IssueUpdate.lock(true));
    }

    public SimIssue unlockDiscussion(SimUser actor, SimProject project, long iid) {
        return update(actor, project, iid, IssueUpdate.lock(false));
    }

    /**
     * "Move issue" to {@code target} (see {@link SimState#moveIssue}): returns the new issue in {@code target}.
     * Hooks: the original's {@code close} (source project), then the copy's {@code open} (target project).
     */
    public SimIssue moveIssue(SimUser actor, SimProject project, long iid, SimProject target) {
        return applyMove(actor, project.id(), iid, target.id());
    }

    /** "Delete issue": afterwards the issue and its notes and events answer 404; no webhook. */
    public void deleteIssue(SimUser actor, SimProject project, long iid) {
        state.deleteIssue(project.id(), iid);
    }

    /**
     * When true, an update that changes the state and something else (e.g. {@code PUT state_event=reopen
     * &add_labels=To validate}, or a drag into the Closed list) sends two Issue Hooks as GitLab does: first
     * {@code close}/{@code reopen} with only the state changes ({@code Issues::CloseService}/{@code ReopenService}
     * fire their own hook, called from {@code IssuableBaseService#update} via {@code change_state} before the
     * other attributes are saved), then {@code update} with the rest. Default false: one hook with everything.
     */
    public void setSplitStateChangeHooks(boolean split) {
        this.splitStateHooks = split;
    }

    // ================================================================ part A: permissions and tokens

    /**
     * Turns GitLab's permission checks on for the REST API (default off: any known token may do anything): see
     * {@link SimAuthz}. A project the user cannot see answers 404, a missing permission 403
     * {@code {"message":"403 Forbidden"}}, label/assignee/lock parameters of a user without
     * {@code admin_issue} (Guest) are dropped silently.
     */
    public void setEnforceAuthorization(boolean enforce) {
        api.authz().setEnforce(enforce);
    }

    /** {@code private} (default), {@code internal} or {@code public}; matters when authorization is enforced. */
    public void setProjectVisibility(SimProject project, String visibility) {
        api.authz().setVisibility(project.id(), visibility);
    }

    /** Changes (or grants) a membership's access level; one of this class's level constants. */
    public SimMember setAccessLevel(SimProject project, SimUser user, int accessLevel) {
        return state.addMember(project.id(), user, accessLevel, root);
    }

    /**
     * Revokes the user's personal access token: every request with it answers 401
     * {@code {"error":"invalid_token","error_description":"Token was revoked. You have to re-authorize from the
     * user."}} with a {@code WWW-Authenticate} header (lib/api/api_guard.rb), unlike an unknown token's
     * {@code {"message":"401 Unauthorized"}}.
     */
    public void revokeToken(SimUser user) {
        state.revokeToken(user.token());
    }

    /**
     * Blocks the user: {@code state: blocked} in user entities; the user's token answers 403
     * {@code {"message":"403 Forbidden - Your account has been blocked."}}.
     */
    public void blockUser(SimUser user) {
        state.setBlocked(user.id(), true);
    }

    public void unblockUser(SimUser user) {
        state.setBlocked(user.id(), false);
    }

    // ================================================================ part A: rate limits and error bodies

    /**
     * The next {@code n} requests matching {@code method}/{@code pathTemplate} (null = any) answer 429 in the
     * given {@link SimThrottle} style (headers computed from the simulated clock).
     */
    public void failNextThrottled(int n, SimThrottle style, String method, String pathTemplate) {
        api.rateLimits().throttleNext(n, style, (m, t) -> (method == null || method.equalsIgnoreCase(m))
                && (pathTemplate == null || pathTemplate.equals(t)));
    }

    /**
     * A real {@code notes_create} limit ({@code POST .../notes}): per user, {@code perMinute} notes in each
     * one-minute window of the simulated clock, then 429 {@link SimThrottle#APPLICATION} (GitLab.com: 60).
     * 0 removes the limit.
     */
    public void limitNoteCreation(int perMinute) {
        limitNoteCreation(perMinute, SimThrottle.APPLICATION);
    }

    public void limitNoteCreation(int perMinute, SimThrottle style) {
        api.rateLimits().limitNoteCreation(perMinute, style);
    }

    /** Like {@link #failNext(int, int, String, String)} answering {@code jsonBody} (e.g. {@link #RESOURCE_LOCK}). */
    public void failNext(int n, int status, String method, String pathTemplate, String jsonBody) {
        com.fasterxml.jackson.databind.JsonNode body;
        try {
            body = SimJson.MAPPER.readTree(jsonBody);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + jsonBody, e);
        }
        api.failNext(n, status, (m, t) -> (method == null || method.equalsIgnoreCase(m))
                && (pathTemplate == null || pathTemplate.equals(t)), body);
    }

    /**
     * 409 body for {@code ActiveRecord::StaleObjectError} (two writers updating one issue at once, lib/api/api.rb
     * {@code rescue_from}): {@code failNext(1, 409, "PUT", "/projects/:id/issues/:iid", RESOURCE_LOCK)}.
     */
    public static final String RESOURCE_LOCK = "{\"message\":\"409 Conflict: Resource lock\"}";
    /** {@code unprocessable_entity!} (lib/api/helpers.rb) default body. */
    public static final String UNPROCESSABLE = "{\"message\":\"422 Unprocessable Entity\"}";

    private volatile boolean splitStateHooks;

    private SimIssue applyMove(SimUser actor, long projectId, long iid, long targetProjectId) {
        synchronized (mutationLock) {
            SimState.MoveResult r = state.moveIssue(actor, projectId, iid, targetProjectId);
            if (r.closeOfOriginal() != null) {
                publish(r.closeOfOriginal(), false); // the API and the UI hand the service an Issue object
            }
            publish(r.openOfCopy(), true); // WorkItems::DataSync::BaseCreateService creates a WorkItem
            return r.copy();
        }
    }

    /** One hook, or GitLab's two when {@link #setSplitStateChangeHooks} is on and more than the state changed. */
    private void publishUpdate(IssueChange c, boolean workItemClass) {
        SimIssue b = c.before();
        SimIssue a = c.after();
        boolean stateChanged = b != null && b.stateId() != a.stateId();
        boolean more = b != null && (!b.labels().equals(a.labels()) || !b.assigneeIds().equals(a.assigneeIds())
                || b.discussionLocked() != a.discussionLocked());
        if (!splitStateHooks || !stateChanged || !more) {
            publish(c, workItemClass);
            return;
        }
        SimIssue mid = SimWorkItems.stateOnly(b, a);
        publish(new IssueChange(c.project(), c.actor(), b, mid, c.action(), c.at()), workItemClass);
        publish(new IssueChange(c.project(), c.actor(), mid, a, "update", c.at()), workItemClass);
    }

    // ================================================================ part B: notes, reactions, bots, labels
    //
    // What GitLab does (gitlabhq/gitlabhq, read for this simulator):
    // - Who may edit/delete a comment (admin_note): its author, Maintainers/Owners (ProjectPolicy), admins; nobody
    //   for system notes (NotePolicy ~editable); internal notes need read_internal_note (Planner/Reporter+).
    // - An edit (Notes::UpdateService) changes the note's updated_at (not created_at) and updated_by_id; the REST
    //   entity (lib/api/entities/note.rb) shows neither last_edited_at nor who edited. The Note Hook has
    //   action "update" and, surprisingly, user = the note's author (DataBuilder::Note.build(note, note.author,
    //   :update)); the editor is only object_attributes.updated_by_id.
    // - What moves a note's updated_at: editing its body; an emoji reaction added or removed (AwardEmoji
    //   after_save/after_destroy -> Note#bump_updated_at, unthrottled); resolving/unresolving a thread note
    //   (ResolvableNote#resolve! saves; only DiscussionNote/DiffNote, not plain comments). Not: internal toggling
    //   (forbidden on existing notes), replies, label or state changes. Note's own ThrottledTouch only matters for
    //   Note#touch, which no association of an issue comment triggers.
    // - What moves the issue's updated_at: any note save (after_save :touch_noteable -> Issue#touch, throttled to
    //   once a minute by ThrottledTouch); not a note deletion, not a reaction on a note.
    // - POST notes created_at is honoured for Owners/admins only (set_note_created_at), updated_at = created_at.

    /**
     * Edits a comment's body as {@code actor} (UI or API edit): Note Hook / Confidential Note Hook with
     * {@code action: update} when the body changed.
     *
     * @throws SimForbiddenException if {@code actor} may not {@code admin_note} it (see class notes above)
     */
    public SimNote editNote(SimUser actor, SimProject project, long iid, long noteId, String body) {
        return applyEdit(actor, project.id(), iid, noteId, body).after();
    }

    /** Deletes a note (no webhook; the issue's {@code updated_at} does not move). */
    public SimNote deleteNote(SimUser actor, SimProject project, long iid, long noteId) {
        synchronized (mutationLock) {
            return state.deleteNote(actor, project.id(), iid, noteId);
        }
    }

    /** Current state of a note. */
    public SimNote note(SimProject project, long iid, long noteId) {
        return state.note(project.id(), iid, noteId).orElseThrow(() -> new java.util.NoSuchElementException(
                "no note " + noteId));
    }

    /** Who last changed the note's body ({@code updated_by_id}), null if never edited; the REST API hides it. */
    public SimUser noteEditor(SimNote note) {
        return state.noteUpdatedBy(note.id());
    }

    /** Adds an emoji reaction to a note: bumps the note's {@code updated_at} (not the issue's); no webhook. */
    public SimAward awardEmoji(SimUser actor, SimProject project, long iid, long noteId, String name) {
        return state.awardNoteEmoji(actor, project.id(), iid, noteId, name);
    }

    /** Removes a reaction (its author or an admin only): bumps the note's {@code updated_at} again. */
    public SimAward removeEmoji(SimUser actor, SimProject project, long iid, long noteId, long awardId) {
        return state.removeNoteEmoji(actor, project.id(), iid, noteId, awardId);
    }

    public List<SimAward> awards(SimNote note) {
        return state.noteAwards(note.id());
    }

    /**
     * A project access token's bot user (ResourceAccessTokens::CreateService): username
     * {@code project_<project id>_bot_<32 hex>}, name {@code "<Project name> bot"}, e-mail
     * {@code <username>@noreply.<host>}, {@code bot: true}, a member of the project with {@code accessLevel}
     * (GitLab's default is Maintainer), able to use the API with {@link SimUser#token()}.
     */
    public SimUser addProjectBot(SimProject project, int accessLevel) {
        return addProjectBot(project, humanize(project.name()) + " bot", accessLevel);
    }

    /** Like {@link #addProjectBot(SimProject, int)} with the token's name as the bot's name. */
    public SimUser addProjectBot(SimProject project, String name, int accessLevel) {
        return addAccessTokenBot(project, "project_" + project.id(), name, accessLevel);
    }

    /**
     * A group access token's bot ({@code user_type} also {@code project_bot}): username
     * {@code group_<group id>_bot_<32 hex>}. The simulator has no groups: the group is the project's namespace
     * (id as rendered in the project JSON) and the bot gets the level as an (inherited) member of the project.
     */
    public SimUser addGroupBot(SimProject project, int accessLevel) {
        return addAccessTokenBot(project, "group_" + namespaceId(project),
                humanize(project.namespacePath().isEmpty() ? project.name() : project.namespacePath()) + " bot",
                accessLevel);
    }

    /**
     * An instance service account (doc/api/service_accounts.md): default username {@code service_account_<32 hex>},
     * name {@code Service account user}, {@code bot: true}; not a member of anything until added.
     */
    public SimUser addServiceAccount() {
        return addServiceAccount("service_account_" + hex32());
    }

    /** A service account with a chosen username (GitLab 16.10+): the username then says nothing about it. */
    public SimUser addServiceAccount(String username) {
        return state.addSpecialUser(username, "Service account user", username + "@noreply." + host(),
                SimUserType.SERVICE_ACCOUNT, true);
    }

    /** A group service account: username {@code service_account_group_<group id>_<32 hex>}; not a member yet. */
    public SimUser addGroupServiceAccount(SimProject project) {
        return addServiceAccount("service_account_group_" + namespaceId(project) + "_" + hex32());
    }

    /**
     * GitLab's ghost user ({@code Users::Internal.ghost}), created on first use with the next free id: it owns the
     * issues, notes and label events of deleted users. Username {@code ghost}, name {@code Ghost User},
     * {@code bot: false}; cannot authenticate.
     */
    public SimUser ghost() {
        return state.ghost();
    }

    /** Deletes a user; their issues, notes and label events now show the {@link #ghost()} (see SimState). */
    public SimUser deleteUser(SimUser user) {
        synchronized (mutationLock) {
            return state.deleteUser(user.id());
        }
    }

    public SimUserType userType(SimUser user) {
        return state.userType(user.id());
    }

    /** {@code User#bot?}, what {@code GET /users/:id} shows as {@code bot}. */
    public boolean isBot(SimUser user) {
        return state.isBot(user.id());
    }

    /** Renames a project label: its events, issues and board lists show the new name; nothing fires. */
    public SimLabel renameLabel(SimProject project, String oldName, String newName) {
        synchronized (mutationLock) {
            return state.renameLabel(project.id(), oldName, newName);
        }
    }

    /**
     * Deletes a project label: it silently leaves every issue (no event, no hook, {@code updated_at} unchanged)
     * and every board list bound to it is removed; its label events stay with {@code label: null}.
     */
    public SimLabel deleteLabel(SimProject project, String name) {
        synchronized (mutationLock) {
            return state.deleteLabel(project.id(), name);
        }
    }

    private final class PartBMutations implements SimHttpApi.NoteMutations {
        @Override
        public NoteCreated addNote(SimUser actor, long projectId, long iid, String body, boolean internal,
                java.time.Instant createdAt) {
            synchronized (mutationLock) {
                NoteCreated created = state.addNoteAt(actor, projectId, iid, body, internal, false, createdAt);
                publish(created);
                return created;
            }
        }

        @Override
        public NoteEdited editNote(SimUser actor, long projectId, long iid, long noteId, String body) {
            return applyEdit(actor, projectId, iid, noteId, body);
        }
    }

    private NoteEdited applyEdit(SimUser actor, long projectId, long iid, long noteId, String body) {
        synchronized (mutationLock) {
            NoteEdited e = state.editNote(actor, projectId, iid, noteId, body);
            if (e.bodyChanged()) {
                // Notes::UpdateService#execute_note_webhook: only when the body changed; system notes cannot be edited.
                boolean confidential = e.after().internal() || e.issue().confidential();
                webhooks.enqueue(projectId, confidential ? WebhookSender.CONFIDENTIAL_NOTE_HOOK
                        : WebhookSender.NOTE_HOOK, SimJson.toJson(json.noteUpdateHook(e)));
            }
            return e;
        }
    }

    private SimUser addAccessTokenBot(SimProject project, String prefix, String name, int accessLevel) {
        String username = prefix + "_bot_" + hex32();
        SimUser bot = state.addSpecialUser(username, name, username + "@noreply." + host(), SimUserType.PROJECT_BOT,
                true);
        state.setBotProject(bot.id(), project.id());
        state.addMember(project.id(), bot, accessLevel, root);
        return bot;
    }

    /** The namespace id SimJson renders for the project ({@code 1000 + project id}). */
    private static long namespaceId(SimProject project) {
        return 1000 + project.id();
    }

    private String host() {
        return java.net.URI.create(baseUrl).getHost();
    }

    private static String hex32() {
        return java.util.UUID.randomUUID().toString().replace("-", "");
    }

    /** ActiveSupport {@code humanize}: underscores to spaces, first letter upper case, the rest lower case. */
    private static String humanize(String s) {
        String t = s.replace('_', ' ').toLowerCase(java.util.Locale.ROOT);
        return t.isEmpty() ? t : Character.toUpperCase(t.charAt(0)) + t.substring(1);
    }

    // ================================================================ internals

    private SimIssue update(SimUser actor, SimProject project, long iid, IssueUpdate update) {
        IssueChange c = applyUpdate(actor, project.id(), iid, update, true);
        return c == null ? issue(project, iid) : c.after();
    }

    private SimNote note(SimUser actor, SimProject project, long iid, String body, boolean internal) {
        return applyNote(actor, project.id(), iid, body, internal, false).note();
    }

    private IssueChange applyUpdate(SimUser actor, long projectId, long iid, IssueUpdate update) {
        return applyUpdate(actor, projectId, iid, update, false);
    }

    /** {@code ui}: a UI action (runs on a WorkItem object for issues created in the work item UI). */
    private IssueChange applyUpdate(SimUser actor, long projectId, long iid, IssueUpdate update, boolean ui) {
        synchronized (mutationLock) {
            IssueChange c = state.updateIssue(actor, projectId, iid, update);
            if (c != null) {
                publishUpdate(c, ui && state.workItemView(projectId, iid));
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
        publish(c, false);
    }

    /** {@code workItemClass}: see {@link SimWorkItems#objectKind}; the header is Issue Hook either way. */
    private void publish(IssueChange c, boolean workItemClass) {
        String event = c.after().confidential() ? WebhookSender.CONFIDENTIAL_ISSUE_HOOK : WebhookSender.ISSUE_HOOK;
        webhooks.enqueue(c.project().id(), event, SimJson.toJson(json.issueHook(c, workItemClass)));
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
