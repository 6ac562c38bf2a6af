package org.countersign.people;

import org.countersign.workflow.ProjectPolicies;
import org.countersign.policy.UserRef;
import org.countersign.policy.Reminders;
import org.countersign.policy.ProjectMember;
import org.countersign.policy.PolicySettings;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.arc.Arc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.countersign.config.CountersignConfig;
import org.countersign.config.Settings;
import org.countersign.store.AuditRecord;
import org.countersign.store.DecisionJson;
import org.countersign.store.PeopleQueries;
import org.countersign.store.StoredTicket;
import org.countersign.store.WatchedProject;
import org.countersign.store.WatchedProjects;
import org.countersign.workflow.GitLabFailure;
import org.jboss.logging.Logger;

/**
 * The read model behind the pages and {@code /api/v1}: the same views for both, limited to the
 * projects the viewer may see (a person: the watched projects they are a member of, asked of GitLab).
 */
@ApplicationScoped
public class PeopleReads {

    private static final Logger LOG = Logger.getLogger(PeopleReads.class);

    public record Person(String username, List<String> roles) {
    }

    /** A ticket waiting in the review column. */
    public record QueueItem(long projectId, String projectPath, long iid, String title, String webUrl, String verdict,
                            Instant waitingSince, long waitingSeconds, String waiting, int validSignoffs,
                            int requiredSignoffs, List<String> implementers, List<String> eligibleReviewers,
                            boolean eligibleKnown, String page) {
    }

    public record ReasonView(String code, String message) {
    }

    public record SignoffView(long noteId, String signer, Instant at, boolean accepted, boolean counts, String reason,
                              String message, Integer accessLevel, String noteUrl) {
    }

    public record AuditView(long id, Instant at, Long projectId, Long iid, String kind, String actor, String outcome,
                            String summary, String trigger, String gitlabRef, String gitlabUrl, String page) {
    }

    public record TicketView(long projectId, String projectPath, long iid, String title, String webUrl, String verdict,
                             String summary, List<ReasonView> reasons, Instant reviewSince, String reviewBy,
                             List<Person> implementers,
                             List<SignoffView> signoffs, int validSignoffs, int requiredSignoffs, String closeRef,
                             String closedBy, Instant evaluatedAt, List<AuditView> audit, long auditTotal, String page) {
    }

    /** Audit entries a ticket's view carries at most: the latest, oldest first (the whole trail is in /audit). */
    static final int TICKET_AUDIT_LIMIT = 1000;

    /**
     * {@code columns}: tickets per board column as GitLab counts them (empty with {@code columnsError} set
     * when GitLab could not be asked); {@code verdicts}: tickets per Countersign verdict.
     */
    public record ProjectSummary(long projectId, String path, String webUrl, List<BoardColumns.Column> columns,
                                 String columnsError, Map<String, Long> verdicts, List<QueueItem> waiting,
                                 List<AuditView> recentUndone) {
    }

    /** A project's board columns with their ticket counts. */
    public record ProjectColumns(long projectId, String path, List<BoardColumns.Column> columns) {
    }

    public record AuditResult(List<AuditView> entries, long total, int page, int perPage) {
        public boolean hasNext() {
            return (long) page * perPage < total;
        }
    }

    private final PeopleQueries queries;
    private final WatchedProjects watched;
    private final Members members;
    private final BoardColumns boards;
    private final ProjectPolicies policies;
    private final DecisionJson json;
    private final Settings settings;
    private final Clock clock;
    private final Optional<String> publicUrl;

    @Inject
    MembershipLookups lookups;

    public PeopleReads(PeopleQueries queries, WatchedProjects watched, Members members, DecisionJson json,
                       Settings settings, Clock clock, CountersignConfig config, ProjectPolicies policies,
                       BoardColumns boards) {
        this.policies = policies;
        this.boards = boards;
        this.queries = queries;
        this.watched = watched;
        this.members = members;
        this.json = json;
        this.settings = settings;
        this.clock = clock;
        this.publicUrl = config.publicUrl().filter(s -> !s.isBlank()).map(s -> s.replaceAll("/+$", ""));
    }

    /**
     * The watched projects {@code viewer} may see. A project whose membership GitLab could not be asked
     * about is hidden (never shown on a guess) and counted in {@link #unreadableProjects()}; the others
     * are shown as usual.
     */
    public List<WatchedProject> projects(Viewer viewer) {
        List<WatchedProject> all = watched.all();
        if (!viewer.person()) {
            return all;
        }
        MembershipLookups seen = lookups();
        return all.stream().filter(p -> seen.member(p.projectId(), id -> {
            try {
                return members.isMember(id, viewer.userId());
            } catch (GitLabFailure e) {
                LOG.warnf("membership of user %d in project %d unreadable, the project is hidden from them: %s",
                        viewer.userId(), id, e.getMessage());
                seen.unreadable(id);
                return false;
            }
        })).toList();
    }

    /** How many watched projects this request hid because GitLab could not be asked about the membership. */
    public int unreadableProjects() {
        return Arc.container().requestContext().isActive() ? lookups.unreadableCount() : 0;
    }

    private MembershipLookups lookups() {
        // outside a request (none today) each call asks afresh
        return Arc.container().requestContext().isActive() ? lookups : new MembershipLookups();
    }

    private Map<Long, WatchedProject> projectMap(Viewer viewer) {
        Map<Long, WatchedProject> m = new LinkedHashMap<>();
        projects(viewer).forEach(p -> m.put(p.projectId(), p));
        return m;
    }

    public List<ProjectSummary> overview(Viewer viewer) {
        Map<Long, WatchedProject> visible = projectMap(viewer);
        List<QueueItem> queue = queue(visible);
        return visible.values().stream().map(p -> {
            List<BoardColumns.Column> cols = List.of();
            String error = null;
            try {
                cols = boards.columns(p.projectId());
            } catch (GitLabFailure e) {
                LOG.warnf("board columns of project %d unreadable: %s", p.projectId(), e.getMessage());
                error = "GitLab could not be asked for the board's columns just now.";
            }
            return new ProjectSummary(p.projectId(), p.path(), p.webUrl(), cols, error,
                queries.verdictCounts(p.projectId()),
                queue.stream().filter(q -> q.projectId() == p.projectId()).toList(),
                queries.recentUndone(p.projectId(), 10).stream().map(a -> audit(a, p)).toList());
        }).toList();
    }

    /** Tickets per board column of a project the viewer may see; empty if they may not see it. */
    public Optional<ProjectColumns> columns(Viewer viewer, long projectId) {
        return projects(viewer).stream().filter(p -> p.projectId() == projectId).findFirst()
                .map(p -> new ProjectColumns(p.projectId(), p.path(), boards.columns(projectId)));
    }

    /**
     * Tickets in the review column, oldest first; {@code mine}: those still short of sign-offs that the
     * (person) viewer may sign off. Eligible reviewers: active members who are persons with the minimum
     * access level, not implementers, not Countersign, and without a sign-off that already counts.
     */
    public List<QueueItem> queue(Viewer viewer, boolean mine) {
        List<QueueItem> all = queue(projectMap(viewer));
        if (!mine) {
            return all;
        }
        return all.stream().filter(q -> q.verdict().equals("AWAITING_SIGNOFF")
                && q.eligibleReviewers().contains(viewer.username())).toList();
    }

    private List<QueueItem> queue(Map<Long, WatchedProject> visible) {
        Instant now = clock.instant();
        Map<Long, Optional<List<ProjectMember>>> memberLists = new LinkedHashMap<>();
        List<QueueItem> out = new ArrayList<>();
        for (StoredTicket t : queries.reviewQueue(visible.keySet())) {
            JsonNode d = json.read(t.decision());
            List<Person> implementers = implementers(d);
            Optional<List<ProjectMember>> list = memberLists.computeIfAbsent(t.projectId(), this::membersOf);
            List<Long> implementerIds = new ArrayList<>();
            d.path("implementers").forEach(i -> implementerIds.add(i.path("id").asLong()));
            List<Long> countedSignerIds = new ArrayList<>();
            d.path("signoffs").forEach(so -> {
                if (so.path("counts").asBoolean()) {
                    countedSignerIds.add(so.path("signerId").asLong());
                }
            });
            PolicySettings policy = policies.settingsFor(t.projectId(), settings.policy(members.botUserId()));
            List<String> eligible = list.map(ms -> Reminders.stillToSign(ms, implementerIds, countedSignerIds, policy)
                    .stream().map(UserRef::username).toList()).orElse(List.of());
            Instant since = t.reviewSince() == null ? t.evaluatedAt() : t.reviewSince();
            Duration waited = Duration.between(since, now).isNegative() ? Duration.ZERO : Duration.between(since, now);
            // a close undone back into review (WaitingTickets) stands where its reopen put it: waiting for a sign-off
            String standing = t.verdict().equals("CLOSE_REJECTED") ? "AWAITING_SIGNOFF" : t.verdict();
            out.add(new QueueItem(t.projectId(), visible.get(t.projectId()).path(), t.iid(), t.title(), t.webUrl(),
                    standing, since, waited.toSeconds(), human(waited), t.validSignoffs(), t.requiredSignoffs(),
                    implementers.stream().map(Person::username).toList(), eligible, list.isPresent(),
                    page(t.projectId(), t.iid())));
        }
        return out;
    }

    private Optional<List<ProjectMember>> membersOf(long projectId) {
        try {
            return Optional.of(members.members(projectId));
        } catch (GitLabFailure e) {
            LOG.warnf("members of project %d unreadable: %s", projectId, e.getMessage());
            return Optional.empty();
        }
    }

    /** The ticket as the viewer may see it: empty if unknown or in a project they may not see. */
    public Optional<TicketView> ticket(Viewer viewer, long projectId, long iid) {
        Optional<WatchedProject> project = projects(viewer).stream().filter(p -> p.projectId() == projectId).findFirst();
        if (project.isEmpty()) {
            return Optional.empty();
        }
        Optional<StoredTicket> found = queries.ticket(projectId, iid);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        StoredTicket t = found.get();
        JsonNode d = json.read(t.decision());
        List<ReasonView> reasons = new ArrayList<>();
        d.path("reasons").forEach(r -> reasons.add(new ReasonView(r.path("code").asText(), r.path("message").asText())));
        List<SignoffView> signoffs = new ArrayList<>();
        d.path("signoffs").forEach(s -> signoffs.add(new SignoffView(s.path("noteId").asLong(), s.path("signer").asText(),
                Instant.parse(s.path("at").asText()), s.path("accepted").asBoolean(), s.path("counts").asBoolean(),
                s.path("reason").asText(), s.path("message").asText(),
                s.path("accessLevel").isNumber() ? s.path("accessLevel").asInt() : null,
                noteUrl(t.webUrl(), s.path("noteId").asLong()))));
        PeopleQueries.AuditFilter trail = new PeopleQueries.AuditFilter(List.of(projectId), projectId, iid, null, null, null);
        long total = queries.audit(trail, 0, 0).total();
        List<AuditView> audit = queries.audit(trail, Math.max(0, total - TICKET_AUDIT_LIMIT), TICKET_AUDIT_LIMIT).entries()
                .stream().map(a -> audit(a, project.get(), t.webUrl())).toList();
        return Optional.of(new TicketView(projectId, project.get().path(), iid, t.title(), t.webUrl(), t.verdict(),
                t.summary(), reasons, t.reviewSince(), text(d, "reviewBy"), implementers(d), signoffs, t.validSignoffs(), t.requiredSignoffs(),
                text(d, "closeRef"), text(d, "closedBy"), t.evaluatedAt(), audit, total, page(projectId, iid)));
    }

    public AuditResult audit(Viewer viewer, Long project, Long iid, String actor, Instant from, Instant to, int page,
                             int perPage) {
        Map<Long, WatchedProject> visible = projectMap(viewer);
        PeopleQueries.AuditPage p = queries.audit(new PeopleQueries.AuditFilter(visible.keySet(), project, iid, actor, from,
                to), (long) (page - 1) * perPage, perPage);
        return new AuditResult(p.entries().stream().map(a -> audit(a, visible.get(a.projectId()))).toList(), p.total(),
                page, perPage);
    }

    /** How many audit entries the export reads from the database at a time. */
    static final int EXPORT_CHUNK = 500;

    /**
     * Every audit entry matching the filter in a project the viewer may see, oldest first, handed to
     * {@code each} one chunk at a time: the visible projects are fixed when called (ask it within the
     * request), the entries read later in chunks of {@link #EXPORT_CHUNK} by id, never all at once.
     */
    public AuditExport auditExport(Viewer viewer, Long project, Long iid, String actor, Instant from, Instant to) {
        Map<Long, WatchedProject> visible = projectMap(viewer);
        PeopleQueries.AuditFilter filter = new PeopleQueries.AuditFilter(visible.keySet(), project, iid, actor, from, to);
        return each -> {
            long after = 0;
            while (true) {
                List<AuditRecord> chunk = queries.auditAfter(filter, after, EXPORT_CHUNK);
                if (chunk.isEmpty()) {
                    return;
                }
                each.accept(chunk.stream().map(a -> audit(a, visible.get(a.projectId()))).toList());
                if (chunk.size() < EXPORT_CHUNK) {
                    return;
                }
                after = chunk.get(chunk.size() - 1).id();
            }
        };
    }

    /** The export's entries, read when {@link #forEachChunk} is called. */
    @FunctionalInterface
    public interface AuditExport {
        void forEachChunk(ChunkConsumer each) throws java.io.IOException;
    }

    @FunctionalInterface
    public interface ChunkConsumer {
        void accept(List<AuditView> chunk) throws java.io.IOException;
    }

    /** Where a ticket's page is: absolute with COUNTERSIGN_PUBLIC_URL, else relative to this service. */
    public String page(long projectId, long iid) {
        return publicUrl.orElse("") + "/projects/" + projectId + "/tickets/" + iid;
    }

    private AuditView audit(AuditRecord a, WatchedProject p) {
        return audit(a, p, null);
    }

    private AuditView audit(AuditRecord a, WatchedProject p, String issueUrl) {
        String base = issueUrl;
        if (base == null && p != null && p.webUrl() != null && a.iid() != null) {
            base = p.webUrl() + "/-/issues/" + a.iid();
        }
        return new AuditView(a.id(), a.at(), a.projectId(), a.iid(), a.kind(), a.actor(), a.outcome(), a.summary(),
                a.trigger(), a.gitlabRef(), gitlabUrl(base, a.gitlabRef()),
                a.projectId() == null || a.iid() == null ? null : page(a.projectId(), a.iid()));
    }

    /** A link to what an audit entry is about: the note ({@code note:<id>}), else the issue. */
    static String gitlabUrl(String issueUrl, String ref) {
        if (issueUrl == null) {
            return null;
        }
        if (ref != null && ref.matches("note:\\d+")) {
            return issueUrl + "#note_" + ref.substring(5);
        }
        return issueUrl;
    }

    private static String noteUrl(String issueUrl, long noteId) {
        return issueUrl == null ? null : issueUrl + "#note_" + noteId;
    }

    private static List<Person> implementers(JsonNode d) {
        List<Person> out = new ArrayList<>();
        d.path("implementers").forEach(i -> {
            List<String> roles = new ArrayList<>();
            i.path("roles").forEach(r -> roles.add(r.asText()));
            out.add(new Person(i.path("username").asText(), roles));
        });
        return out;
    }

    private static String text(JsonNode d, String field) {
        JsonNode n = d.path(field);
        return n.isTextual() ? n.asText() : null;
    }

    /** "3 d 4 h", "2 h 5 min", "7 min". */
    static String human(Duration d) {
        long days = d.toDays();
        long hours = d.toHoursPart();
        long minutes = d.toMinutesPart();
        if (days > 0) {
            return days + " d " + hours + " h";
        }
        if (hours > 0) {
            return hours + " h " + minutes + " min";
        }
        return minutes + " min";
    }
}
