package org.countersign.gitlab;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
import org.countersign.policy.Comment;
import org.countersign.policy.LabelChange;
import org.countersign.policy.SignoffCommand;
import org.countersign.policy.StateChange;
import org.countersign.policy.TicketHistory;
import org.countersign.policy.UserRef;
import org.countersign.workflow.GitLabFailure;
import org.countersign.workflow.GitLabPort;
import org.countersign.runtime.Metrics;
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
 * {@link GitLabPort} over GitLab4J. Translates GitLab's models into the policy's history types and
 * every failure into {@link GitLabFailure}. Memberships are cached for
 * {@code countersign.gitlab.member-cache-ttl}; nothing else is cached, so decisions see GitLab as it is.
 */
@ApplicationScoped
public class GitLab4JGateway implements GitLabPort {

    private static final Logger LOG = Logger.getLogger(GitLab4JGateway.class);
    private static final int PER_PAGE = 100;

    private final GitLabApi api;
    private final LabelEditApi labels;
    private final HooksApi hooks;
    private final Clock clock;
    private final Metrics metrics;
    private final Duration memberTtl;
    private final Map<String, CachedLevel> memberCache = new ConcurrentHashMap<>();
    private volatile Long botUserId;

    private record CachedLevel(Optional<Integer> level, Instant expires) {
    }

    public GitLab4JGateway(Settings settings, Clock clock, Metrics metrics) {
        this.api = new GitLabApi(settings.gitlabUrl(), settings.gitlabToken())
                .withRequestTimeout((int) settings.connectTimeout().toMillis(), (int) settings.readTimeout().toMillis());
        ReusingApiClient.install(api, settings.gitlabUrl(), settings.gitlabToken(), settings.connectTimeout(),
                settings.readTimeout());
        this.labels = new LabelEditApi(api);
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
     * Reads the issue, its events and notes, then the issue again: GitLab bumps {@code updated_at} on
     * every label, state and note change, so an unchanged {@code updated_at} proves the reads form one
     * consistent snapshot. Otherwise it reads again (a torn history could misjudge a sign-off).
     */
    @Override
    public LoadedTicket loadTicket(long projectId, long iid, Optional<Instant> knownUpdatedAt) {
        Optional<Instant> expected = knownUpdatedAt;
        for (int attempt = 1; ; attempt++) {
            Issue before = expected.isPresent() ? null : call("GET issue", () -> api.getIssuesApi().getIssue(projectId, iid));
            Instant from = expected.orElseGet(() -> instant(before.getUpdatedAt()));
            History history = loadHistory(projectId, iid);
            Issue after = call("GET issue", () -> api.getIssuesApi().getIssue(projectId, iid));
            if (instant(after.getUpdatedAt()).equals(from)) {
                return assemble(projectId, iid, after, history);
            }
            if (attempt == 3) {
                throw new GitLabFailure("issue " + projectId + "#" + iid + " kept changing while its history was read",
                        0, Optional.empty(), null);
            }
            expected = Optional.of(instant(after.getUpdatedAt()));
        }
    }

    @Override
    public List<HookStatus> hooks(long projectId) {
        return call("GET hooks", () -> hooks.list(projectId));
    }

    private record History(List<LabelEvent> labelEvents, List<IssueEvent> stateEvents, List<Note> notes) {
    }

    private History loadHistory(long projectId, long iid) {
        List<LabelEvent> labelEvents = call("GET resource_label_events",
                () -> api.getResourceLabelEventsApi().getIssueLabelEvents(projectId, iid, PER_PAGE).all());
        List<IssueEvent> stateEvents = call("GET resource_state_events",
                () -> api.getResourceStateEventsApi().getIssueStateEvents(projectId, iid, PER_PAGE).all());
        List<Note> notes = call("GET notes", () -> api.getNotesApi().getIssueNotes(projectId, iid, PER_PAGE).all());
        return new History(labelEvents, stateEvents, notes);
    }

    private LoadedTicket assemble(long projectId, long iid, Issue issue, History h) {
        List<LabelEvent> labelEvents = h.labelEvents();
        List<IssueEvent> stateEvents = h.stateEvents();
        List<Note> notes = h.notes();
        List<Comment> comments = new ArrayList<>(notes.size());
        Set<Long> signers = new HashSet<>();
        for (Note n : notes) {
            UserRef author = user(n.getAuthor() == null ? null : n.getAuthor().getId(),
                    n.getAuthor() == null ? null : n.getAuthor().getUsername());
            boolean system = Boolean.TRUE.equals(n.getSystem());
            comments.add(new Comment(n.getId(), instant(n.getCreatedAt()), author, n.getBody(), system));
            if (!system && SignoffCommand.isSignoff(n.getBody())) {
                signers.add(author.id());
            }
        }
        Map<Long, Integer> access = new HashMap<>();
        for (Long signer : signers) {
            accessLevel(projectId, signer).ifPresent(level -> access.put(signer, level));
        }
        List<LabelChange> labelChanges = new ArrayList<>(labelEvents.size());
        for (LabelEvent e : labelEvents) {
            if (e.getLabel() == null) {
                continue; // the label was deleted since; GitLab returns null for it
            }
            labelChanges.add(new LabelChange(e.getId(), Instant.parse(e.getCreatedAt()), user(e.getUser()),
                    e.getLabel().getName(), "add".equals(e.getAction())));
        }
        List<StateChange> stateChanges = new ArrayList<>(stateEvents.size());
        for (IssueEvent e : stateEvents) {
            stateKind(e.getState()).ifPresent(kind -> stateChanges.add(
                    new StateChange(e.getId(), Instant.parse(e.getCreatedAt()), user(e.getUser()), kind)));
        }
        List<UserRef> assignees = issue.getAssignees() == null ? List.of()
                : issue.getAssignees().stream().map(a -> user(a.getId(), a.getUsername())).toList();
        TicketHistory history = new TicketHistory(projectId, iid, issue.getTitle(),
                user(issue.getAuthor().getId(), issue.getAuthor().getUsername()), assignees,
                issue.getState() == Constants.IssueState.CLOSED,
                issue.getLabels() == null ? Set.of() : Set.copyOf(issue.getLabels()),
                instant(issue.getCreatedAt()),
                Optional.ofNullable(issue.getClosedAt()).map(Date::toInstant),
                Optional.ofNullable(issue.getClosedBy()).map(u -> user(u.getId(), u.getUsername())),
                labelChanges, stateChanges, comments, access);
        return new LoadedTicket(history, instant(issue.getUpdatedAt()), issue.getWebUrl());
    }

    private Optional<Integer> accessLevel(long projectId, long userId) {
        String key = projectId + ":" + userId;
        Instant now = clock.instant();
        CachedLevel cached = memberCache.get(key);
        if (cached != null && cached.expires().isAfter(now)) {
            return cached.level();
        }
        Optional<Integer> level;
        try {
            Member m = call("GET member", () -> api.getProjectApi().getMember(projectId, userId, true));
            level = Optional.ofNullable(m.getAccessLevel()).map(l -> l.value);
            if (m.getState() != null && !"active".equalsIgnoreCase(m.getState().toString())) {
                level = Optional.empty(); // blocked or awaiting users cannot review
            }
        } catch (GitLabFailure e) {
            if (!e.notFound()) {
                throw e;
            }
            level = Optional.empty();
        }
        memberCache.put(key, new CachedLevel(level, now.plus(memberTtl)));
        return level;
    }

    @Override
    public IssueState issueState(long projectId, long iid) {
        Issue issue = call("GET issue", () -> api.getIssuesApi().getIssue(projectId, iid));
        return new IssueState(issue.getState() == Constants.IssueState.CLOSED,
                issue.getLabels() == null ? Set.of() : Set.copyOf(issue.getLabels()), instant(issue.getUpdatedAt()));
    }

    @Override
    public Optional<StateChange> latestClose(long projectId, long iid) {
        List<IssueEvent> events = call("GET resource_state_events",
                () -> api.getResourceStateEventsApi().getIssueStateEvents(projectId, iid, PER_PAGE).all());
        return events.stream()
                .filter(e -> "closed".equals(e.getState()))
                .map(e -> new StateChange(e.getId(), Instant.parse(e.getCreatedAt()), user(e.getUser()), StateChange.Kind.CLOSED))
                .max(Comparator.comparing(StateChange::at).thenComparingLong(StateChange::id));
    }

    @Override
    public void reopen(long projectId, long iid) {
        call("PUT issue state_event=reopen", () -> api.getIssuesApi().reopenIssue(projectId, iid));
    }

    @Override
    public void addLabels(long projectId, long iid, List<String> names) {
        call("PUT issue add_labels", () -> {
            labels.addLabels(projectId, iid, names);
            return null;
        });
    }

    @Override
    public boolean hasNoteContaining(long projectId, long iid, String text) {
        List<Note> notes = call("GET notes", () -> api.getNotesApi().getIssueNotes(projectId, iid, PER_PAGE).all());
        return notes.stream().anyMatch(n -> n.getBody() != null && n.getBody().contains(text));
    }

    @Override
    public void postNote(long projectId, long iid, String body) {
        call("POST note", () -> api.getNotesApi().createIssueNote(projectId, iid, body));
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
                each.accept(new IssueHead(i.getIid(), instant(i.getUpdatedAt())));
            }
        }
    }

    private static Optional<StateChange.Kind> stateKind(String state) {
        if (state == null) {
            return Optional.empty();
        }
        return switch (state) {
            case "closed" -> Optional.of(StateChange.Kind.CLOSED);
            case "reopened" -> Optional.of(StateChange.Kind.REOPENED);
            case "opened" -> Optional.of(StateChange.Kind.OPENED);
            default -> Optional.empty();
        };
    }

    private static UserRef user(org.gitlab4j.api.models.AbstractUser<?> u) {
        return u == null ? new UserRef(-1, "ghost") : user(u.getId(), u.getUsername());
    }

    private static UserRef user(Long id, String username) {
        return new UserRef(id == null ? -1 : id, username == null ? "ghost" : username);
    }

    private static Instant instant(Date d) {
        return d == null ? Instant.EPOCH : d.toInstant();
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
