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

    /** The projects' repositories (default branch only), for the repository files API. */
    final SimRepository repository = new SimRepository();

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
        // Work item type, discussion lock, move (part A).
        String issueType = "issue";
        boolean discussionLocked;
        Long movedToId;
        /** Created in the work item UI: later UI actions on it run on a {@code WorkItem} object. */
        boolean workItemView;

        SimIssue snapshot() {
            int userNotes = (int) notes.stream().filter(n -> !n.system()).count();
            return new SimIssue(id, iid, projectId, title, description, authorId, assigneeIds,
                    closed ? "closed" : "opened", labels, createdAt, updatedAt, updatedById, closedAt, closedById,
                    confidential, userNotes, issueType, discussionLocked, movedToId);
        }
    }

    private static final class HookData {
        long id, projectId;
        String url, token;
        boolean issues = true, confidentialIssues = true, notes = true, confidentialNotes = true;
        /** The test helper's hooks have no push trigger; one created through the API follows GitLab's column defaults. */
        boolean push = false, ssl = true;
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
                    recentFailures, disabledUntil, alertStatus(now), createdAt, push, ssl);
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
        return addUser(username, name, admin, null);
    }

    /** {@code fixedToken}: the personal access token to give the user (null: a fresh random one). */
    synchronized SimUser addUser(String username, String name, boolean admin, String fixedToken) {
        if (users.values().stream().anyMatch(u -> u.username().equalsIgnoreCase(username))) {
            throw new IllegalArgumentException("username taken: " + username);
        }
        long id = userSeq++;
        String token = fixedToken != null ? fixedToken
                : "glpat-sim-" + id + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
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

    /** {@code POST /projects/:id/labels}: empty when a label of that name exists (GitLab answers 409). */
    synchronized Optional<SimLabel> createLabel(long projectId, String name, String color, String description) {
        ProjectData d = data(projectId);
        if (d.labels.containsKey(name)) {
            return Optional.empty();
        }
        return Optional.of(ensureLabel(projectId, name, color, description));
    }

    /** Appends a list for {@code label} to the board; empty when the board already has one for it. */
    synchronized Optional<SimBoardList> createBoardList(long projectId, long boardId, SimLabel label) {
        ProjectData d = data(projectId);
        for (int i = 0; i < d.boards.size(); i++) {
            SimBoard b = d.boards.get(i);
            if (b.id() == boardId) {
                if (b.lists().stream().anyMatch(l -> l.label().id() == label.id())) {
                    return Optional.empty();
                }
                List<SimBoardList> lists = new ArrayList<>(b.lists());
                SimBoardList list = new SimBoardList(listSeq++, label, lists.size() + 1);
                lists.add(list);
                d.boards.set(i, new SimBoard(b.id(), b.projectId(), b.name(), lists));
                return Optional.of(list);
            }
        }
        throw new IllegalArgumentException("no board " + boardId);
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
        } else if ("reopen".equals(update.stateEvent()) && i.closed && !i.discussionLocked) {
            // app/policies/issue_policy.rb `rule { locked }.policy { prevent :reopen_issue }` (everyone, admins
            // too): Issues::ReopenService returns the issue unchanged. The lock is the one before this update:
            // IssuableBaseService#update runs change_state before it assigns discussion_locked.
            stateEvent = "reopened";
        }
        boolean lockChanged = update.discussionLocked() != null && update.discussionLocked() != i.discussionLocked;
        List<Long> assignees = update.assigneeIds() == null ? i.assigneeIds
                : new ArrayList<>(new LinkedHashSet<>(update.assigneeIds()));
        boolean assigneesChanged = !assignees.equals(i.assigneeIds);

        if (added.isEmpty() && removed.isEmpty() && stateEvent == null && !assigneesChanged && !lockChanged) {
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
        if (lockChanged) {
            applyLock(i, actor, update.discussionLocked(), now);
        }
        i.updatedAt = now;
        i.updatedById = actor.id();
        return new IssueChange(d.project, actor, before, i.snapshot(), action, now);
    }

    // ---------------------------------------------------------------- notes and events

    /**
     * Adds a note; like GitLab it touches the issue's {@code updated_at}, at most once a minute
     * ({@link #addNoteAt}).
     */
    synchronized NoteCreated addNote(SimUser actor, long projectId, long iid, String body, boolean internal,
            boolean system) {
        return addNoteAt(actor, projectId, iid, body, internal, system, null);
    }

    /** Notes oldest first ({@code created_at}, then id: a backdated note sorts before later ones). */
    synchronized List<SimNote> notes(long projectId, long iid) {
        List<SimNote> notes = new ArrayList<>(issueData(data(projectId), iid).notes);
        notes.sort(Comparator.comparing(SimNote::createdAt).thenComparing(SimNote::id));
        return List.copyOf(notes);
    }

    /** Label events, each showing the label as it is now: renamed, or null once deleted ({@link #deleteLabel}). */
    synchronized List<SimLabelEvent> labelEvents(long projectId, long iid) {
        return currentLabels(data(projectId), issueData(data(projectId), iid).labelEvents);
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

    /**
     * {@code POST /projects/:id/hooks}: a parameter not given takes GitLab's {@code web_hooks} column default
     * (push_events and enable_ssl_verification true, every other trigger false; db/structure.sql).
     */
    synchronized SimWebhook createHook(long projectId, SimHookParams p) {
        data(projectId);
        HookData h = new HookData();
        h.id = hookSeq++;
        h.projectId = projectId;
        h.createdAt = now();
        h.push = true;
        h.issues = h.confidentialIssues = h.notes = h.confidentialNotes = false;
        apply(h, p);
        hooks.put(h.id, h);
        return h.snapshot(now());
    }

    /** {@code PUT /projects/:id/hooks/:hook_id}: only the parameters given change. */
    synchronized SimWebhook updateHook(long projectId, long hookId, SimHookParams p) {
        HookData h = hooks.get(hookId);
        if (h == null || h.projectId != projectId) {
            throw new IllegalArgumentException("no hook " + hookId + " in project " + projectId);
        }
        apply(h, p);
        return h.snapshot(now());
    }

    private static void apply(HookData h, SimHookParams p) {
        if (p.url() != null) {
            h.url = p.url();
        }
        if (p.token() != null) {
            h.token = p.token();
        }
        if (p.push() != null) {
            h.push = p.push();
        }
        if (p.issues() != null) {
            h.issues = p.issues();
        }
        if (p.confidentialIssues() != null) {
            h.confidentialIssues = p.confidentialIssues();
        }
        if (p.notes() != null) {
            h.notes = p.notes();
        }
        if (p.confidentialNotes() != null) {
            h.confidentialNotes = p.confidentialNotes();
        }
        if (p.enableSslVerification() != null) {
            h.ssl = p.enableSslVerification();
        }
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

    // ---------------------------------------------------------------- part A: work items, locks, moves, deletes

    /** Like {@link #createIssue} for a work item of {@code type} created in the work item UI. */
    synchronized IssueChange createWorkItem(SimUser actor, long projectId, String title, String type,
            boolean confidential, List<String> labels, List<Long> assigneeIds) {
        String baseType = SimWorkItems.requireType(type);
        IssueChange c = createIssue(actor, projectId, title, "", confidential, labels, assigneeIds);
        IssueData i = issueData(data(projectId), c.after().iid());
        i.issueType = baseType;
        i.workItemView = true;
        return new IssueChange(c.project(), actor, null, i.snapshot(), "open", c.at());
    }

    /** Whether UI actions on this issue run on a {@code WorkItem} object (see {@link SimWorkItems#objectKind}). */
    synchronized boolean workItemView(long projectId, long iid) {
        return issueData(data(projectId), iid).workItemView;
    }

    /** {@code Issuable::CommonSystemNotesService} -> {@code SystemNotes::IssuablesService#discussion_lock}. */
    private void applyLock(IssueData i, SimUser actor, boolean locked, Instant now) {
        i.discussionLocked = locked;
        i.notes.add(new SimNote(noteSeq++, i.projectId, i.id, i.iid, (locked ? "locked" : "unlocked") + " this issue",
                actor, now, now, true, false));
    }

    /** What a move did: the original's {@code close} (null if it was closed already) and the copy's {@code open}. */
    record MoveResult(IssueChange closeOfOriginal, IssueChange openOfCopy, SimIssue original, SimIssue copy) {
    }

    /**
     * {@code POST /projects/:id/issues/:iid/move} as {@code WorkItems::DataSync::MoveService} does it (the REST API
     * uses it, lib/api/issues.rb): a new issue in the target project with its own id and iid, created_at and
     * state copied ({@code Handlers::CopyDataHandler}), labels kept only where the target project has a label of
     * the same title ({@code Widgets::Labels}, which also records add/remove label events by the mover), resource
     * label/state events and notes copied with their original authors and times
     * ({@code Gitlab::Issuable::Clone::CopyResourceEventsService}, {@code Handlers::Notes::CopyService}), a
     * "moved from" system note; the original gets {@code moved_to_id}, a "moved to" system note and is closed by
     * the mover through {@code Issues::CloseService} (state event {@code closed}, "closed" system note, Issue Hook
     * {@code close}). Assumption: the copy's {@code updated_at} is the move time (its system note touches it).
     *
     * @throws IllegalArgumentException for a move into the same project (GitLab: 400)
     */
    synchronized MoveResult moveIssue(SimUser actor, long projectId, long iid, long targetProjectId) {
        ProjectData from = data(projectId);
        ProjectData to = data(targetProjectId);
        if (from == to) {
            throw new IllegalArgumentException("Cannot move work item to same project or group it originates from.");
        }
        IssueData old = issueData(from, iid);
        Instant now = now();
        IssueData n = new IssueData();
        n.id = issueSeq++;
        n.iid = to.nextIid++;
        n.projectId = targetProjectId;
        n.authorId = old.authorId;
        n.title = old.title;
        n.description = old.description;
        n.confidential = old.confidential;
        n.assigneeIds = new ArrayList<>(old.assigneeIds);
        n.issueType = old.issueType;
        n.workItemView = old.workItemView;
        n.createdAt = old.createdAt;
        n.updatedAt = now;
        n.updatedById = old.updatedById;
        n.closed = old.closed;
        n.closedAt = old.closedAt;
        n.closedById = old.closedById;
        old.labelEvents.forEach(e -> n.labelEvents.add(
                new SimLabelEvent(labelEventSeq++, n.id, e.user(), e.createdAt(), e.label(), e.action())));
        old.stateEvents.forEach(e -> n.stateEvents.add(
                new SimStateEvent(stateEventSeq++, n.id, e.user(), e.createdAt(), e.state())));
        old.notes.forEach(note -> n.notes.add(new SimNote(noteSeq++, targetProjectId, n.id, n.iid, note.body(),
                note.author(), note.createdAt(), note.updatedAt(), note.system(), note.internal())));
        List<SimLabel> kept = new ArrayList<>();
        old.labels.forEach(l -> {
            SimLabel same = to.labels.get(l.name());
            if (same != null) {
                kept.add(same);
            }
        });
        kept.sort(Comparator.comparing(SimLabel::name));
        n.labels = kept;
        kept.forEach(l -> n.labelEvents.add(new SimLabelEvent(labelEventSeq++, n.id, actor, now, l, "add")));
        old.labels.forEach(l -> n.labelEvents.add(new SimLabelEvent(labelEventSeq++, n.id, actor, now, l, "remove")));
        n.notes.add(new SimNote(noteSeq++, targetProjectId, n.id, n.iid, "moved from " + reference(from, old, to),
                actor, now, now, true, false));
        to.issues.put(n.iid, n);

        old.movedToId = n.id;
        old.updatedAt = now;
        old.notes.add(new SimNote(noteSeq++, projectId, old.id, old.iid, "moved to " + reference(to, n, from), actor,
                now, now, true, false));
        IssueChange close = null;
        if (!old.closed) {
            SimIssue beforeClose = old.snapshot();
            old.closed = true;
            old.closedAt = now;
            old.closedById = actor.id();
            old.updatedById = actor.id();
            old.stateEvents.add(new SimStateEvent(stateEventSeq++, old.id, actor, now, "closed"));
            old.notes.add(new SimNote(noteSeq++, projectId, old.id, old.iid, "closed", actor, now, now, true, false));
            close = new IssueChange(from.project, actor, beforeClose, old.snapshot(), "close", now);
        }
        SimIssue copy = n.snapshot();
        return new MoveResult(close, new IssueChange(to.project, actor, null, copy, "open", now), old.snapshot(),
                copy);
    }

    /** {@code Issuable#to_reference(from)}: {@code path#iid} within a namespace, the full path across namespaces. */
    private static String reference(ProjectData of, IssueData issue, ProjectData from) {
        String path = of.project.namespacePath().equals(from.project.namespacePath()) ? of.project.path()
                : of.project.pathWithNamespace();
        return path + "#" + issue.iid;
    }

    /**
     * {@code DELETE /projects/:id/issues/:iid} ({@code Issues::DestroyService}): the issue, its notes and resource
     * events are gone (404 afterwards); its iid is not reused; no webhook is sent.
     */
    synchronized SimIssue deleteIssue(long projectId, long iid) {
        ProjectData d = data(projectId);
        IssueData i = issueData(d, iid);
        d.issues.remove(iid);
        return i.snapshot();
    }

    // ---------------------------------------------------------------- part A: tokens and blocked users

    private final Set<String> revokedTokens = new java.util.HashSet<>();
    private final Set<Long> blockedUsers = new java.util.HashSet<>();

    synchronized void revokeToken(String token) {
        revokedTokens.add(token);
    }

    synchronized boolean tokenRevoked(String token) {
        return token != null && revokedTokens.contains(token);
    }

    synchronized void setBlocked(long userId, boolean blocked) {
        if (blocked) {
            blockedUsers.add(userId);
        } else {
            blockedUsers.remove(userId);
        }
    }

    synchronized boolean blocked(long userId) {
        return blockedUsers.contains(userId);
    }

    /** The user's {@code state} in API entities: {@code active} or {@code blocked}. */
    synchronized String userState(long userId) {
        return blockedUsers.contains(userId) ? "blocked" : "active";
    }

    // ================================================================ part B: notes, reactions, users, labels
    // Kept apart from the code above on purpose (parallel work on this package). GitLab sources are cited
    // per method; the findings are summarised in GitLabSimulator's "part B" section.

    /** {@code ThrottledTouch::TOUCH_INTERVAL} ({@code app/models/concerns/throttled_touch.rb}). */
    static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);
    /** {@code Noteable::MAX_NOTES_LIMIT} ({@code app/models/concerns/noteable.rb}): all notes, system ones included. */
    static final int MAX_NOTES_LIMIT = 5_000;

    /** Thrown when a non-system note would exceed {@link #MAX_NOTES_LIMIT} ({@code Note#does_not_exceed_notes_limit?}). */
    static final class NotesLimitExceeded extends RuntimeException {
        NotesLimitExceeded() {
            super("Maximum number of comments exceeded", null, false, false);
        }
    }

    /** Note id to {@code updated_by_id} (set by an edit of the body, {@code Notes::UpdateService#update_note}). */
    private final Map<Long, Long> noteUpdatedBy = new HashMap<>();
    private final Map<Long, List<SimAward>> noteAwards = new HashMap<>();
    private long awardSeq = 1;
    /** User id to type; absent means {@link SimUserType#HUMAN}. */
    private final Map<Long, SimUserType> userTypes = new HashMap<>();
    /** Access token bot id to the project whose token created it (for {@code redacted_name}). */
    private final Map<Long, Long> botProjects = new HashMap<>();
    private SimUser ghost;

    /**
     * {@code Issue#touch} through {@code ThrottledTouch}: {@code super if (Time.zone.now - updated_at) > 1.minute},
     * so only {@code updated_at} moves (not {@code updated_by_id}) and only when the last change is more than a
     * minute old. Reached from {@code Note}'s {@code after_save :touch_noteable} (app/models/note.rb).
     */
    private static boolean throttledTouch(IssueData i, Instant now) {
        if (Duration.between(i.updatedAt, now).compareTo(TOUCH_INTERVAL) > 0) {
            i.updatedAt = now;
            return true;
        }
        return false;
    }

    /**
     * Adds a note, optionally backdated: {@code lib/api/helpers/notes_helpers.rb#create_note} keeps
     * {@code created_at} only for users allowed {@code set_note_created_at} (checked by the caller) and then
     * sets {@code updated_at} to the same value. The issue is touched with the real current time (throttled).
     */
    synchronized NoteCreated addNoteAt(SimUser actor, long projectId, long iid, String body, boolean internal,
            boolean system, Instant createdAt) {
        ProjectData d = data(projectId);
        IssueData i = issueData(d, iid);
        if (!system && i.notes.size() >= MAX_NOTES_LIMIT) {
            throw new NotesLimitExceeded();
        }
        Instant now = now();
        Instant at = createdAt == null ? now : createdAt.truncatedTo(ChronoUnit.MILLIS);
        SimNote note = new SimNote(noteSeq++, projectId, i.id, i.iid, body, actor, at, at, system, internal);
        i.notes.add(note);
        throttledTouch(i, now);
        return new NoteCreated(d.project, actor, note, i.snapshot());
    }

    /** The note {@code noteId} of the issue (GitLab: {@code noteable.notes.find}), or empty. */
    synchronized Optional<SimNote> note(long projectId, long iid, long noteId) {
        return issueData(data(projectId), iid).notes.stream().filter(n -> n.id() == noteId).findFirst();
    }

    /** {@code updated_by_id} of a note: who last changed its body, or null if never edited. */
    synchronized SimUser noteUpdatedBy(long noteId) {
        Long id = noteUpdatedBy.get(noteId);
        return id == null ? null : users.get(id);
    }

    synchronized int accessLevel(long projectId, SimUser user) {
        SimMember m = data(projectId).members.get(user.id());
        return m == null ? 0 : m.accessLevel();
    }

    /**
     * {@code read_internal_note}: ProjectPolicy {@code rule { admin | planner_or_reporter_access }} (Planner 15,
     * Reporter 20 and above); NotePolicy prevents reading internal notes otherwise. The same roles get
     * {@code mark_note_as_internal}.
     */
    synchronized boolean canReadInternalNotes(long projectId, SimUser user) {
        return user.admin() || accessLevel(projectId, user) >= GitLabSimulator.PLANNER;
    }

    /** {@code set_note_created_at}: project Owners (and admins), ProjectPolicy's owner block. */
    synchronized boolean canSetNoteCreatedAt(long projectId, SimUser user) {
        return user.admin() || accessLevel(projectId, user) >= GitLabSimulator.OWNER;
    }

    /** {@code read_note} on one note of a (private) project: a member or admin; internal notes need more. */
    synchronized boolean canReadNote(long projectId, SimUser user, SimNote note) {
        boolean readsProject = user.admin() || accessLevel(projectId, user) > 0;
        return readsProject && (!note.internal() || canReadInternalNotes(projectId, user));
    }

    /**
     * {@code admin_note} (edit or delete): NotePolicy enables it for the author, ProjectPolicy for Maintainers
     * and Owners ({@code rule { can?(:maintainer_access) }}), admins have it; NotePolicy prevents it for system
     * notes ({@code ~editable}, {@code Note#editable?} is {@code !system?}), for users who cannot read the issue,
     * and for internal notes without {@code read_internal_note}.
     */
    synchronized boolean canAdminNote(long projectId, SimUser user, SimNote note) {
        if (note.system() || !canReadNote(projectId, user, note)) {
            return false;
        }
        return user.admin() || note.author().id() == user.id()
                || accessLevel(projectId, user) >= GitLabSimulator.MAINTAINER;
    }

    /**
     * {@code Notes::UpdateService}: a changed body sets the note's {@code updated_at} (ActiveRecord save),
     * {@code updated_by_id} and {@code last_edited_at}; {@code created_at} stays. The save runs
     * {@code after_save :touch_noteable} even when nothing changed, so the issue is touched (throttled) in both
     * cases, but only a changed body fires the Note Hook. Not visible in the REST entity: who edited.
     */
    synchronized NoteEdited editNote(SimUser actor, long projectId, long iid, long noteId, String body) {
        ProjectData d = data(projectId);
        IssueData i = issueData(d, iid);
        int idx = noteIndex(i, noteId);
        SimNote before = i.notes.get(idx);
        if (!canAdminNote(projectId, actor, before)) {
            throw new SimForbiddenException("403 Forbidden: " + actor.username() + " may not edit note " + noteId);
        }
        Instant now = now();
        SimNote after = before;
        boolean changed = !before.body().equals(body);
        if (changed) {
            after = new SimNote(before.id(), before.projectId(), before.issueId(), before.issueIid(), body,
                    before.author(), before.createdAt(), now, before.system(), before.internal());
            i.notes.set(idx, after);
            noteUpdatedBy.put(noteId, actor.id());
        }
        throttledTouch(i, now);
        return new NoteEdited(d.project, actor, before, after, i.snapshot(), changed);
    }

    /**
     * {@code Notes::DestroyService}: the note is destroyed; {@code Note} touches its noteable only
     * {@code after_save} and {@code Issue#after_note_destroyed} is a no-op, so the issue's {@code updated_at}
     * does not move, and no webhook fires.
     */
    synchronized SimNote deleteNote(SimUser actor, long projectId, long iid, long noteId) {
        IssueData i = issueData(data(projectId), iid);
        int idx = noteIndex(i, noteId);
        SimNote note = i.notes.get(idx);
        if (!canAdminNote(projectId, actor, note)) {
            throw new SimForbiddenException("403 Forbidden: " + actor.username() + " may not delete note " + noteId);
        }
        i.notes.remove(idx);
        noteUpdatedBy.remove(noteId);
        noteAwards.remove(noteId);
        return note;
    }

    /**
     * Awards an emoji to a note. {@code AwardEmoji}'s {@code after_save :expire_cache} calls
     * {@code awardable.try(:bump_updated_at)}; {@code Note#bump_updated_at} does {@code update_columns(updated_at:
     * Time.current)}: not throttled, and (no callbacks) the issue is not touched.
     *
     * @throws NoSuchElementException unknown note, or not readable/awardable by {@code actor} (API: 404)
     * @throws IllegalArgumentException the same user already awarded that emoji
     */
    synchronized SimAward awardNoteEmoji(SimUser actor, long projectId, long iid, long noteId, String name) {
        IssueData i = issueData(data(projectId), iid);
        int idx = noteIndex(i, noteId);
        SimNote note = i.notes.get(idx);
        if (note.system() || !canReadNote(projectId, actor, note)) {
            throw new NoSuchElementException("Award Emoji");
        }
        List<SimAward> awards = noteAwards.computeIfAbsent(noteId, k -> new ArrayList<>());
        if (awards.stream().anyMatch(a -> a.user().id() == actor.id() && a.name().equals(name))) {
            throw new IllegalArgumentException("Name has already been taken");
        }
        Instant now = now();
        SimAward award = new SimAward(awardSeq++, noteId, actor, name, now);
        awards.add(award);
        bumpNoteUpdatedAt(i, idx, now);
        return award;
    }

    /** Removes a reaction ({@code after_destroy :expire_cache}: bumps the note's {@code updated_at} again). */
    synchronized SimAward removeNoteEmoji(SimUser actor, long projectId, long iid, long noteId, long awardId) {
        IssueData i = issueData(data(projectId), iid);
        int idx = noteIndex(i, noteId);
        List<SimAward> awards = noteAwards.getOrDefault(noteId, new ArrayList<>());
        SimAward award = awards.stream().filter(a -> a.id() == awardId).findFirst()
                .orElseThrow(() -> new NoSuchElementException("Award Emoji"));
        if (award.user().id() != actor.id() && !actor.admin()) {
            throw new SimForbiddenException("401 Unauthorized: not your award");
        }
        awards.remove(award);
        bumpNoteUpdatedAt(i, idx, now());
        return award;
    }

    synchronized List<SimAward> noteAwards(long noteId) {
        return List.copyOf(noteAwards.getOrDefault(noteId, List.of()));
    }

    private static void bumpNoteUpdatedAt(IssueData i, int idx, Instant now) {
        SimNote n = i.notes.get(idx);
        i.notes.set(idx, new SimNote(n.id(), n.projectId(), n.issueId(), n.issueIid(), n.body(), n.author(),
                n.createdAt(), now, n.system(), n.internal()));
    }

    private static int noteIndex(IssueData i, long noteId) {
        for (int k = 0; k < i.notes.size(); k++) {
            if (i.notes.get(k).id() == noteId) {
                return k;
            }
        }
        throw new NoSuchElementException("no note " + noteId + " on issue #" + i.iid);
    }

    // ---------------------------------------------------------------- part B: special users

    /**
     * Creates a non-human user. {@code login} false (the ghost) means no usable token. The e-mail follows
     * GitLab's generators ({@code <username>@noreply.<host>} for bots and service accounts).
     */
    synchronized SimUser addSpecialUser(String username, String name, String email, SimUserType type,
            boolean login) {
        if (users.values().stream().anyMatch(u -> u.username().equalsIgnoreCase(username))) {
            throw new IllegalArgumentException("username taken: " + username);
        }
        long id = userSeq++;
        String token = (type == SimUserType.PROJECT_BOT ? "glpat-bot-" : "glpat-sim-") + id + "-"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        SimUser user = new SimUser(id, username, name, email, token, now(), false);
        users.put(id, user);
        if (login) {
            usersByToken.put(token, user);
        }
        userTypes.put(id, type);
        return user;
    }

    synchronized void setBotProject(long userId, long projectId) {
        botProjects.put(userId, projectId);
    }

    synchronized Optional<Long> botProject(long userId) {
        return Optional.ofNullable(botProjects.get(userId));
    }

    synchronized SimUserType userType(long userId) {
        return userTypes.getOrDefault(userId, SimUserType.HUMAN);
    }

    synchronized boolean isBot(long userId) {
        return userType(userId).bot();
    }

    /** Every existing user, by id. */
    synchronized List<SimUser> allUsers() {
        return List.copyOf(users.values());
    }

    synchronized Optional<SimUser> userByUsername(String username) {
        return users.values().stream().filter(u -> u.username().equalsIgnoreCase(username)).findFirst();
    }

    /**
     * {@code Users::Internal.ghost}: the existing ghost, else a new one (next free id, username {@code ghost} made
     * unique with a counter, name {@code Ghost User}, e-mail {@code ghost%s@example.com}).
     */
    synchronized SimUser ghost() {
        if (ghost == null) {
            String username = "ghost";
            for (int n = 1; userByUsername(username).isPresent(); n++) {
                username = "ghost" + n;
            }
            ghost = addSpecialUser(username, "Ghost User", username + "@example.com", SimUserType.GHOST, false);
        }
        return ghost;
    }

    /**
     * Deletes a user like {@code Users::MigrateRecordsToGhostUserService} (soft delete): issues' {@code author_id},
     * notes' {@code author_id}, resource label events' {@code user_id} and award emoji move to the ghost;
     * resource state events keep the event with {@code user} null (foreign key {@code on_delete: :nullify},
     * db/migrate/20200423075720); {@code closed_by_id}/{@code updated_by_id} are nullified, assignments and
     * memberships go, the token stops working.
     */
    synchronized SimUser deleteUser(long userId) {
        SimUser gone = users.get(userId);
        if (gone == null) {
            throw new NoSuchElementException("no user " + userId);
        }
        SimUser g = ghost();
        if (g.id() == userId) {
            throw new IllegalArgumentException("the ghost user cannot be removed");
        }
        users.remove(userId);
        usersByToken.remove(gone.token());
        userTypes.remove(userId);
        botProjects.remove(userId);
        noteUpdatedBy.values().removeIf(v -> v == userId);
        noteAwards.values().forEach(list -> list.replaceAll(a -> a.user().id() != userId ? a
                : new SimAward(a.id(), a.noteId(), g, a.name(), a.createdAt())));
        for (ProjectData d : projects.values()) {
            d.members.remove(userId);
            d.members.replaceAll((k, m) -> m.createdBy() == null || m.createdBy().id() != userId ? m
                    : new SimMember(m.projectId(), m.user(), m.accessLevel(), m.createdAt(), null));
            for (IssueData i : d.issues.values()) {
                if (i.authorId == userId) {
                    i.authorId = g.id();
                }
                i.assigneeIds.removeIf(a -> a == userId);
                if (Long.valueOf(userId).equals(i.closedById)) {
                    i.closedById = null;
                }
                if (Long.valueOf(userId).equals(i.updatedById)) {
                    i.updatedById = null;
                }
                i.notes.replaceAll(n -> n.author().id() != userId ? n : new SimNote(n.id(), n.projectId(),
                        n.issueId(), n.issueIid(), n.body(), g, n.createdAt(), n.updatedAt(), n.system(),
                        n.internal()));
                i.labelEvents.replaceAll(e -> e.user().id() != userId ? e
                        : new SimLabelEvent(e.id(), e.issueId(), g, e.createdAt(), e.label(), e.action()));
                i.stateEvents.replaceAll(e -> e.user() == null || e.user().id() != userId ? e
                        : new SimStateEvent(e.id(), e.issueId(), null, e.createdAt(), e.state()));
            }
        }
        return gone;
    }

    // ---------------------------------------------------------------- part B: label rename and delete

    /**
     * Renames a project label (same id). Resource label events reference {@code label_id}
     * ({@code belongs_to :label}, app/models/resource_label_event.rb), so they show the new name; issues and
     * board lists too. No event, no webhook, no {@code updated_at} change on issues.
     */
    synchronized SimLabel renameLabel(long projectId, String oldName, String newName) {
        ProjectData d = data(projectId);
        SimLabel old = d.labels.get(oldName);
        if (old == null) {
            throw new NoSuchElementException("no label " + oldName);
        }
        if (d.labels.containsKey(newName)) {
            throw new IllegalArgumentException("Title has already been taken");
        }
        SimLabel renamed = new SimLabel(old.id(), projectId, newName, old.color(), old.description(),
                old.createdAt());
        Map<String, SimLabel> copy = new LinkedHashMap<>(d.labels);
        d.labels.clear();
        copy.forEach((name, l) -> d.labels.put(name.equals(oldName) ? newName : name, l.id() == old.id() ? renamed : l));
        for (IssueData i : d.issues.values()) {
            i.labels.replaceAll(l -> l.id() == old.id() ? renamed : l);
            i.labels.sort(Comparator.comparing(SimLabel::name));
        }
        d.boards.replaceAll(b -> new SimBoard(b.id(), b.projectId(), b.name(), b.lists().stream()
                .map(l -> l.label().id() == old.id() ? new SimBoardList(l.id(), renamed, l.position()) : l).toList()));
        return renamed;
    }

    /**
     * Deletes a project label ({@code Labels::DestroyService} -> {@code label.destroy}): {@code has_many
     * :label_links, dependent: :destroy} silently takes it off every issue (no resource label event, no webhook,
     * issue {@code updated_at} unchanged); {@code has_many :lists, dependent: :destroy} removes board lists bound
     * to it; resource label events stay with {@code label_id} nullified, rendered as {@code "label": null}.
     */
    synchronized SimLabel deleteLabel(long projectId, String name) {
        ProjectData d = data(projectId);
        SimLabel label = d.labels.remove(name);
        if (label == null) {
            throw new NoSuchElementException("no label " + name);
        }
        for (IssueData i : d.issues.values()) {
            i.labels.removeIf(l -> l.id() == label.id());
        }
        d.boards.replaceAll(b -> new SimBoard(b.id(), b.projectId(), b.name(),
                b.lists().stream().filter(l -> l.label().id() != label.id()).toList()));
        return label;
    }

    /** Events with their label resolved by id against the project's current labels (null when deleted). */
    private List<SimLabelEvent> currentLabels(ProjectData d, List<SimLabelEvent> events) {
        // events point at labels by id, whatever project holds them (a moved issue's copied events still
        // reference the source project's labels, Issues::MoveService)
        Map<Long, SimLabel> byId = new HashMap<>();
        projects.values().forEach(p -> p.labels.values().forEach(l -> byId.put(l.id(), l)));
        return events.stream().map(e -> {
            SimLabel now = e.label() == null ? null : byId.get(e.label().id());
            return now == e.label() ? e : new SimLabelEvent(e.id(), e.issueId(), e.user(), e.createdAt(), now,
                    e.action());
        }).toList();
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
