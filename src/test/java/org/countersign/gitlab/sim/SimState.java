package org.countersign.gitlab.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The simulator's in-memory GitLab data and its domain rules (label/state events, {@code updated_at},
 * auto-disabling of hooks). Thread-safe: every method synchronizes on this object and returns immutable
 * snapshots, so callers may render them without holding the lock. Lookup methods return Optional;
 * mutators throw {@link NoSuchElementException} for unknown projects/issues.
 */
final class SimState {

    /** GitLab's {@code Label::DEFAULT_COLOR}, used for labels created implicitly by {@code add_labels}. */
    static final String DEFAULT_LABEL_COLOR = "#6699cc";
    private static final String[] LIST_COLORS = {"#F0AD4E", "#FF0000", "#FF5F00", "#428BCA", "#5CB85C", "#8E44AD"};

    /** From GitLab's WebHooks::AutoDisabling. */
    static final int TEMPORARILY_DISABLED_FAILURE_THRESHOLD = 3;
    static final int PERMANENTLY_DISABLED_FAILURE_THRESHOLD = 39;

    private Clock clock = Clock.systemUTC();

    private long userSeq = 1, projectSeq = 1, labelSeq = 1, boardSeq = 1, listSeq = 1, issueSeq = 1, noteSeq = 1,
            labelEventSeq = 1, stateEventSeq = 1, hookSeq = 1;

    private final Map<Long, SimUser> users = new LinkedHashMap<>();
    private final Map<String, SimUser> usersByToken = new HashMap<>();
    private final Map<Long, ProjectData> projects = new LinkedHashMap<>();
    private final Map<String, ProjectData> projectsByPath = new HashMap<>();
    private final Map<Long, HookData> hooks = new LinkedHashMap<>();

    private static final class ProjectData {
        final SimProject project;
        final Map<String, SimLabel> labels = new LinkedHashMap<>();
        final List<SimBoard> boards = new ArrayList<>();
        final Map<Long, SimMember> members = new LinkedHashMap<>();
        final Map<Long, IssueData> issues = new LinkedHashMap<>();
        long nextIid = 1;

        ProjectData(SimProject project) {
            this.project = project;
        }
    }

    private static final class IssueData {
        long id, iid, projectId, authorId;
        String title, description;
        List<Long> assigneeIds = new ArrayList<>();
        boolean closed, confidential;
        List<SimLabel> labels = new ArrayList<>();
        Instant createdAt, updatedAt, closedAt;
        Long updatedById, closedById;
        final List<SimNote> notes = new ArrayList<>();
        final List<SimLabelEvent> labelEvents = new ArrayList<>();
        final List<SimStateEvent> stateEvents = new ArrayList<>();

        SimIssue snapshot() {
            int userNotes = (int) notes.stream().filter(n -> !n.system()).count();
            return new SimIssue(id, iid, projectId, title, description, authorId, assigneeIds,
                    closed ? "closed" : "opened", labels, createdAt, updatedAt, updatedById, closedAt, closedById,
                    confidential, userNotes);
        }
    }

    private static final class HookData {
        long id, projectId;
        String url, token;
        boolean issues = true, confidentialIssues = true, notes = true, confidentialNotes = true;
        int recentFailures;
        Instant disabledUntil, createdAt;

        String alertStatus(Instant now) {
            if (recentFailures > PERMANENTLY_DISABLED_FAILURE_THRESHOLD) {
                return "disabled";
            }
            if (recentFailures > TEMPORARILY_DISABLED_FAILURE_THRESHOLD) {
                if (disabledUntil == null) {
                    return "disabled";
                }
                return disabledUntil.isBefore(now) ? "executable" : "temporarily_disabled";
            }
            return "executable";
        }

        SimWebhook snapshot(Instant now) {
            return new SimWebhook(id, projectId, url, token, issues, confidentialIssues, notes, confidentialNotes,
                    recentFailures, disabledUntil, alertStatus(now), createdAt);
        }
    }

    // ---------------------------------------------------------------- time

    synchronized void setClock(Clock clock) {
        this.clock = clock;
    }

    synchronized Clock clock() {
        return clock;
    }

    /** Current simulated time, truncated to milliseconds (the precision GitLab's API shows). */
    synchronized Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    // ---------------------------------------------------------------- users

    synchronized SimUser addUser(String username, String name, boolean admin) {
        if (users.values().stream().anyMatch(u -> u.username().equalsIgnoreCase(username))) {
            throw new IllegalArgumentException("username taken: " + username);
        }
        long id = userSeq++;
        String token = "glpat-sim-" + id + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        SimUser user = new SimUser(id, username, name, username + "@example.com", token, now(), admin);
        users.put(id, user);
        usersByToken.put(token, user);
        return user;
    }

    synchronized Optional<SimUser> userByToken(String token) {
        return Optional.ofNullable(token == null ? null : usersByToken.get(token));
    }

    synchronized Optional<SimUser> user(long id) {
        return Optional.ofNullable(users.get(id));
    }

    // ---------------------------------------------------------------- projects, labels, members, boards

    synchronized SimProject createProject(String pathWithNamespace, String name) {
        String key = pathWithNamespace.toLowerCase(Locale.ROOT);
        if (projectsByPath.containsKey(key)) {
            throw new IllegalArgumentException("project exists: " + pathWithNamespace);
        }
        long id = projectSeq++;
        SimProject p = new SimProject(id, pathWithNamespace, name, now());
        ProjectData data = new ProjectData(p);
        projects.put(id, data);
        projectsByPath.put(key, data);
        return p;
    }

    /** Finds a project by numeric id or (already URL-decoded) full path; paths match case-insensitively. */
    synchronized Optional<SimProject> findProject(String idOrPath) {
        ProjectData data = null;
        if (idOrPath.chars().allMatch(Character::isDigit) && !idOrPath.isEmpty()) {
            data = projects.get(Long.parseLong(idOrPath));
        }
        if (data == null) {
            data = projectsByPath.get(idOrPath.toLowerCase(Locale.ROOT));
        }
        return Optional.ofNullable(data).map(d -> d.project);
    }

    synchronized SimProject project(long id) {
        return data(id).project;
    }

    /** Returns the label named {@code name}, creating it (with {@code color} or the default) if missing. */
    synchronized SimLabel ensureLabel(long projectId, String name, String color, String description) {
        ProjectData d = data(projectId);
        return d.labels.computeIfAbsent(name, n -> new SimLabel(labelSeq++, projectId, n,
                color == null ? DEFAULT_LABEL_COLOR : color, description == null ? "" : description, now()));
    }

    synchronized List<SimLabel> labels(long projectId) {
        return List.copyOf(data(projectId).labels.values());
    }

    synchronized SimMember addMember(long projectId, SimUser user, int accessLevel, SimUser grantedBy) {
        SimMember m = new SimMember(projectId, user, accessLevel, now(), grantedBy);
        data(projectId).members.put(user.id(), m);
        return m;
    }

    synchronized boolean removeMember(long projectId, long userId) {
        return data(projectId).members.remove(userId) != null;
    }

    synchronized List<SimMember> members(long projectId) {
        return List.copyOf(data(projectId).members.values());
    }

    synchronized Optional<SimMember> member(long projectId, long userId) {
        return Optional.ofNullable(data(projectId).members.get(userId));
    }

    synchronized SimBoard createBoard(long projectId, String name, List<String> listLabels) {
        ProjectData d = data(projectId);
        List<SimBoardList> lists = new ArrayList<>();
        int position = 1;
        for (String labelName : listLabels) {
            String color = LIST_COLORS[(int) ((labelSeq - 1) % LIST_COLORS.length)];
            lists.add(new SimBoardList(listSeq++, ensureLabel(projectId, labelName, color, null), position++));
        }
        SimBoard board = new SimBoard(boardSeq++, projectId, name, lists);
        d.boards.add(board);
        return board;
    }

    synchronized List<SimBoard> boards(long projectId) {
        return List.copyOf(data(projectId).boards);
    }

    // ---------------------------------------------------------------- issues

    synchronized IssueChange createIssue(SimUser actor, long projectId, String title, String description,
            boolean confidential, List<String> labels, List<Long> assigneeIds) {
        ProjectData d = data(projectId);
        Instant now = now();
        IssueData i = new IssueData();
        i.id = issueSeq++;
        i.iid = d.nextIid++;
        i.projectId = projectId;
        i.authorId = actor.id();
        i.title = title;
        i.description = description;
        i.confidential = confidential;
        i.assigneeIds = new ArrayList<>(new LinkedHashSet<>(assigneeIds));
        i.createdAt = now;
        i.updatedAt = now;
        for (String l : new LinkedHashSet<>(labels)) {
            SimLabel label = ensureLabel(projectId, l, null, null);
            i.labels.add(label);
            // GitLab records label events for labels given at creation time too.
            i.labelEvents.add(new SimLabelEvent(labelEventSeq++, i.id, actor, now, label, "add"));
        }
        i.labels.sort(Comparator.comparing(SimLabel::name));
        d.issues.put(i.iid, i);
        return new IssueChange(d.project, actor, null, i.snapshot(), "open", now);
    }

    synchronized Optional<SimIssue> issue(long projectId, long iid) {
        return Optional.ofNullable(data(projectId).issues.get(iid)).map(IssueData::snapshot);
    }

    synchronized List<SimIssue> issues(long projectId) {
        return data(projectId).issues.values().stream().map(IssueData::snapshot).toList();
    }

    /**
     * Applies {@code update} atomically as {@code actor}: one timestamp for every label/state event it
     * records. Returns null (and changes nothing, not even {@code updated_at}) when the update is a no-op,
     * e.g. closing a closed issue; GitLab fires no hook then.
     */
    synchronized IssueChange updateIssue(SimUser actor, long projectId, long iid, IssueUpdate update) {
        ProjectData d = data(projectId);
        IssueData i = issueData(d, iid);
        SimIssue before = i.snapshot();
        Instant now = now();

        List<SimLabel> labels = new ArrayList<>(i.labels);
        if (update.replaceLabels() != null) {
            labels.clear();
            for (String name : new LinkedHashSet<>(update.replaceLabels())) {
                labels.add(ensureLabel(projectId, name, null, null));
            }
        }
        Set<String> remove = new LinkedHashSet<>(update.removeLabels());
        if (update.removeBoardListLabels()) {
            d.boards.forEach(b -> b.lists().forEach(l -> remove.add(l.label().name())));
        }
        labels.removeIf(l -> remove.contains(l.name()));
        for (String name : update.addLabels()) {
            if (labels.stream().noneMatch(l -> l.name().equals(name))) {
                labels.add(ensureLabel(projectId, name, null, null));
            }
        }
        labels.sort(Comparator.comparing(SimLabel::name));
        List<SimLabel> added = labels.stream().filter(l -> !i.labels.contains(l)).toList();
        List<SimLabel> removed = i.labels.stream().filter(l -> !labels.contains(l)).toList();

        String stateEvent = null;
        if ("close".equals(update.stateEvent()) && !i.closed) {
            stateEvent = "closed";
        } else if ("reopen".equals(update.stateEvent()) && i.closed) {
            stateEvent = "reopened";
        }
        List<Long> assignees = update.assigneeIds() == null ? i.assigneeIds
                : new ArrayList<>(new LinkedHashSet<>(update.assigneeIds()));
        boolean assigneesChanged = !assignees.equals(i.assigneeIds);

        if (added.isEmpty() && removed.isEmpty() && stateEvent == null && !assigneesChanged) {
            return null;
        }
        // Same order as GitLab's ResourceEvents::ChangeLabelsService: additions, then removals.
        added.forEach(l -> i.labelEvents.add(new SimLabelEvent(labelEventSeq++, i.id, actor, now, l, "add")));
        removed.forEach(l -> i.labelEvents.add(new SimLabelEvent(labelEventSeq++, i.id, actor, now, l, "remove")));
        i.labels = labels;
        i.assigneeIds = new ArrayList<>(assignees);
        String action = "update";
        if ("closed".equals(stateEvent)) {
            i.closed = true;
            i.closedAt = now;
            i.closedById = actor.id();
            action = "close";
        } else if ("reopened".equals(stateEvent)) {
            i.closed = false;
            i.closedAt = null;
            i.closedById = null;
            action = "reopen";
        }
        if (stateEvent != null) {
            i.stateEvents.add(new SimStateEvent(stateEventSeq++, i.id, actor, now, stateEvent));
        }
        i.updatedAt = now;
        i.updatedById = actor.id();
        return new IssueChange(d.project, actor, before, i.snapshot(), action, now);
    }

    // ---------------------------------------------------------------- notes and events

    /** Adds a note; like GitLab it touches the issue's {@code updated_at}. */
    synchronized NoteCreated addNote(SimUser actor, long projectId, long iid, String body, boolean internal,
            boolean system) {
        ProjectData d = data(projectId);
        IssueData i = issueData(d, iid);
        Instant now = now();
        SimNote note = new SimNote(noteSeq++, projectId, i.id, i.iid, body, actor, now, now, system, internal);
        i.notes.add(note);
        i.updatedAt = now;
        return new NoteCreated(d.project, actor, note, i.snapshot());
    }

    /** Notes oldest first. */
    synchronized List<SimNote> notes(long projectId, long iid) {
        return List.copyOf(issueData(data(projectId), iid).notes);
    }

    synchronized List<SimLabelEvent> labelEvents(long projectId, long iid) {
        return List.copyOf(issueData(data(projectId), iid).labelEvents);
    }

    synchronized List<SimStateEvent> stateEvents(long projectId, long iid) {
        return List.copyOf(issueData(data(projectId), iid).stateEvents);
    }

    // ---------------------------------------------------------------- hooks

    synchronized SimWebhook addHook(long projectId, String url, String secretToken) {
        data(projectId);
        HookData h = new HookData();
        h.id = hookSeq++;
        h.projectId = projectId;
        h.url = url;
        h.token = secretToken;
        h.createdAt = now();
        hooks.put(h.id, h);
        return h.snapshot(now());
    }

    synchronized SimWebhook setHookUrl(long hookId, String url) {
        HookData h = hookData(hookId);
        h.url = url;
        return h.snapshot(now());
    }

    /** Sets which triggers the hook subscribes to (all four are on by default). */
    synchronized SimWebhook setHookTriggers(long hookId, boolean issues, boolean confidentialIssues, boolean notes,
            boolean confidentialNotes) {
        HookData h = hookData(hookId);
        h.issues = issues;
        h.confidentialIssues = confidentialIssues;
        h.notes = notes;
        h.confidentialNotes = confidentialNotes;
        return h.snapshot(now());
    }

    synchronized SimWebhook hook(long hookId) {
        return hookData(hookId).snapshot(now());
    }

    synchronized List<SimWebhook> hooks(long projectId) {
        Instant now = now();
        return hooks.values().stream().filter(h -> h.projectId == projectId).map(h -> h.snapshot(now)).toList();
    }

    /** Hooks of the project subscribed to the given {@code X-Gitlab-Event} name (executable or not). */
    synchronized List<SimWebhook> hooksFor(long projectId, String gitlabEvent) {
        Instant now = now();
        return hooks.values().stream()
                .filter(h -> h.projectId == projectId)
                .filter(h -> switch (gitlabEvent) {
                    case WebhookSender.ISSUE_HOOK -> h.issues;
                    case WebhookSender.CONFIDENTIAL_ISSUE_HOOK -> h.confidentialIssues;
                    case WebhookSender.NOTE_HOOK -> h.notes;
                    case WebhookSender.CONFIDENTIAL_NOTE_HOOK -> h.confidentialNotes;
                    default -> false;
                })
                .map(h -> h.snapshot(now)).toList();
    }

    /**
     * Records a delivery outcome like GitLab's {@code WebHooks::AutoDisabling}: success resets the
     * failure count; a failure while executable increments it and, beyond 3, backs off for
     * 1 min * 2^(failures-4), capped at 1 day; beyond 39 the hook is disabled permanently.
     */
    synchronized SimWebhook recordHookResult(long hookId, boolean success) {
        HookData h = hookData(hookId);
        Instant now = now();
        if (success) {
            h.recentFailures = 0;
            h.disabledUntil = null;
        } else if ("executable".equals(h.alertStatus(now))) {
            int previous = h.recentFailures;
            h.recentFailures = Math.min(previous + 1, PERMANENTLY_DISABLED_FAILURE_THRESHOLD + 1);
            if (h.recentFailures > TEMPORARILY_DISABLED_FAILURE_THRESHOLD) {
                int exponent = Math.max(0, previous - TEMPORARILY_DISABLED_FAILURE_THRESHOLD);
                long seconds = (long) Math.min(60 * Math.pow(2, exponent), Duration.ofDays(1).toSeconds());
                h.disabledUntil = now.plusSeconds(seconds);
            }
        }
        return h.snapshot(now);
    }

    /** Re-enables a hook (GitLab's "enable!": clears failures and {@code disabled_until}). */
    synchronized SimWebhook enableHook(long hookId) {
        return recordHookResult(hookId, true);
    }

    // ---------------------------------------------------------------- internals

    private ProjectData data(long projectId) {
        ProjectData d = projects.get(projectId);
        if (d == null) {
            throw new NoSuchElementException("no project " + projectId);
        }
        return d;
    }

    private static IssueData issueData(ProjectData d, long iid) {
        IssueData i = d.issues.get(iid);
        if (i == null) {
            throw new NoSuchElementException("no issue #" + iid + " in " + d.project.pathWithNamespace());
        }
        return i;
    }

    private HookData hookData(long hookId) {
        HookData h = hooks.get(hookId);
        if (h == null) {
            throw new NoSuchElementException("no hook " + hookId);
        }
        return h;
    }
}
