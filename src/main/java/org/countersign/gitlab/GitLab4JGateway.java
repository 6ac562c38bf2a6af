package org.countersign.gitlab;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.countersign.config.Settings;
import org.countersign.policy.ProjectMember;
import org.countersign.policy.SignerFacts;
import org.countersign.policy.TicketHistory;
import org.countersign.policy.UserRef;
import org.countersign.runtime.Metrics;
import org.countersign.workflow.GitLabFailure;
import org.countersign.workflow.GitLabPort;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.GitLabApiException;
import org.gitlab4j.api.Pager;
import org.gitlab4j.api.models.Issue;
import org.gitlab4j.api.models.IssueEvent;
import org.gitlab4j.api.models.IssueFilter;
import org.gitlab4j.api.models.LabelEvent;
import org.gitlab4j.api.models.Member;
import org.gitlab4j.api.models.Note;
import org.gitlab4j.api.models.Project;
import org.gitlab4j.models.Constants;
import org.jboss.logging.Logger;

/**
 * {@link GitLabPort} over GitLab4J. Translates GitLab's models into the policy's history types
 * ({@link HistoryMapper}) and every failure into {@link GitLabFailure}. What GitLab says about a signer
 * (membership, account kind) is cached for {@code countersign.gitlab.member-cache-ttl}; nothing else
 * is cached, so decisions see GitLab as it is.
 */
@ApplicationScoped
public class GitLab4JGateway implements GitLabPort {

    private static final Logger LOG = Logger.getLogger(GitLab4JGateway.class);
    private static final int PER_PAGE = IssueResourceApi.PER_PAGE;
    /** Notes oldest first: a note added while the pages are read lands on the last page, shifting nothing. */
    private static final Map<String, String> NOTES_OLDEST_FIRST = Map.of("order_by", "created_at", "sort", "asc");
    private static final int CONSISTENT_READ_ATTEMPTS = 3;

    private final GitLabApi api;
    private final IssueResourceApi issues;
    private final HooksApi hooks;
    private final Clock clock;
    private final Metrics metrics;
    private final Duration memberTtl;
    private final Map<String, Cached<Optional<Member>>> memberCache = new ConcurrentHashMap<>();
    private final Map<Long, Cached<Optional<IssueResourceApi.UserInfo>>> userCache = new ConcurrentHashMap<>();
    private final Map<Long, Cached<Optional<String>>> defaultBranchCache = new ConcurrentHashMap<>();
    private static final java.time.Duration DEFAULT_BRANCH_TTL = java.time.Duration.ofMinutes(10);
    private volatile Long botUserId;

    private record Cached<T>(T value, Instant expires) {
    }

    public GitLab4JGateway(Settings settings, Clock clock, Metrics metrics) {
        this.api = new GitLabApi(settings.gitlabUrl(), settings.gitlabToken())
                .withRequestTimeout((int) settings.connectTimeout().toMillis(), (int) settings.readTimeout().toMillis());
        ReusingApiClient.install(api, settings.gitlabUrl(), settings.gitlabToken(), settings.connectTimeout(),
                settings.readTimeout());
        this.issues = new IssueResourceApi(api);
        this.hooks = new HooksApi(api);
        this.clock = clock;
        this.metrics = metrics;
        this.memberTtl = settings.memberCacheTtl();
    }

    @PreDestroy
    void close() {
        api.close();
    }

    @Override
    public long botUserId() {
        Long id = botUserId;
        if (id == null) {
            id = call("GET /user", () -> api.getUserApi().getCurrentUser().getId());
            botUserId = id;
        }
        return id;
    }

    @Override
    public ProjectInfo project(String idOrPath) {
        Project p = call("GET project", () -> api.getProjectApi().getProject(projectRef(idOrPath)));
        return new ProjectInfo(p.getId(), p.getPathWithNamespace(), p.getWebUrl());
    }

    private static Object projectRef(String idOrPath) {
        return idOrPath.chars().allMatch(Character::isDigit) ? Long.valueOf(idOrPath) : idOrPath;
    }

    /**
     * Reads the issue, its events and notes (every page), then the issue again. GitLab moves the
     * issue's {@code updated_at} with every label and state change, but with new notes at most once a
     * minute ({@code ThrottledTouch}); its user-note count moves with every note added or deleted. So
     * an unchanged {@code updated_at} and note count, and no note seen twice across pages, prove the
     * reads form one snapshot; otherwise it reads again (a torn history could misjudge a sign-off).
     */
    @Override
    public LoadedTicket loadTicket(long projectId, long iid, Optional<IssueVersion> known) {
        Optional<IssueVersion> expected = known;
        for (int attempt = 1; ; attempt++) {
            IssueVersion before = expected.isPresent() ? expected.get() : version(readIssue(projectId, iid));
            History history = loadHistory(projectId, iid);
            long verifying = System.nanoTime();
            IssueResourceApi.IssueSnapshot after = readIssue(projectId, iid);
            IssueVersion now = version(after);
            if (now.equals(before) && history.distinctNotes()) {
                return assemble(projectId, iid, after, now, history, verifying);
            }
            if (attempt == CONSISTENT_READ_ATTEMPTS) {
                throw new GitLabFailure("issue " + projectId + "#" + iid + " kept changing while its history was read",
                        0, Optional.empty(), null);
            }
            LOG.debugf("issue %d#%d changed while its history was read (%s -> %s), reading again", projectId, iid, before, now);
            expected = Optional.of(now);
        }
    }

    private IssueResourceApi.IssueSnapshot readIssue(long projectId, long iid) {
        return call("GET issue", () -> issues.issue(projectId, iid));
    }

    private static IssueVersion version(IssueResourceApi.IssueSnapshot s) {
        return version(s.issue());
    }

    private static IssueVersion version(Issue issue) {
        return new IssueVersion(updatedAt(issue),
                issue.getUserNotesCount() == null ? -1 : issue.getUserNotesCount());
    }

    /** GitLab always sends an issue's {@code updated_at}; without it no snapshot can be proved consistent. */
    private static Instant updatedAt(Issue issue) {
        return HistoryMapper.instant(issue.getUpdatedAt()).orElseThrow(() -> new GitLabFailure("GitLab answered issue "
                + issue.getProjectId() + "#" + issue.getIid() + " without updated_at", 0, Optional.empty(), null));
    }

    @Override
    public List<HookStatus> hooks(long projectId) {
        return call("GET hooks", () -> hooks.list(projectId));
    }

    private record History(List<LabelEvent> labelEvents, List<IssueEvent> stateEvents, List<Note> notes) {
        /** A note listed twice means one was added or removed between two pages: the read is torn. */
        boolean distinctNotes() {
            Set<Long> seen = new HashSet<>();
            return notes.stream().allMatch(n -> seen.add(n.getId()));
        }
    }

    private History loadHistory(long projectId, long iid) {
        List<LabelEvent> labelEvents = call("GET resource_label_events",
                () -> issues.all(LabelEvent.class, projectId, iid, "resource_label_events", Map.of()));
        List<IssueEvent> stateEvents = call("GET resource_state_events",
                () -> issues.all(IssueEvent.class, projectId, iid, "resource_state_events", Map.of()));
        List<Note> notes = call("GET notes", () -> issues.all(Note.class, projectId, iid, "notes", NOTES_OLDEST_FIRST));
        return new History(labelEvents, stateEvents, notes);
    }

    private LoadedTicket assemble(long projectId, long iid, IssueResourceApi.IssueSnapshot issue, IssueVersion version,
                                  History h, long consistentAsOfNanos) {
        Map<Long, SignerFacts> signers = new HashMap<>();
        for (Note n : h.notes()) {
            Long id = n.getAuthor() == null ? null : n.getAuthor().getId();
            if (id != null && !signers.containsKey(id) && HistoryMapper.signerIds(List.of(n)).contains(id)) {
                signers.put(id, signerFacts(projectId, id, n.getAuthor().getUsername()));
            }
        }
        // A sign-off's updated_at later than its created_at is an edit unless an emoji reaction explains it.
        Map<Long, List<Instant>> reactions = new HashMap<>();
        for (Note n : h.notes()) {
            if (HistoryMapper.touchedAfterWriting(n) && !HistoryMapper.signerIds(List.of(n)).isEmpty()) {
                reactions.put(n.getId(), call("GET award_emoji", () -> issues.noteReactionTimes(projectId, iid, n.getId())));
            }
        }
        TicketHistory history = HistoryMapper.history(projectId, iid, issue, h.labelEvents(), h.stateEvents(), h.notes(),
                signers, reactions);
        return new LoadedTicket(history, version, issue.issue().getWebUrl(), consistentAsOfNanos);
    }

    @Override
    public List<ProjectMember> members(long projectId) {
        // GET /projects/:id/members/all: direct and inherited members with their effective access level
        // (https://docs.gitlab.com/api/members/#list-all-members-of-a-group-or-project-including-inherited-and-invited-members)
        List<Member> all = call("GET members/all", () -> api.getProjectApi().getAllMembers(projectId, 100).all());
        List<ProjectMember> result = new java.util.ArrayList<>(all.size());
        for (Member m : all) {
            if (m.getId() == null) {
                continue;
            }
            memberCache.put(projectId + ":" + m.getId(), new Cached<>(Optional.of(m), clock.instant().plus(memberTtl)));
            result.add(new ProjectMember(new UserRef(m.getId(), m.getUsername()),
                    signerFacts(projectId, m.getId(), m.getUsername())));
        }
        return result;
    }

    /** Tickets counted by GitLab: {@code count} is -1 when GitLab left out {@code X-Total} (past 10,000). */
    public record IssueCount(String label, long count) {
    }

    /** The labels of the project's board lists, every board, in board then list order, each once. */
    public List<String> boardListLabels(long projectId) {
        // GET /projects/:id/boards: boards with their lists, each list with its label (https://docs.gitlab.com/api/boards/)
        List<org.gitlab4j.api.models.Board> boards = call("GET boards", () -> api.getBoardsApi().getBoards(projectId));
        java.util.LinkedHashSet<String> labels = new java.util.LinkedHashSet<>();
        for (org.gitlab4j.api.models.Board b : boards) {
            if (b.getLists() == null) {
                continue;
            }
            b.getLists().stream()
                    .filter(l -> l.getLabel() != null && l.getLabel().getName() != null)
                    .sorted(java.util.Comparator.comparing(l -> l.getPosition() == null ? Integer.MAX_VALUE : l.getPosition()))
                    .forEach(l -> labels.add(l.getLabel().getName()));
        }
        return List.copyOf(labels);
    }

    /**
     * How many issues are in {@code state} (opened, closed), carrying {@code label} if given and none of
     * {@code withoutLabels}: one request for
     * one item per page, the number read from GitLab's {@code X-Total} header
     * (https://docs.gitlab.com/api/rest/#pagination-response-headers; absent past 10,000 issues).
     */
    public long countIssues(long projectId, String state, Optional<String> label, List<String> withoutLabels) {
        org.gitlab4j.api.models.IssueFilter filter = new org.gitlab4j.api.models.IssueFilter()
                .withState("closed".equals(state) ? org.gitlab4j.api.Constants.IssueState.CLOSED
                        : org.gitlab4j.api.Constants.IssueState.OPENED);
        label.ifPresent(l -> filter.withLabels(List.of(l)));
        if (!withoutLabels.isEmpty()) {
            filter.withoutLabels(withoutLabels.toArray(String[]::new)); // not[labels]: none of them
        }
        return call("GET issues (count)", () -> (long) api.getIssuesApi().getIssues(projectId, filter, 1).getTotalItems());
    }

    /** Membership (effective level, including inherited) and account kind of someone who wrote a sign-off. */
    private SignerFacts signerFacts(long projectId, long userId, String username) {
        Optional<Member> member = cached(memberCache, projectId + ":" + userId, () -> {
            try {
                return Optional.of(call("GET member", () -> api.getProjectApi().getMember(projectId, userId, true)));
            } catch (GitLabFailure e) {
                if (e.notFound()) {
                    return Optional.empty();
                }
                throw e;
            }
        });
        Optional<IssueResourceApi.UserInfo> user = cached(userCache, userId, () -> {
            try {
                return Optional.of(call("GET user", () -> issues.user(userId)));
            } catch (GitLabFailure e) {
                if (e.notFound() || e.status() == 403) {
                    return Optional.empty(); // users' profiles may be hidden: judge by the username then
                }
                throw e;
            }
        });
        SignerFacts.Account account = HistoryMapper.account(user.map(IssueResourceApi.UserInfo::bot).orElse(false),
                user.map(IssueResourceApi.UserInfo::username).orElse(username));
        boolean active = member.map(m -> m.getState() == null || "active".equalsIgnoreCase(m.getState().toString()))
                .orElse(true)
                && user.map(u -> "active".equalsIgnoreCase(u.state())).orElse(true);
        Optional<Integer> level = member.flatMap(m -> Optional.ofNullable(m.getAccessLevel()).map(l -> l.value));
        return new SignerFacts(userId, account, active, level);
    }

    private <K, T> T cached(Map<K, Cached<T>> cache, K key, java.util.function.Supplier<T> load) {
        return cached(cache, key, memberTtl, load);
    }

    private <K, T> T cached(Map<K, Cached<T>> cache, K key, java.time.Duration ttl, java.util.function.Supplier<T> load) {
        Instant now = clock.instant();
        Cached<T> c = cache.get(key);
        if (c != null && c.expires().isAfter(now)) {
            return c.value();
        }
        T value = load.get();
        cache.put(key, new Cached<>(value, now.plus(ttl)));
        return value;
    }

    @Override
    public IssueState issueState(long projectId, long iid) {
        return state(readIssue(projectId, iid));
    }

    private static IssueState state(IssueResourceApi.IssueSnapshot s) {
        Issue issue = s.issue();
        return new IssueState(issue.getState() == Constants.IssueState.CLOSED,
                issue.getLabels() == null ? Set.of() : Set.copyOf(issue.getLabels()),
                updatedAt(issue),
                Boolean.TRUE.equals(issue.getDiscussionLocked()));
    }

    @Override
    public IssueState reopen(long projectId, long iid, List<String> labels) {
        Map<String, String> form = new HashMap<>();
        form.put("state_event", "reopen");
        if (!labels.isEmpty()) {
            form.put("add_labels", String.join(",", labels));
        }
        return state(call("PUT issue state_event=reopen", () -> issues.update(projectId, iid, form)));
    }

    @Override
    public Optional<RepositoryFile> repositoryFile(long projectId, String path) {
        // the default branch rarely changes: read once per DEFAULT_BRANCH_TTL, so a quiet reconciliation
        // pass costs one call for the policy file (issue 10), not two
        String branch = cached(defaultBranchCache, projectId, DEFAULT_BRANCH_TTL,
                () -> Optional.ofNullable(call("GET project", () -> api.getProjectApi().getProject(projectId)).getDefaultBranch()))
                .orElse(null);
        if (branch == null || branch.isBlank()) {
            return Optional.empty(); // an empty repository has no default branch, so no file
        }
        try {
            org.gitlab4j.api.models.RepositoryFile f = call("GET repository file",
                    () -> api.getRepositoryFileApi().getFile(projectId, path, branch));
            return Optional.of(new RepositoryFile(f.getDecodedContentAsString(), branch, f.getLastCommitId()));
        } catch (GitLabFailure e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public IssueState changeLabels(long projectId, long iid, List<String> add, List<String> remove) {
        Map<String, String> form = new HashMap<>();
        if (!add.isEmpty()) {
            form.put("add_labels", String.join(",", add));
        }
        if (!remove.isEmpty()) {
            form.put("remove_labels", String.join(",", remove));
        }
        return state(call("PUT issue labels", () -> issues.update(projectId, iid, form)));
    }

    @Override
    public IssueState setDiscussionLocked(long projectId, long iid, boolean locked) {
        return state(call("PUT issue discussion_locked", () -> issues.update(projectId, iid,
                Map.of("discussion_locked", String.valueOf(locked)))));
    }

    @Override
    public boolean hasNoteContaining(long projectId, long iid, String text) {
        List<Note> notes = call("GET notes", () -> issues.all(Note.class, projectId, iid, "notes", NOTES_OLDEST_FIRST));
        return notes.stream().anyMatch(n -> n.getBody() != null && n.getBody().contains(text));
    }

    @Override
    public void postNote(long projectId, long iid, String body, boolean internal) {
        call("POST note", () -> api.getNotesApi().createIssueNote(projectId, iid, body, null, internal));
    }

    @Override
    public long createIssue(long projectId, String title, String description, List<String> labels) {
        Issue issue = call("POST issue", () -> api.getIssuesApi().createIssue(projectId, title, description, null, null, null,
                String.join(",", labels), null, null, null, null));
        return issue.getIid();
    }

    @Override
    public Optional<Long> findOpenIssue(long projectId, String label, String text) {
        IssueFilter filter = new IssueFilter().withLabels(List.of(label)).withState(Constants.IssueState.OPENED);
        Pager<Issue> pager = call("GET issues", () -> api.getIssuesApi().getIssues(projectId, filter, PER_PAGE));
        while (call("GET issues page", pager::hasNext)) {
            for (Issue i : call("GET issues page", pager::next)) {
                if (i.getDescription() != null && i.getDescription().contains(text)) {
                    return Optional.of(i.getIid());
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public void forEachIssueUpdatedSince(long projectId, Instant since, Consumer<IssueHead> each) {
        IssueFilter filter = new IssueFilter()
                .withUpdatedAfter(Date.from(since))
                .withOrderBy(Constants.IssueOrderBy.UPDATED_AT)
                .withSort(Constants.SortOrder.ASC);
        // No withState: GitLab returns opened and closed issues when state is absent.
        Pager<Issue> pager = call("GET issues", () -> api.getIssuesApi().getIssues(projectId, filter, PER_PAGE));
        while (true) {
            boolean more = call("GET issues page", pager::hasNext);
            if (!more) {
                break;
            }
            List<Issue> page = call("GET issues page", pager::next);
            for (Issue i : page) {
                each.accept(new IssueHead(i.getIid(), version(i)));
            }
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws GitLabApiException;
    }

    private <T> T call(String what, Call<T> call) {
        long start = System.nanoTime();
        int status = 200;
        try {
            return call.run();
        } catch (GitLabApiException e) {
            status = e.getHttpStatus();
            throw failure(what, e);
        } catch (RuntimeException e) {
            // GitLab4J wraps transport errors (connection refused, timeouts) in runtime exceptions
            if (e.getCause() instanceof GitLabApiException g) {
                status = g.getHttpStatus();
                throw failure(what, g);
            }
            status = 0;
            LOG.debugf(e, "GitLab call %s failed", what);
            throw new GitLabFailure(what + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(), 0,
                    Optional.empty(), what, null, e);
        } finally {
            metrics.gitlabCall(what, status, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** The failure of {@code what}, with GitLab's own message and, for a 429, how long it asked to wait. */
    private GitLabFailure failure(String what, GitLabApiException e) {
        int status = e.getHttpStatus();
        Optional<Duration> wait = status == 429 ? retryAfter(name -> header(e, name), clock.instant()) : Optional.empty();
        return new GitLabFailure(what + " failed: HTTP " + status + " " + e.getMessage(), status, wait, what, e.getMessage(), e);
    }

    private static String header(GitLabApiException e, String name) {
        if (e.getHeaders() == null) {
            return null;
        }
        for (Map.Entry<String, List<String>> h : e.getHeaders().entrySet()) {
            if (h.getKey() != null && h.getKey().equalsIgnoreCase(name) && h.getValue() != null && !h.getValue().isEmpty()) {
                return h.getValue().get(0);
            }
        }
        return null;
    }

    /**
     * How long a 429 asks to wait, if it says: {@code Retry-After} (delay-seconds or an HTTP-date, RFC 9110
     * §10.2.3), else {@code RateLimit-Reset} (Unix time of the quota's reset). GitLab's Rack::Attack throttles
     * send both ({@code Gitlab::RackAttack.throttled_response_headers}, lib/gitlab/rack_attack.rb); its
     * per-endpoint application limits (e.g. notes creation, {@code API::Helpers::RateLimiter#check_rate_limit!},
     * lib/api/helpers/rate_limiter.rb) answer 429 with neither: empty then. Absolute times are measured from
     * the answer's {@code Date} header when there is one, so a skewed local clock does not change the wait.
     */
    static Optional<Duration> retryAfter(java.util.function.Function<String, String> header, Instant now) {
        Instant base = now;
        String date = header.apply("Date");
        if (date != null) {
            try {
                base = java.time.ZonedDateTime.parse(date.strip(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
            } catch (java.time.format.DateTimeParseException ignored) {
                // keep the local clock
            }
        }
        String retryAfter = header.apply("Retry-After");
        if (retryAfter != null && !retryAfter.isBlank()) {
            String v = retryAfter.strip();
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
            } catch (NumberFormatException notSeconds) {
                try {
                    Instant at = java.time.ZonedDateTime.parse(v, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                    return Optional.of(positive(Duration.between(base, at)));
                } catch (java.time.format.DateTimeParseException notADate) {
                    // unusable: try RateLimit-Reset
                }
            }
        }
        String reset = header.apply("RateLimit-Reset");
        if (reset != null && !reset.isBlank()) {
            try {
                return Optional.of(positive(Duration.between(base, Instant.ofEpochSecond(Long.parseLong(reset.strip())))));
            } catch (NumberFormatException | java.time.DateTimeException ignored) {
                // unusable: no advice
            }
        }
        return Optional.empty();
    }

    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
