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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
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
        /** For a 429: whether it carries Retry-After and RateLimit-* (Rack::Attack) or nothing (application limits). */
        final boolean rateLimitHeaders;

        FaultRule(int remaining, int status, BiPredicate<String, String> appliesTo) {
            this(remaining, status, appliesTo, true);
        }

        FaultRule(int remaining, int status, BiPredicate<String, String> appliesTo, boolean rateLimitHeaders) {
            this.remaining = remaining;
            this.status = status;
            this.appliesTo = appliesTo;
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
    }

    SimHttpApi(SimState state, SimJson json, String baseUrl, Mutations mutations) {
        this.state = state;
        this.json = json;
        this.baseUrl = baseUrl;
        this.mutations = mutations;
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

    /** Like {@link #failNext(int, int, BiPredicate)}; a 429 without {@code rateLimitHeaders} has no Retry-After nor RateLimit-*. */
    void failNext(int n, int status, boolean rateLimitHeaders, BiPredicate<String, String> appliesTo) {
        synchronized (faults) {
            faults.add(new FaultRule(n, status, appliesTo, rateLimitHeaders));
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

        Response fault = takeFault(method, template);
        if (fault != null) {
            return fault;
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
        Optional<SimUser> user = state.userByToken(token(ex, params));
        if (user.isEmpty()) {
            return Response.error(401, "401 Unauthorized");
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
        IssueUpdate update = new IssueUpdate(r.list("add_labels"), r.list("remove_labels"), r.list("labels"),
                stateEvent, assigneeIds, false);
        mutations.updateIssue(r.user(), p.id(), issue.iid(), update);
        return Response.ok(json.issue(p, state.issue(p.id(), issue.iid()).orElseThrow()));
    }

    /** Default order {@code created_at desc} like GitLab; {@code order_by} created_at|updated_at, {@code sort}. */
    private Response listNotes(Request r) {
        SimProject p = project(r);
        List<SimNote> notes = new ArrayList<>(state.notes(p.id(), issue(r).iid()));
        Comparator<SimNote> order = "updated_at".equals(r.param("order_by"))
                ? Comparator.comparing(SimNote::updatedAt) : Comparator.comparing(SimNote::createdAt);
        order = order.thenComparing(SimNote::id);
        if (!"asc".equalsIgnoreCase(r.param("sort"))) {
            order = order.reversed();
        }
        notes.sort(order);
        return page(r, notes, json::note);
    }

    private Response createNote(Request r) {
        SimProject p = project(r);
        SimIssue issue = issue(r);
        String body = r.param("body");
        if (body == null || body.isBlank()) {
            throw new BadRequest("body is missing");
        }
        boolean internal = Boolean.parseBoolean(Optional.ofNullable(r.param("internal"))
                .orElse(Optional.ofNullable(r.param("confidential")).orElse("false")));
        NoteCreated created = mutations.addNote(r.user(), p.id(), issue.iid(), body, internal);
        return new Response(201, json.note(created.note()), Map.of());
    }

    // ---------------------------------------------------------------- helpers

    private <T> Response page(Request r, List<T> all, Function<T, JsonNode> render) {
        SimPagination.Page<T> page = SimPagination.paginate(all, r.params(), r.resourceUrl());
        ArrayNode array = F.arrayNode();
        page.items().forEach(item -> array.add(render.apply(item)));
        return new Response(200, array, page.headers());
    }

    private SimProject project(Request r) {
        return state.findProject(r.vars().get("id")).orElseThrow(() -> new NotFound("404 Project Not Found"));
    }

    private SimIssue issue(Request r) {
        SimProject p = project(r);
        try {
            return state.issue(p.id(), longVar(r, "iid")).orElseThrow(() -> new NotFound("404 Not found"));
        } catch (NumberFormatException e) {
            throw new NotFound("404 Not found");
        }
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

    /** Thrown by handlers for a 400 {@code {"error": ...}}. */
    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}
