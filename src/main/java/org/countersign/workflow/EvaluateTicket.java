package org.countersign.workflow;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.countersign.config.Settings;
import org.countersign.policy.Action;
import org.countersign.policy.Comment;
import org.countersign.policy.Decision;
import org.countersign.governance.Governance;
import org.countersign.policy.Mode;
import org.countersign.policy.PolicySettings;
import org.countersign.policy.ShadowMode;
import org.countersign.policy.Reason;
import org.countersign.policy.ReviewPolicy;
import org.countersign.policy.SignoffCheck;
import org.countersign.policy.SignoffCommand;
import org.countersign.policy.TicketHistory;
import org.countersign.policy.UserRef;
import org.countersign.policy.Verdict;
import org.countersign.policy.Wording;
import org.countersign.runtime.Metrics;
import org.countersign.runtime.WorkSignal;
import org.countersign.store.AcceptedCloses;
import org.countersign.store.ActionQueue;
import org.countersign.store.SignoffNotes;
import org.countersign.store.AuditLog;
import org.countersign.store.AuditRecord;
import org.countersign.store.DecisionJson;
import org.countersign.store.EmergencyCloses;
import org.countersign.store.StoredTicket;
import org.countersign.store.TicketRepository;
import org.countersign.store.WatchedProject;
import org.countersign.store.WatchedProjects;
import org.jboss.logging.Logger;

/**
 * The one path from "something may have changed on this ticket" to a stored decision and queued
 * GitLab actions. Webhooks and reconciliation both come through here, so they cannot disagree.
 *
 * <p>History is read from GitLab outside any transaction; then, in one transaction holding the
 * ticket's advisory lock: the audit entry (only when the decision changed), the ticket's latest
 * decision, and the actions (deduplicated by key). The action worker applies them after commit.
 */
@ApplicationScoped
public class EvaluateTicket {

    private static final Logger LOG = Logger.getLogger(EvaluateTicket.class);

    private final GitLabPort gitlab;
    private final Settings settings;
    private final WatchedProjects projects;
    private final TicketRepository tickets;
    private final AuditLog audit;
    private final ActionQueue actions;
    private final DecisionJson json;
    private final Clock clock;
    private final WorkSignal signal;
    private final Metrics metrics;
    private final AcceptedCloses accepted;
    private final SignoffNotes signoffNotes;
    private final Governance governance;
    private final EmergencyCloses emergencies;
    private final ProjectPolicies policies;

    public EvaluateTicket(GitLabPort gitlab, Settings settings, WatchedProjects projects, TicketRepository tickets,
                          AuditLog audit, ActionQueue actions, DecisionJson json, Clock clock, WorkSignal signal,
                          Metrics metrics, AcceptedCloses accepted, SignoffNotes signoffNotes,
                          Governance governance, EmergencyCloses emergencies, ProjectPolicies policies) {
        this.gitlab = gitlab;
        this.settings = settings;
        this.projects = projects;
        this.tickets = tickets;
        this.audit = audit;
        this.actions = actions;
        this.json = json;
        this.clock = clock;
        this.signal = signal;
        this.metrics = metrics;
        this.accepted = accepted;
        this.signoffNotes = signoffNotes;
        this.governance = governance;
        this.emergencies = emergencies;
        this.policies = policies;
    }

    /**
     * A decision and the moment (database clock) before which every delivery about the ticket is covered
     * by it: GitLab had committed the change it announces before the history was proved consistent.
     * {@code history}: the history the decision was made on (sign-offs edited since first read marked so);
     * {@code policy}: the rule it was made under, the project's in force (its {@code .countersign.yml}
     * over the environment's settings).
     */
    public record Evaluation(Decision decision, Instant historyReadAt, TicketHistory history, PolicySettings policy) {
    }

    /** Decides on the ticket now. Empty when the project is not watched. Throws {@link GitLabFailure}. */
    public Optional<Decision> evaluate(long projectId, long iid, String trigger) {
        return evaluate(projectId, iid, trigger, Optional.empty()).map(Evaluation::decision);
    }

    /** As {@link #evaluate(long, long, String)}, when the caller just saw the issue's version in a listing. */
    public Optional<Evaluation> evaluate(long projectId, long iid, String trigger, Optional<GitLabPort.IssueVersion> known) {
        // when the history starts to be read, on the database clock (deliveries are stamped with it)
        Optional<WatchedProjects.Clocked> start = projects.findWithClock(projectId);
        if (start.isEmpty()) {
            return Optional.empty();
        }
        WatchedProject project = start.get().project();
        long started = System.nanoTime();
        GitLabPort.LoadedTicket loaded = gitlab.loadTicket(projectId, iid, known);
        // GitLab sends a webhook after committing its change: a delivery that arrived before the read that
        // proved the snapshot consistent began is in the snapshot (same database clock as the deliveries)
        Instant readAt = start.get().databaseNow().plusNanos(Math.max(0, loaded.consistentAsOfNanos() - started));
        Governance.EmergencyDefaults em = governance.emergency();
        PolicySettings policy = policies.settingsFor(projectId,
                settings.policy(gitlab.botUserId()).withEmergency(em.enabled(), em.label(), em.deadline()));
        Recorded recorded = QuarkusTransaction.requiringNew().call(() -> record(loaded, policy, project, trigger, readAt));
        metrics.decision(recorded.decision().verdict().name());
        if (recorded.queued()) {
            signal.actionsQueued();
        }
        return Optional.of(new Evaluation(recorded.decision(), readAt, recorded.history(), policy));
    }

    private record Recorded(Decision decision, boolean queued, TicketHistory history) {
    }

    /**
     * Under the ticket's lock: decides (the policy is pure and quick, and the closes accepted so far are
     * read under the same lock, so two instances cannot disagree on them), then stores.
     */
    private Recorded record(GitLabPort.LoadedTicket loaded, PolicySettings policy, WatchedProject project, String trigger,
                            Instant readAt) {
        long projectId = loaded.history().projectId();
        long iid = loaded.history().iid();
        tickets.lock(projectId, iid);
        Instant now = clock.instant();
        TicketHistory history = withEditsSinceFirstRead(loaded.history(), now);
        Decision d = ReviewPolicy.decide(history, policy, project.watchedSince(), accepted.refs(projectId, iid), now);
        if (governance.mode() == Mode.SHADOW) {
            d = ShadowMode.apply(d, policy);
        }
        Optional<StoredTicket> stored = tickets.find(projectId, iid);
        if (stored.isPresent() && stored.get().gitlabUpdatedAt() != null
                && stored.get().gitlabUpdatedAt().isAfter(loaded.updatedAt())) {
            LOG.debugf("ticket %d#%d: a newer history was already decided, dropping this one", projectId, iid);
            return new Recorded(d, false, history);
        }
        String decisionJson = json.decision(d);
        String summary = Wording.summary(d);
        Optional<Long> auditId = Optional.empty();
        if (stored.isEmpty() || !stored.get().fingerprint().equals(d.fingerprint())) {
            auditId = Optional.of(audit.append(new AuditRecord(null, now, projectId, iid, "DECISION", actorOf(d),
                    d.verdict().name(), summary, trigger, d.closeRef().map(r -> "close:" + r).orElse(null), decisionJson)));
            LOG.infof("ticket %d#%d: %s", projectId, iid, summary);
        }
        recordEmergency(d, now, trigger);
        if (d.verdict() == Verdict.CLOSE_ACCEPTED && d.closeRef().isPresent()
                && d.reasons().stream().noneMatch(r -> r instanceof Reason.AcceptedEarlier)) {
            accepted.record(projectId, iid, d.closeRef().get(), now, d.closedBy().map(UserRef::username).orElse(null),
                    decisionJson);
        }
        tickets.save(new StoredTicket(projectId, iid, loaded.history().title(), loaded.webUrl(), d.verdict().name(),
                summary, d.fingerprint(), decisionJson, d.reviewSince().orElse(null), d.validSignoffs(),
                d.requiredSignoffs(), loaded.updatedAt(), now, readAt));
        boolean queued = false;
        for (Action a : d.actions()) {
            if (actions.enqueue(projectId, iid, a.key(), DecisionJson.kind(a), json.action(a, loaded.updatedAt()),
                    auditId.orElse(null))) {
                queued = true;
                if (a instanceof Action.AnswerSignoff answer) {
                    recordSignoffOnce(d, answer, now, trigger);
                }
            }
        }
        return new Recorded(d, queued, history);
    }

    /**
     * Marks as edited every sign-off note whose body differs from the one first read (a reaction moves
     * {@code updated_at} too, so only the body tells an edit made after Countersign read the note), and
     * records the bodies of sign-off notes read for the first time.
     */
    private TicketHistory withEditsSinceFirstRead(TicketHistory h, Instant now) {
        Map<Long, String> firstRead = signoffNotes.firstRead(h.projectId(), h.iid());
        List<Comment> comments = new ArrayList<>(h.comments().size());
        boolean changed = false;
        for (Comment c : h.comments()) {
            if (c.system() || !SignoffCommand.isSignoff(c.body())) {
                comments.add(c);
                continue;
            }
            String known = firstRead.get(c.id());
            if (known == null) {
                signoffNotes.record(h.projectId(), h.iid(), c.id(), c.body(), now);
                comments.add(c);
            } else if (!c.edited() && !known.equals(SignoffNotes.sha256(c.body()))) {
                comments.add(c.editedAt(now));
                changed = true;
            } else {
                comments.add(c);
            }
        }
        if (!changed) {
            return h;
        }
        return new TicketHistory(h.projectId(), h.iid(), h.title(), h.type(), h.author(), h.assignees(), h.closed(),
                h.movedToId(), h.labels(), h.createdAt(), h.closedAt(), h.closedBy(), h.labelChanges(), h.stateChanges(),
                comments, h.signers());
    }

    /**
     * An emergency close is recorded once (with an EMERGENCY audit entry naming the closer: the count per
     * person) and settled once, as REVIEWED or OVERDUE (another EMERGENCY entry).
     */
    private void recordEmergency(Decision d, Instant now, String trigger) {
        if (d.closeRef().isEmpty()) {
            return;
        }
        String ref = d.closeRef().get();
        String closer = d.closedBy().map(UserRef::username).orElse(null);
        for (Reason r : d.reasons()) {
            if (r instanceof Reason.EmergencyClose e && emergencies.open(d.projectId(), d.iid(), ref, closer,
                    e.requester().username(), e.reason(), now, e.due())) {
                audit.append(new AuditRecord(null, now, d.projectId(), d.iid(), "EMERGENCY", closer, "REVIEW_OWED",
                        Wording.reason(r), trigger, "close:" + ref, json.decision(d)));
            } else if (r instanceof Reason.EmergencyReviewed && emergencies.settle(d.projectId(), d.iid(), ref, "REVIEWED", now)) {
                audit.append(new AuditRecord(null, now, d.projectId(), d.iid(), "EMERGENCY", closer, "REVIEWED",
                        Wording.reason(r), trigger, "close:" + ref, json.decision(d)));
            } else if (r instanceof Reason.EmergencyReviewOverdue && emergencies.settle(d.projectId(), d.iid(), ref, "OVERDUE", now)) {
                audit.append(new AuditRecord(null, now, d.projectId(), d.iid(), "EMERGENCY", closer, "OVERDUE",
                        Wording.reason(r), trigger, "close:" + ref, json.decision(d)));
            }
        }
    }

    /** The first time a sign-off is answered, the sign-off itself gets its own audit entry. */
    private void recordSignoffOnce(Decision d, Action.AnswerSignoff answer, Instant now, String trigger) {
        for (SignoffCheck c : d.signoffs()) {
            if (c.noteId() == answer.noteId()) {
                audit.append(new AuditRecord(null, now, d.projectId(), d.iid(), "SIGNOFF", c.signer().username(),
                        c.accepted() ? "ACCEPTED" : "REFUSED", Wording.signoffSummary(c), trigger, "note:" + c.noteId(),
                        null));
            }
        }
    }

    private static String actorOf(Decision d) {
        if (d.verdict() == Verdict.CLOSE_ACCEPTED || d.verdict() == Verdict.CLOSE_REJECTED || d.verdict() == Verdict.GRANDFATHERED
                || d.verdict() == Verdict.REVIEW_OWED) {
            return d.closedBy().map(UserRef::username).orElse(null);
        }
        return null;
    }
}
