package org.countersign.gitlab.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Function;

/**
 * The REST API under {@code /api/v4}: routing by path template, authentication by token, parameter
 * parsing (query string, form body, JSON body), request counting and fault injection. Order for each
 * request: count, then injected fault, then latency, then authentication, then the handler.
 * Updates made through the API go through {@link Mutations}, which also fires the webhooks.
 */
final class SimHttpApi implements HttpHandler {

    static final String PREFIX = "/api/v4";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final SimState state;
    private final SimJson json;
    private final String baseUrl;
    private final Mutations mutations;
    private final List<Route> routes = new ArrayList<>();

    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();
    private final List<FaultRule> faults = new ArrayList<>(); // guarded by itself
    private volatile Duration latency = Duration.ZERO;
    // Part A: permissions and rate limits.
    private final SimAuthz authz;
    private final SimRateLimits rateLimits = new SimRateLimits();

    /** A parsed request: acting user, path variables, merged query/body parameters. */
    record Request(String method, String template, SimUser user, Map<String, String> vars,
            Map<String, List<String>> params, String resourceUrl) {

        String param(String name) {
            List<String> v = params.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        /** Comma-separated or repeated ({@code name[]}) list parameter; null when absent. */
        List<String> list(String name) {
            List<String> out = new ArrayList<>();
            boolean present = false;
            for (String key : List.of(name, name + "[]")) {
                List<String> values = params.get(key);
                if (values != null) {
                    present = true;
                    values.forEach(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                            .forEach(out::add));
                }
            }
            return present ? out : null;
        }
    }

    /** A response: status, JSON body (or null) and extra headers. */
    record Response(int status, JsonNode body, Map<String, String> headers) {
        static Response ok(JsonNode body) {
            return new Response(200, body, Map.of());
        }

        static Response error(int status, String message) {
            return new Response(status, SimJson.message(message), Map.of());
        }
    }

    private record Route(String method, String template, String[] segments, Function<Request, Response> handler) {
    }

    private static final class FaultRule {
        int remaining;
        final int status;
        final BiPredicate<String, String> appliesTo;
        /** Body to answer instead of the default {@code {"message":"<status> <reason>"}}; null = default. */
        final JsonNode body;
        /** For a 429: whether it carries Retry-After and RateLimit-* (Rack::Attack) or nothing (application limits). */
        final boolean rateLimitHeaders;

        FaultRule(int remaining, int status, BiPredicate<String, String> appliesTo) {
            this(remaining, status, appliesTo, null, true);
        }

        FaultRule(int remaining, int status, BiPredicate<String, String> appliesTo, JsonNode body) {
            this(remaining, status, appliesTo, body, true);
        }

        FaultRule(int remaining, int status, BiPredicate<String, String> appliesTo, boolean rateLimitHeaders) {
            this(remaining, status, appliesTo, null, rateLimitHeaders);
        }

        FaultRule(int remaining, int status, BiPredicate<String, String> appliesTo, JsonNode body, boolean rateLimitHeaders) {
            this.remaining = remaining;
            this.status = status;
            this.appliesTo = appliesTo;
            this.body = body;
            this.rateLimitHeaders = rateLimitHeaders;
        }
    }

    /**
     * Writes performed by the API. The implementation applies the change to {@link SimState} and enqueues
     * its webhook atomically, so hooks leave in the order the changes happened.
     */
    interface Mutations {
        /** Returns null for a no-op update (no hook). */
        IssueChange updateIssue(SimUser actor, long projectId, long iid, IssueUpdate update);

        NoteCreated addNote(SimUser actor, long projectId, long iid, String body, boolean internal);

        /** Moves the issue; returns the copy in the target project. */
        default SimIssue moveIssue(SimUser actor, long projectId, long iid, long targetProjectId) {
            throw new UnsupportedOperationException("move");
        }

        /** Creates an issue (Issue Hook {@code open}). */
        default SimIssue createIssue(SimUser actor, long projectId, String title, String description, boolean confidential,
                List<String> labels, List<Long> assigneeIds) {
            throw new UnsupportedOperationException("create");
        }

        default void deleteIssue(SimUser actor, long projectId, long iid) {
            throw new UnsupportedOperationException("delete");
        }
    }

    SimHttpApi(SimState state, SimJson json, String baseUrl, Mutations mutations) {
        this.state = state;
        this.json = json;
        this.baseUrl = baseUrl;
        this.mutations = mutations;
        this.authz = new SimAuthz(state);
        route("GET", "/user", r -> Response.ok(json.currentUser(r.user())));
        route("GET", "/projects/:id", this::getProject);
        route("GET", "/projects/:id/issues", this::listIssues);
        route("GET", "/projects/:id/issues/:iid", r -> Response.ok(json.issue(project(r), issue(r))));
        route("PUT", "/projects/:id/issues/:iid", this::updateIssue);
        route("GET", "/projects/:id/issues/:iid/notes", this::listNotes);
        route("POST", "/projects/:id/issues/:iid/notes", this::createNote);
        route("GET", "/projects/:id/issues/:iid/resource_label_events", r -> page(r,
                state.labelEvents(project(r).id(), issue(r).iid()), json::labelEvent));
        route("GET", "/projects/:id/issues/:iid/resource_state_events", r -> page(r,
                state.stateEvents(project(r).id(), issue(r).iid()), json::stateEvent));
        route("GET", "/projects/:id/labels", r -> page(r, state.labels(project(r).id()), json::labelBasic));
        route("GET", "/projects/:id/boards", r -> {
            SimProject p = project(r);
            return page(r, state.boards(p.id()), b -> json.board(p, b));
        });
        route("GET", "/projects/:id/boards/:board_id", r -> Response.ok(json.board(project(r), board(r))));
        route("GET", "/projects/:id/boards/:board_id/lists", r -> page(r, board(r).lists(), json::boardList));
        // "/members/all" first: "/members/:user_id" would otherwise capture "all".
        for (String members : List.of("/projects/:id/members/all", "/projects/:id/members")) {
            route("GET", members, r -> page(r, state.members(project(r).id()), json::member));
            route("GET", members + "/:user_id", r -> Response.ok(json.member(state.member(project(r).id(),
                    longVar(r, "user_id")).orElseThrow(() -> new NotFound("404 Not found")))));
        }
        route("GET", "/projects/:id/hooks", r -> page(r, state.hooks(project(r).id()), json::hook));
        route("GET", "/projects/:id/hooks/:hook_id", r -> {
            SimProject p = project(r);
            return Response.ok(json.hook(state.hooks(p.id()).stream()
                    .filter(h -> h.id() == longVar(r, "hook_id")).findFirst()
                    .orElseThrow(() -> new NotFound("404 Not found"))));
        });
        // Part A routes.
        route("GET", "/projects/:id/repository/files/:file_path", this::getRepositoryFile);
        route("POST", "/projects/:id/issues/:iid/move", this::moveIssue);
        route("POST", "/projects/:id/issues", this::createIssue);
        route("DELETE", "/projects/:id/issues/:iid", this::deleteIssue);
        registerPartBRoutes();
        registerSetupRoutes();
    }

    SimAuthz authz() {
        return authz;
    }

    SimRateLimits rateLimits() {
        return rateLimits;
    }

    // ---------------------------------------------------------------- counters, faults, latency

    /** Request count per {@code "METHOD /template"} (unmatched requests under {@code "METHOD (unmatched)"}). */
    Map<String, Long> counts() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    long count(String method, String template) {
        AtomicLong c = counts.get(method.toUpperCase(Locale.ROOT) + " " + template);
        return c == null ? 0 : c.get();
    }

    long total() {
        return total.get();
    }

    /** Counts, from now on, the requests for {@code method} {@code template} whose raw query (or "") passes {@code query}. */
    private record Watch(String method, String template, Predicate<String> query, AtomicLong seen) {
    }

    private final List<Watch> watches = new CopyOnWriteArrayList<>();

    LongSupplier watch(String method, String template, Predicate<String> query) {
        Watch w = new Watch(method.toUpperCase(Locale.ROOT), template, query, new AtomicLong());
        watches.add(w);
        return w.seen()::get;
    }

    void resetCounts() {
        counts.clear();
        total.set(0);
    }

    /** The next {@code n} requests for which {@code appliesTo(method, template)} holds answer {@code status}. */
    void failNext(int n, int status, BiPredicate<String, String> appliesTo) {
        synchronized (faults) {
            faults.add(new FaultRule(n, status, appliesTo));
        }
    }

    /** Like {@link #failNext(int, int, BiPredicate)} answering {@code body} (JSON) instead of the default message. */
    void failNext(int n, int status, BiPredicate<String, String> appliesTo, JsonNode body) {
        synchronized (faults) {
            faults.add(new FaultRule(n, status, appliesTo, body));
        }
    }

    /** Like {@link #failNext(int, int, BiPredicate)}; a 429 without {@code rateLimitHeaders} has no Retry-After nor RateLimit-*. */
    void failNext(int n, int status, boolean rateLimitHeaders, BiPredicate<String, String> appliesTo) {
        synchronized (faults) {
            faults.add(new FaultRule(n, status, appliesTo, rateLimitHeaders));
        }
    }

    /** A change to make just before the next request that matches: a person acting while a reader pages. */
    private record Interleaved(String method, String template, String queryPart, Runnable action) {
    }

    private final List<Interleaved> interleaved = new ArrayList<>(); // guarded by itself

    void beforeNext(String method, String template, String queryPart, Runnable action) {
        synchronized (interleaved) {
            interleaved.add(new Interleaved(method, template, queryPart, action));
        }
    }

    private void runInterleaved(String method, String template, String rawQuery) {
        Interleaved hit = null;
        synchronized (interleaved) {
            for (Iterator<Interleaved> it = interleaved.iterator(); it.hasNext();) {
                Interleaved i = it.next();
                if (i.method().equalsIgnoreCase(method) && i.template().equals(template)
                        && (i.queryPart() == null || (rawQuery != null && rawQuery.contains(i.queryPart())))) {
                    it.remove();
                    hit = i;
                    break;
                }
            }
        }
        if (hit != null) {
            hit.action().run();
        }
    }

    void clearFaults() {
        synchronized (faults) {
            faults.clear();
        }
    }

    void setLatency(Duration latency) {
        this.latency = latency == null ? Duration.ZERO : latency;
    }

    // ---------------------------------------------------------------- dispatch

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try {
            Response response = dispatch(ex);
            write(ex, response);
        } catch (RuntimeException e) {
            write(ex, Response.error(500, "500 Internal Server Error: " + e));
        } finally {
            ex.close();
        }
    }

    private Response dispatch(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        String rawPath = ex.getRequestURI().getRawPath();
        String apiPath = rawPath.startsWith(PREFIX) ? rawPath.substring(PREFIX.length()) : null;
        String[] segments = apiPath == null ? new String[0] : split(apiPath);

        Route route = null;
        Map<String, String> vars = new LinkedHashMap<>();
        if (apiPath != null) {
            for (Route r : routes) {
                if (r.method().equals(method) && match(r.segments(), segments, vars)) {
                    route = r;
                    break;
                }
                vars.clear();
            }
        }
        String template = route == null ? "(unmatched)" : route.template();
        total.incrementAndGet();
        counts.computeIfAbsent(method + " " + template, k -> new AtomicLong()).incrementAndGet();
        String rawQuery = ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery();
        for (Watch w : watches) {
            if (w.method().equals(method) && w.template().equals(template) && w.query().test(rawQuery)) {
                w.seen().incrementAndGet();
            }
        }

        runInterleaved(method, template, ex.getRequestURI().getRawQuery());
        Response fault = takeFault(method, template);
        if (fault != null) {
            return fault;
        }
        Response throttled = rateLimits.take(method, template, state.now());
        if (throttled != null) {
            return throttled;
        }
        Duration delay = latency;
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Map<String, List<String>> params = new LinkedHashMap<>();
        parseQuery(ex.getRequestURI().getRawQuery(), params);
        String token = token(ex, params);
        Optional<SimUser> user = state.userByToken(token);
        if (user.isEmpty()) {
            return Response.error(401, "401 Unauthorized");
        }
        Response refused = refuseAccess(token, user.get());
        if (refused != null) {
            return refused;
        }
        if (route == null) {
            return new Response(404, F.objectNode().put("error", "404 Not Found"), Map.of());
        }
        parseBody(ex, params);
        Request request = new Request(method, template, user.get(), vars, params, baseUrl + rawPath);
        try {
            return route.handler().apply(request);
        } catch (NotFound e) {
            return Response.error(404, e.getMessage());
        } catch (BadRequest e) {
            return new Response(400, F.objectNode().put("error", e.getMessage()), Map.of());
        } catch (Forbidden e) {
            return Response.error(403, e.getMessage());
        } catch (ApiError e) {
            return e.response;
        }
    }

    private Response takeFault(String method, String template) {
        synchronized (faults) {
            for (Iterator<FaultRule> it = faults.iterator(); it.hasNext();) {
                FaultRule f = it.next();
                if (f.appliesTo.test(method, template)) {
                    if (--f.remaining <= 0) {
                        it.remove();
                    }
                    if (f.status == 429 && !f.rateLimitHeaders) {
                        return Response.error(429, "This endpoint has been requested too many times. Try again later.");
                    }
                    if (f.status == 429) {
                        Map<String, String> h = new LinkedHashMap<>();
                        h.put("Retry-After", "1");
                        h.put("RateLimit-Name", "throttle_authenticated_api");
                        h.put("RateLimit-Limit", "2000");
                        h.put("RateLimit-Observed", "2001");
                        h.put("RateLimit-Remaining", "0");
                        h.put("RateLimit-Reset", String.valueOf(Instant.now().getEpochSecond() + 1));
                        return new Response(429, null, h);
                    }
                    if (f.body != null) {
                        return new Response(f.status, f.body, Map.of());
                    }
                    return Response.error(f.status, f.status + " " + reason(f.status));
                }
            }
        }
        return null;
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 409 -> "Conflict";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Error";
        };
    }

    private void route(String method, String template, Function<Request, Response> handler) {
        routes.add(new Route(method, template, split(template), handler));
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    private static boolean match(String[] template, String[] actual, Map<String, String> vars) {
        if (template.length != actual.length) {
            return false;
        }
        for (int i = 0; i < template.length; i++) {
            if (template[i].startsWith(":")) {
                vars.put(template[i].substring(1), decodePathSegment(actual[i]));
            } else if (!template[i].equals(actual[i])) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- handlers

    private Response getProject(Request r) {
        SimProject p = project(r);
        int open = (int) state.issues(p.id()).stream().filter(i -> !i.isClosed()).count();
        return Response.ok(json.project(p, open));
    }

    /**
     * {@code state} opened|closed|all (default all), {@code labels} (all must match; None/Any),
     * {@code created_after/before}, {@code updated_after/before} (inclusive), {@code iids[]},
     * {@code order_by} created_at|updated_at (default created_at), {@code sort} asc|desc (default desc).
     */
    private Response listIssues(Request r) {
        SimProject p = project(r);
        List<SimIssue> issues = new ArrayList<>(state.issues(p.id()));
        filterIssuesPartA(r, p, issues);
        String st = Optional.ofNullable(r.param("state")).orElse("all");
        if (!st.equals("all")) {
            issues.removeIf(i -> !i.state().equals(st));
        }
        List<String> labels = r.list("labels");
        if (labels != null && !labels.isEmpty()) {
            if (labels.size() == 1 && labels.get(0).equalsIgnoreCase("None")) {
                issues.removeIf(i -> !i.labels().isEmpty());
            } else if (labels.size() == 1 && labels.get(0).equalsIgnoreCase("Any")) {
                issues.removeIf(i -> i.labels().isEmpty());
            } else {
                issues.removeIf(i -> !i.labels().containsAll(labels));
            }
        }
        // not[labels]=A,B: issues carrying none of them, unlabelled ones included (the `not` parameter of
        // GET /projects/:id/issues, https://docs.gitlab.com/api/issues/, gitlab-ce MR 31134; a board's Open list)
        List<String> notLabels = r.list("not[labels]");
        if (notLabels != null && !notLabels.isEmpty()) {
            issues.removeIf(i -> i.labels().stream().anyMatch(notLabels::contains));
        }
        List<String> iids = r.list("iids");
        if (iids != null) {
            issues.removeIf(i -> !iids.contains(String.valueOf(i.iid())));
        }
        Instant createdAfter = time(r, "created_after"), createdBefore = time(r, "created_before");
        Instant updatedAfter = time(r, "updated_after"), updatedBefore = time(r, "updated_before");
        issues.removeIf(i -> createdAfter != null && i.createdAt().isBefore(createdAfter)
                || createdBefore != null && i.createdAt().isAfter(createdBefore)
                || updatedAfter != null && i.updatedAt().isBefore(updatedAfter)
                || updatedBefore != null && i.updatedAt().isAfter(updatedBefore));
        String orderBy = Optional.ofNullable(r.param("order_by")).orElse("created_at");
        Comparator<SimIssue> order = switch (orderBy) {
            case "updated_at" -> Comparator.comparing(SimIssue::updatedAt);
            case "created_at" -> Comparator.comparing(SimIssue::createdAt);
            case "title" -> Comparator.comparing(SimIssue::title);
            default -> throw new BadRequest("order_by does not have a valid value");
        };
        order = order.thenComparing(SimIssue::id);
        if (!"asc".equalsIgnoreCase(r.param("sort"))) {
            order = order.reversed();
        }
        issues.sort(order);
        return page(r, issues, i -> json.issue(p, i));
    }

    /**
     * {@code state_event} close|reopen, {@code labels} (replace), {@code add_labels}, {@code remove_labels},
     * {@code assignee_ids}/{@code assignee_ids[]}/{@code assignee_id}; one atomic update as the token's user.
     */
    private Response updateIssue(Request r) {
        SimProject p = project(r);
        SimIssue issue = issue(r);
        String stateEvent = r.param("state_event");
        if (stateEvent != null && !stateEvent.equals("close") && !stateEvent.equals("reopen")) {
            throw new BadRequest("state_event does not have a valid value");
        }
        List<String> assignees = r.list("assignee_ids");
        if (assignees == null && r.param("assignee_id") != null) {
            assignees = r.param("assignee_id").equals("0") ? List.of() : List.of(r.param("assignee_id"));
        }
        List<Long> assigneeIds = assignees == null ? null
                : assignees.stream().filter(s -> !s.equals("0")).map(Long::parseLong).toList();
        Boolean locked = booleanParam(r, "discussion_locked");
        requireUpdate(r, p, issue);
        IssueUpdate update = new IssueUpdate(r.list("add_labels"), r.list("remove_labels"), r.list("labels"),
                stateEvent, assigneeIds, false, locked);
        if (!authz.canAdminIssue(r.user(), p.id())) {
            // IssuableBaseService#filter_params: without set_issue_metadata these are dropped silently.
            update = new IssueUpdate(null, null, null, stateEvent, null, false, null);
        }
        mutations.updateIssue(r.user(), p.id(), issue.iid(), update);
        return Response.ok(json.issue(p, state.issue(p.id(), issue.iid()).orElseThrow()));
    }

    /** Default order {@code created_at desc} like GitLab; {@code order_by} created_at|updated_at, {@code sort}. */
    private Response listNotes(Request r) {
        SimProject p = project(r);
        validateNoteListParams(r);
        List<SimNote> notes = new ArrayList<>(state.notes(p.id(), issue(r).iid()));
        notes.removeIf(activityFilter(r));
        Comparator<SimNote> order = "updated_at".equals(r.param("order_by"))
                ? Comparator.comparing(SimNote::updatedAt) : Comparator.comparing(SimNote::createdAt);
        order = order.thenComparing(SimNote::id);
        if (!"asc".equalsIgnoreCase(r.param("sort"))) {
            order = order.reversed();
        }
        notes.sort(order);
        return pageReadableNotes(r, p, notes);
    }

    private Response createNote(Request r) {
        // lib/api/notes.rb: check_rate_limit! :notes_create runs first, before the noteable is looked up.
        Response limited = rateLimits.checkNoteCreation(r.user(), state.now());
        if (limited != null) {
            return limited;
        }
        SimProject p = project(r);
        SimIssue issue = issue(r);
        if (!authz.canCreateNote(r.user(), p.id(), issue)) {
            throw new Forbidden("403 Forbidden");
        }
        String body = r.param("body");
        if (body == null || body.isBlank()) {
            throw new BadRequest("body is missing");
        }
        boolean internal = Boolean.parseBoolean(Optional.ofNullable(r.param("internal"))
                .orElse(Optional.ofNullable(r.param("confidential")).orElse("false")));
        return createNoteChecked(r, p, issue, body, internal);
    }

    // ---------------------------------------------------------------- part B: notes, awards, users

    /** Part B writes that must publish webhooks atomically; installed by {@link GitLabSimulator}. */
    interface NoteMutations {
        NoteCreated addNote(SimUser actor, long projectId, long iid, String body, boolean internal,
                Instant createdAt);

        NoteEdited editNote(SimUser actor, long projectId, long iid, long noteId, String body);
    }

    private volatile NoteMutations noteMutations;

    void setNoteMutations(NoteMutations noteMutations) {
        this.noteMutations = noteMutations;
    }

    private void registerPartBRoutes() {
        // lib/api/notes.rb
        route("GET", "/projects/:id/issues/:iid/notes/:note_id", r -> notFoundOrForbidden(() -> getNote(r)));
        route("PUT", "/projects/:id/issues/:iid/notes/:note_id", r -> notFoundOrForbidden(() -> updateNote(r)));
        route("DELETE", "/projects/:id/issues/:iid/notes/:note_id", r -> notFoundOrForbidden(() -> deleteNote(r)));
        // lib/api/award_emoji.rb
        route("GET", "/projects/:id/issues/:iid/notes/:note_id/award_emoji", r -> notFoundOrForbidden(() -> {
            SimNote note = readableNote(r);
            return page(r, state.noteAwards(note.id()), json::award);
        }));
        route("POST", "/projects/:id/issues/:iid/notes/:note_id/award_emoji",
                r -> notFoundOrForbidden(() -> awardNoteEmoji(r)));
        route("DELETE", "/projects/:id/issues/:iid/notes/:note_id/award_emoji/:award_id",
                r -> notFoundOrForbidden(() -> {
                    SimNote note = readableNote(r);
                    state.removeNoteEmoji(r.user(), project(r).id(), note.issueIid(), note.id(),
                            longVar(r, "award_id"));
                    return new Response(204, null, Map.of());
                }));
        // lib/api/users.rb
        route("GET", "/users", this::listUsers);
        route("GET", "/users/:user_id", this::getUser);
    }

    /** Maps simulator exceptions of part B handlers to GitLab's answers. */
    private static Response notFoundOrForbidden(java.util.function.Supplier<Response> handler) {
        try {
            return handler.get();
        } catch (java.util.NoSuchElementException e) {
            return Response.error(404, e.getMessage() != null && e.getMessage().startsWith("404")
                    ? e.getMessage() : "404 Not found");
        } catch (SimForbiddenException e) {
            return e.getMessage().startsWith("401") ? Response.error(401, "401 Unauthorized")
                    : Response.error(403, "403 Forbidden");
        }
    }

    /**
     * Notes: {@code order_by} created_at|updated_at, {@code sort} asc|desc, {@code activity_filter}
     * all_notes|only_comments|only_activity; Grape answers 400 {@code "<param> does not have a valid value"}.
     */
    private static void validateNoteListParams(Request r) {
        Map<String, List<String>> allowed = Map.of("order_by", List.of("created_at", "updated_at"),
                "sort", List.of("asc", "desc"), "activity_filter", List.of("all_notes", "only_comments",
                        "only_activity"));
        allowed.forEach((name, values) -> {
            String v = r.param(name);
            if (v != null && !values.contains(v)) {
                throw new BadRequest(name + " does not have a valid value");
            }
        });
    }

    /** {@code Note.with_notes_filter}: only_comments = user notes, only_activity = system notes (before paging). */
    private static Predicate<SimNote> activityFilter(Request r) {
        String f = Optional.ofNullable(r.param("activity_filter")).orElse("all_notes");
        return switch (f) {
            case "only_comments" -> SimNote::system;
            case "only_activity" -> n -> !n.system();
            default -> n -> false;
        };
    }

    /**
     * {@code lib/api/notes.rb}: {@code paginate(raw_notes)}, then {@code select { |note| note.readable_by?(current_user) }}:
     * internal notes vanish for readers without {@code read_internal_note} AFTER pagination, so pages are short.
     */
    private Response pageReadableNotes(Request r, SimProject p, List<SimNote> sorted) {
        boolean internalOk = state.canReadInternalNotes(p.id(), r.user());
        SimPagination.Page<SimNote> page = SimPagination.paginateThenFilter(sorted, r.params(), r.resourceUrl(),
                n -> internalOk || !n.internal());
        ArrayNode array = F.arrayNode();
        page.items().forEach(n -> array.add(json.note(n)));
        return new Response(200, array, page.headers());
    }

    /**
     * {@code POST notes}: {@code created_at} is kept only with {@code set_note_created_at} (Owner, admin) and
     * silently dropped otherwise ({@code notes_helpers.rb#create_note}); {@code internal} is kept only with
     * {@code mark_note_as_internal} (Planner+), else the note is saved public ({@code Notes::BuildService}).
     * More than {@code Noteable::MAX_NOTES_LIMIT} notes: 400.
     */
    private Response createNoteChecked(Request r, SimProject p, SimIssue issue, String body, boolean internal) {
        Instant createdAt = state.canSetNoteCreatedAt(p.id(), r.user()) ? time(r, "created_at") : null;
        boolean keepInternal = internal && state.canReadInternalNotes(p.id(), r.user());
        try {
            NoteCreated created = noteMutations.addNote(r.user(), p.id(), issue.iid(), body, keepInternal, createdAt);
            return new Response(201, json.note(created.note()), Map.of());
        } catch (SimState.NotesLimitExceeded e) {
            return Response.error(400, "400 Bad request - Note {:base=>[\"" + e.getMessage() + "\"]}");
        }
    }

    /** The note, 404 if it is not on this issue or not readable ({@code notes_helpers.rb#get_note}). */
    private SimNote readableNote(Request r) {
        SimProject p = project(r);
        SimIssue issue = issue(r);
        SimNote note = state.note(p.id(), issue.iid(), longVar(r, "note_id"))
                .orElseThrow(() -> new NotFound("404 Not found"));
        if (!state.canReadNote(p.id(), r.user(), note)) {
            throw new NotFound("404 Note Not Found");
        }
        return note;
    }

    private Response getNote(Request r) {
        return Response.ok(json.note(readableNote(r)));
    }

    /**
     * {@code PUT notes/:note_id} ({@code notes_helpers.rb#update_note}): {@code authorize! :admin_note} (403),
     * {@code body} must not be blank (Grape {@code allow_blank: false}), {@code confidential} may not change
     * ({@code Note#ensure_confidentiality_not_changed}: 400). Without parameters the note is returned as is.
     */
    private Response updateNote(Request r) {
        String body = r.param("body");
        if (body != null && body.isBlank()) {
            throw new BadRequest("body is empty");
        }
        SimProject p = project(r);
        SimIssue issue = issue(r);
        SimNote note = state.note(p.id(), issue.iid(), longVar(r, "note_id"))
                .orElseThrow(() -> new NotFound("404 Not found"));
        if (!state.canAdminNote(p.id(), r.user(), note)) {
            return Response.error(403, "403 Forbidden");
        }
        String confidential = r.param("confidential");
        if (confidential != null && Boolean.parseBoolean(confidential) != note.internal()) {
            return Response.error(400, "400 Bad request - Note {:confidential=>[\"can not be changed for existing "
                    + "notes\"]}");
        }
        if (body == null) {
            return Response.ok(json.note(note));
        }
        NoteEdited edited = noteMutations.editNote(r.user(), p.id(), issue.iid(), note.id(), body);
        return Response.ok(json.note(edited.after()));
    }

    /** {@code DELETE notes/:note_id}: {@code authorize! :admin_note}, then {@code destroy_conditionally!}: 204. */
    private Response deleteNote(Request r) {
        SimProject p = project(r);
        SimIssue issue = issue(r);
        state.deleteNote(r.user(), p.id(), issue.iid(), longVar(r, "note_id"));
        return new Response(204, null, Map.of());
    }

    /** {@code POST .../notes/:note_id/award_emoji}: 201 with the award; 404 if not awardable or a duplicate. */
    private Response awardNoteEmoji(Request r) {
        String name = r.param("name");
        if (name == null || name.isBlank()) {
            throw new BadRequest("name is missing");
        }
        SimNote note = readableNote(r);
        try {
            SimAward award = state.awardNoteEmoji(r.user(), project(r).id(), note.issueIid(), note.id(), name);
            return new Response(201, json.award(award), Map.of());
        } catch (IllegalArgumentException e) {
            return Response.error(404, "404 Award Emoji {:name=>[\"has already been taken\"]} Not Found");
        } catch (java.util.NoSuchElementException e) {
            return Response.error(404, "404 Award Emoji Not Found");
        }
    }

    /** {@code GET /users/:id}: {@code Entities::User}; 404 {@code User Not Found} for unknown or deleted users. */
    private Response getUser(Request r) {
        SimUser u = state.user(longVar(r, "user_id")).orElseThrow(() -> new NotFound("404 User Not Found"));
        SimUserType type = state.userType(u.id());
        boolean nameVisible = type != SimUserType.PROJECT_BOT || r.user().admin()
                || state.botProject(u.id()).map(pid -> state.accessLevel(pid, r.user()) > 0).orElse(true);
        return Response.ok(json.userEntity(u, type, nameVisible));
    }

    /** {@code GET /users[?username=]}: UserBasic list (exact, case-insensitive username match). */
    private Response listUsers(Request r) {
        String username = r.param("username");
        List<SimUser> found = username == null ? state.allUsers()
                : state.userByUsername(username).map(List::of).orElse(List.of());
        return page(r, found, json::userBasic);
    }

    // ---------------------------------------------------------------- part A: permissions, work items, move, delete

    /**
     * Authentication failures GitLab reports for a known token (lib/api/api_guard.rb, lib/api/helpers.rb): a
     * revoked token answers 401 with rack-oauth2's body and {@code WWW-Authenticate}; a blocked user's token
     * answers 403 {@code 403 Forbidden - Your account has been blocked.} ({@code find_current_user!} ->
     * {@code forbidden!(api_access_denied_message(user))}, {@code Gitlab::Auth::UserAccessDeniedReason}).
     */
    private Response refuseAccess(String token, SimUser user) {
        if (state.tokenRevoked(token)) {
            String description = "Token was revoked. You have to re-authorize from the user.";
            return new Response(401, F.objectNode().put("error", "invalid_token").put("error_description", description),
                    Map.of("WWW-Authenticate", "Bearer realm=\"\", error=\"invalid_token\", error_description=\""
                            + description + "\""));
        }
        if (state.blocked(user.id())) {
            return Response.error(403, "403 Forbidden - Your account has been blocked.");
        }
        return null;
    }

    /**
     * {@code issue_type} filter (lib/api/issues.rb: one of the project base types, else 400; absent = every type,
     * tasks included since GitLab MR 126398; {@code Issues::IssueTypesFilter}) and, when permissions are
     * enforced, {@code Ability.issues_readable_by_user} (confidential issues the user cannot read are left out).
     */
    private void filterIssuesPartA(Request r, SimProject p, List<SimIssue> issues) {
        String type = r.param("issue_type");
        if (type != null) {
            if (!SimWorkItems.PROJECT_TYPES.contains(type)) {
                throw new BadRequest("issue_type does not have a valid value");
            }
            issues.removeIf(i -> !i.issueType().equals(type));
        }
        issues.removeIf(i -> !authz.canReadIssue(r.user(), p.id(), i));
    }

    private static Boolean booleanParam(Request r, String name) {
        String v = r.param(name);
        if (v == null) {
            return null;
        }
        if (v.equalsIgnoreCase("true") || v.equals("1")) {
            return true;
        }
        if (v.equalsIgnoreCase("false") || v.equals("0")) {
            return false;
        }
        throw new BadRequest(name + " is invalid");
    }

    /** {@code authorize! :update_issue, issue}: 403 {@code {"message":"403 Forbidden"}}. */
    private void requireUpdate(Request r, SimProject p, SimIssue issue) {
        if (!authz.canUpdateIssue(r.user(), p.id(), issue)) {
            throw new Forbidden("403 Forbidden");
        }
    }

    /**
     * {@code POST /projects/:id/issues/:iid/move} ({@code to_project_id}): 201 with the new issue. Errors as
     * lib/api/issues.rb renders them: unknown target 404 {@code 404 Project Not Found}; a service error 400
     * {@code {"message": "<WorkItems::DataSync::MoveService message>"}}.
     */
    private Response moveIssue(Request r) {
        SimProject p = project(r);
        SimIssue issue = issue(r);
        String to = r.param("to_project_id");
        if (to == null) {
            throw new BadRequest("to_project_id is missing");
        }
        if (!to.chars().allMatch(Character::isDigit) || to.isEmpty()) {
            throw new BadRequest("to_project_id is invalid");
        }
        SimProject target = state.findProject(to).orElseThrow(() -> new NotFound("404 Project Not Found"));
        if (target.id() == p.id()) {
            return Response.error(400, "Cannot move work item to same project or group it originates from.");
        }
        if (!authz.canMove(r.user(), p.id(), target.id())) {
            return Response.error(400, "Cannot move work item due to insufficient permissions.");
        }
        SimIssue copy = mutations.moveIssue(r.user(), p.id(), issue.iid(), target.id());
        return new Response(201, json.issue(target, copy), Map.of());
    }

    /**
     * {@code POST /projects/:id/issues} (https://docs.gitlab.com/ee/api/issues.html#new-issue, gitlabhq
     * lib/api/issues.rb): {@code title} required (400 {@code title is missing}); {@code description};
     * {@code labels} comma-separated, created when missing; {@code confidential}; {@code assignee_ids}. Needs
     * {@code :create_issue} (Guest or more); labels and assignees are kept only with {@code set_issue_metadata}
     * ({@code IssuableBaseService#filter_params}), as on update. Answers 201 with the issue.
     */
    private Response createIssue(Request r) {
        SimProject p = project(r);
        String title = r.param("title");
        if (title == null || title.isBlank()) {
            throw new BadRequest("title is missing");
        }
        if (!authz.canCreateIssue(r.user(), p.id())) {
            throw new Forbidden("403 Forbidden");
        }
        boolean metadata = authz.canAdminIssue(r.user(), p.id());
        List<String> labels = metadata ? Optional.ofNullable(r.list("labels")).orElse(List.of()) : List.of();
        List<Long> assignees = metadata ? Optional.ofNullable(r.list("assignee_ids")).orElse(List.of()).stream()
                .map(Long::parseLong).toList() : List.of();
        boolean confidential = Boolean.parseBoolean(Optional.ofNullable(r.param("confidential")).orElse("false"));
        SimIssue created = mutations.createIssue(r.user(), p.id(), title, Optional.ofNullable(r.param("description")).orElse(""),
                confidential, labels, assignees);
        return new Response(201, json.issue(p, created), Map.of());
    }

    /** {@code DELETE /projects/:id/issues/:iid}: 204; 403 without {@code destroy_issue}. */
    private Response deleteIssue(Request r) {
        SimProject p = project(r);
        SimIssue issue = issue(r);
        if (!authz.canDestroyIssue(r.user(), p.id())) {
            throw new Forbidden("403 Forbidden");
        }
        mutations.deleteIssue(r.user(), p.id(), issue.iid());
        return new Response(204, null, Map.of());
    }

    // ---------------------------------------------------------------- set-up routes (labels, boards, hooks)

    /**
     * What {@code countersign setup} calls to prepare a project, with GitLab's shapes and rules:
     * <ul>
     *   <li>{@code POST /projects/:id/labels} (lib/api/labels.rb, lib/api/helpers/label_helpers.rb): name and color
     *       required, 409 {@code Label already exists}, 201 with the label;</li>
     *   <li>{@code POST /projects/:id/boards} and {@code POST /projects/:id/boards/:board_id/lists}
     *       (lib/api/boards.rb, https://docs.gitlab.com/api/boards/): label_id required, 400
     *       {@code {"error":"Label not found!"}} for a label the project does not have;</li>
     *   <li>{@code POST/PUT /projects/:id/hooks[/:hook_id]} (lib/api/project_hooks.rb,
     *       https://docs.gitlab.com/api/project_webhooks/): Maintainer, url required and http(s) (422
     *       {@code Invalid url given}), the token is never returned.</li>
     * </ul>
     */
    private void registerSetupRoutes() {
        route("POST", "/projects/:id/labels", this::createLabel);
        route("POST", "/projects/:id/boards", this::createBoard);
        route("POST", "/projects/:id/boards/:board_id/lists", this::createBoardList);
        route("POST", "/projects/:id/hooks", this::createHook);
        route("PUT", "/projects/:id/hooks/:hook_id", this::updateHook);
    }

    private Response createLabel(Request r) {
        SimProject p = project(r);
        if (!authz.canAdminLabelsAndBoards(r.user(), p.id())) {
            throw new Forbidden("403 Forbidden");
        }
        String name = r.param("name");
        String color = r.param("color");
        if (name == null || name.isBlank()) {
            throw new BadRequest("name is missing");
        }
        if (color == null || color.isBlank()) {
            throw new BadRequest("color is missing");
        }
        return state.createLabel(p.id(), name, color, r.param("description"))
                .map(l -> new Response(201, json.labelBasic(l), Map.of()))
                .orElseGet(() -> Response.error(409, "Label already exists"));
    }

    private Response createBoard(Request r) {
        SimProject p = project(r);
        if (!authz.canAdminLabelsAndBoards(r.user(), p.id())) {
            throw new Forbidden("403 Forbidden");
        }
        String name = r.param("name");
        if (name == null || name.isBlank()) {
            throw new BadRequest("name is missing");
        }
        return new Response(201, json.board(p, state.createBoard(p.id(), name, List.of())), Map.of());
    }

    private Response createBoardList(Request r) {
        SimProject p = project(r);
        SimBoard board = board(r);
        String labelId = r.param("label_id");
        if (labelId == null) {
            throw new BadRequest("label_id is missing");
        }
        SimLabel label = state.labels(p.id()).stream().filter(l -> String.valueOf(l.id()).equals(labelId)).findFirst()
                .orElseThrow(() -> new BadRequest("Label not found!"));
        if (!authz.canAdminLabelsAndBoards(r.user(), p.id())) {
            throw new Forbidden("403 Forbidden");
        }
        return state.createBoardList(p.id(), board.id(), label)
                .map(l -> new Response(201, json.boardList(l), Map.of()))
                .orElseGet(() -> new Response(400, F.objectNode().set("message",
                        F.objectNode().set("label", F.arrayNode().add("already exists"))), Map.of()));
    }

    private Response createHook(Request r) {
        SimProject p = project(r);
        requireAdminProject(r, p);
        String url = r.param("url");
        if (url == null) {
            throw new BadRequest("url is missing");
        }
        requireHttpUrl(url);
        return new Response(201, json.hook(state.createHook(p.id(), hookParams(r))), Map.of());
    }

    private Response updateHook(Request r) {
        SimProject p = project(r);
        requireAdminProject(r, p);
        long id = longVar(r, "hook_id");
        if (state.hooks(p.id()).stream().noneMatch(h -> h.id() == id)) {
            throw new NotFound("404 Not found");
        }
        String url = r.param("url");
        if (url == null) {
            throw new BadRequest("url is missing");
        }
        requireHttpUrl(url);
        return Response.ok(json.hook(state.updateHook(p.id(), id, hookParams(r))));
    }

    private void requireAdminProject(Request r, SimProject p) {
        if (!authz.canAdminProject(r.user(), p.id())) {
            throw new Forbidden("403 Forbidden");
        }
    }

    private static void requireHttpUrl(String url) {
        try {
            java.net.URI u = java.net.URI.create(url);
            if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
                throw new ApiError(Response.error(422, "Invalid url given"));
            }
        } catch (IllegalArgumentException e) {
            throw new ApiError(Response.error(422, "Invalid url given"));
        }
    }

    private static SimHookParams hookParams(Request r) {
        return new SimHookParams(r.param("url"), r.param("token"), booleanParam(r, "push_events"),
                booleanParam(r, "issues_events"), booleanParam(r, "confidential_issues_events"),
                booleanParam(r, "note_events"), booleanParam(r, "confidential_note_events"),
                booleanParam(r, "enable_ssl_verification"));
    }

    // ---------------------------------------------------------------- helpers

    private <T> Response page(Request r, List<T> all, Function<T, JsonNode> render) {
        SimPagination.Page<T> page = SimPagination.paginate(all, r.params(), r.resourceUrl());
        ArrayNode array = F.arrayNode();
        page.items().forEach(item -> array.add(render.apply(item)));
        return new Response(200, array, page.headers());
    }

    /**
     * GET a file from the repository, as {@code lib/api/files.rb} (gitlabhq) answers it
     * (https://docs.gitlab.com/api/repository_files/#get-file-from-repository): {@code ref} is required
     * (400 "ref is missing"), an unknown ref is "404 Commit Not Found", a path absent at that ref
     * "404 File Not Found"; otherwise the blob's metadata with {@code content} base64-encoded.
     */
    private Response getRepositoryFile(Request r) {
        SimProject p = project(r);
        String ref = r.param("ref");
        if (ref == null || ref.isBlank()) {
            throw new BadRequest("ref is missing");
        }
        String path = r.vars().get("file_path");
        SimRepository.FileAt f = state.repository.file(p.id(), ref, path)
                .orElseThrow(() -> new NotFound("404 Commit Not Found"))
                .orElseThrow(() -> new NotFound("404 File Not Found"));
        byte[] bytes = f.content().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        com.fasterxml.jackson.databind.node.ObjectNode n = SimJson.MAPPER.createObjectNode();
        n.put("file_name", path.substring(path.lastIndexOf('/') + 1));
        n.put("file_path", path);
        n.put("size", bytes.length);
        n.put("encoding", "base64");
        try {
            n.put("content_sha256", java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(bytes)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        n.put("ref", ref);
        n.put("blob_id", f.blobId());
        n.put("commit_id", f.commitId());
        n.put("last_commit_id", f.lastCommitId());
        n.put("execute_filemode", false);
        n.put("content", java.util.Base64.getEncoder().encodeToString(bytes));
        return Response.ok(n);
    }

    private SimProject project(Request r) {
        SimProject p = state.findProject(r.vars().get("id")).orElseThrow(() -> new NotFound("404 Project Not Found"));
        if (!authz.canReadProject(r.user(), p.id())) {
            throw new NotFound("404 Project Not Found");
        }
        return p;
    }

    private SimIssue issue(Request r) {
        SimProject p = project(r);
        SimIssue issue;
        try {
            issue = state.issue(p.id(), longVar(r, "iid")).orElseThrow(() -> new NotFound("404 Not found"));
        } catch (NumberFormatException e) {
            throw new NotFound("404 Not found");
        }
        if (!authz.canReadIssue(r.user(), p.id(), issue)) {
            throw new NotFound("404 Not found");
        }
        return issue;
    }

    private SimBoard board(Request r) {
        SimProject p = project(r);
        long id = longVar(r, "board_id");
        return state.boards(p.id()).stream().filter(b -> b.id() == id).findFirst()
                .orElseThrow(() -> new NotFound("404 Board Not Found"));
    }

    private static long longVar(Request r, String name) {
        try {
            return Long.parseLong(r.vars().get(name));
        } catch (NumberFormatException e) {
            throw new NotFound("404 Not found");
        }
    }

    /** Lenient ISO-8601 parsing: instant, offset date-time, {@code +0000} offsets or a plain date. */
    private static Instant time(Request r, String name) {
        String v = r.param(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException ignored) {
            // try next format
        }
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException ignored) {
            // try next format
        }
        for (String pattern : List.of("yyyy-MM-dd'T'HH:mm:ss.SSSZ", "yyyy-MM-dd'T'HH:mm:ssZ")) {
            try {
                return OffsetDateTime.parse(v, DateTimeFormatter.ofPattern(pattern)).toInstant();
            } catch (DateTimeParseException ignored) {
                // try next format
            }
        }
        try {
            return LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new BadRequest(name + " is invalid");
        }
    }

    private static String token(HttpExchange ex, Map<String, List<String>> query) {
        String t = ex.getRequestHeaders().getFirst("PRIVATE-TOKEN");
        if (t != null) {
            return t.trim();
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).trim();
        }
        for (String key : List.of("private_token", "access_token")) {
            List<String> v = query.get(key);
            if (v != null && !v.isEmpty()) {
                return v.get(0);
            }
        }
        return null;
    }

    private static void parseBody(HttpExchange ex, Map<String, List<String>> params) throws IOException {
        byte[] bytes;
        try (InputStream in = ex.getRequestBody()) {
            bytes = in.readAllBytes();
        }
        if (bytes.length == 0) {
            return;
        }
        String body = new String(bytes, StandardCharsets.UTF_8);
        String type = Optional.ofNullable(ex.getRequestHeaders().getFirst("Content-Type")).orElse("")
                .toLowerCase(Locale.ROOT);
        if (type.contains("json") || (type.isEmpty() && body.trim().startsWith("{"))) {
            JsonNode node = SimJson.MAPPER.readTree(body);
            node.fields().forEachRemaining(e -> {
                List<String> values = params.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
                if (e.getValue().isArray()) {
                    e.getValue().forEach(v -> values.add(v.asText()));
                } else if (!e.getValue().isNull()) {
                    values.add(e.getValue().asText());
                }
            });
        } else {
            parseQuery(body, params);
        }
    }

    private static void parseQuery(String raw, Map<String, List<String>> params) {
        if (raw == null || raw.isEmpty()) {
            return;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
    }

    /** Percent-decoding for a path segment ({@code +} stays a plus). */
    private static String decodePathSegment(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static void write(HttpExchange ex, Response response) throws IOException {
        response.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        if (response.status() == 204) { // DELETE answers 204 No Content without a body
            ex.sendResponseHeaders(204, -1);
            return;
        }
        byte[] bytes;
        if (response.body() != null) {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            bytes = SimJson.toJson(response.body()).getBytes(StandardCharsets.UTF_8);
        } else {
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            bytes = "Retry later\n".getBytes(StandardCharsets.UTF_8);
        }
        ex.sendResponseHeaders(response.status(), bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Thrown by handlers for a 404 with GitLab's message. */
    static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message, null, false, false);
        }
    }

    /** Thrown by handlers for a 403 {@code {"message": ...}}. */
    static final class Forbidden extends RuntimeException {
        Forbidden(String message) {
            super(message, null, false, false);
        }
    }

    /** Thrown by handlers to answer a ready-made response. */
    static final class ApiError extends RuntimeException {
        final transient Response response;

        ApiError(Response response) {
            super(String.valueOf(response.status()), null, false, false);
            this.response = response;
        }
    }

    /** Thrown by handlers for a 400 {@code {"error": ...}}. */
    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}
