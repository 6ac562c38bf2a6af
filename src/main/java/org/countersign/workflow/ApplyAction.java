package org.countersign.workflow;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.countersign.policy.Action;
import org.countersign.policy.Decision;
import org.countersign.policy.Verdict;
import org.countersign.policy.Wording;
import org.countersign.store.TicketRepository;

/**
 * Applies one queued action to GitLab, idempotently: it first looks at GitLab's current state and
 * does nothing if the effect is already there (the issue is open, a note with the action's marker
 * exists) or no longer wanted (the ticket was closed again since: that newer close gets its own
 * decision). So a retry after a crash never reopens twice or posts a second note.
 *
 * <p>An action counts as done only when GitLab's answer shows the intended state: GitLab answers 200
 * to a reopen it refused (a locked discussion). Then Countersign does what its rights allow — unlock,
 * reopen, lock again, all in the outcome's audit line — or reports {@link ActionNotApplied} with the fix.
 */
@ApplicationScoped
public class ApplyAction {

    /** What happened: DONE (GitLab changed) or SKIPPED (nothing to do), with a sentence for the audit. */
    public record Outcome(String status, String message) {
        static Outcome done(String m) {
            return new Outcome("DONE", m);
        }

        static Outcome skipped(String m) {
            return new Outcome("SKIPPED", m);
        }
    }

    private final GitLabPort gitlab;
    private final TicketRepository tickets;
    private final Instance<EvaluateTicket> evaluate;

    /** COUNTERSIGN_PUBLIC_URL: every note links to the ticket's page there. */
    private final Optional<String> publicUrl;

    public ApplyAction(GitLabPort gitlab, TicketRepository tickets, Instance<EvaluateTicket> evaluate,
                       org.countersign.config.CountersignConfig config) {
        this.publicUrl = config.publicUrl();
        this.gitlab = gitlab;
        this.tickets = tickets;
        this.evaluate = evaluate;
    }

    /**
     * @param mayHaveRunBefore whether an earlier try of this action may have reached GitLab (a retry):
     *                         only then is it worth reading the notes for its marker first
     * @param decidedOn        the issue's {@code updated_at} when the decision asking for it was made
     */
    public Outcome apply(long projectId, long iid, Action action, boolean mayHaveRunBefore, Optional<Instant> decidedOn) {
        if (action instanceof Action.Reopen r) {
            return reopen(projectId, iid, r, decidedOn);
        } else if (action instanceof Action.Note n) {
            return note(projectId, iid, n, mayHaveRunBefore);
        } else if (action instanceof Action.ChangeLabels l) {
            return labels(projectId, iid, l);
        }
        throw new IllegalArgumentException("unknown action " + action);
    }

    private Outcome reopen(long projectId, long iid, Action.Reopen decided, Optional<Instant> decidedOn) {
        Action.Reopen r = decided;
        GitLabPort.IssueState state = gitlab.issueState(projectId, iid);
        if (!state.closed()) {
            return Outcome.skipped("already open");
        }
        // Unchanged since the decision: its close is still the latest and the labels to put back are right.
        boolean unchanged = decidedOn.map(t -> t.equals(state.updatedAt())).orElse(false);
        if (!unchanged) {
            // Something happened since (another close, the rest of the closing update's label changes…):
            // decide again on the history as it is now, and reopen only what that decision still rejects.
            Optional<Action.Reopen> still = evaluate.get().evaluate(projectId, iid, "recheck before " + r.key()).stream()
                    .flatMap(d -> d.actions().stream())
                    .filter(a -> a instanceof Action.Reopen again && again.closeRef().equals(decided.closeRef()))
                    .map(Action.Reopen.class::cast).findFirst();
            if (still.isEmpty()) {
                return Outcome.skipped("close " + r.closeRef() + " is no longer the one to undo (closed again since, or judged"
                        + " otherwise on the history as it is now)");
            }
            r = still.get();
        }
        List<String> labels = r.restoreLabels().stream().filter(l -> !state.labels().contains(l)).toList();
        GitLabPort.IssueState after = gitlab.reopen(projectId, iid, labels);
        String restored = labels.isEmpty() ? "" : " and put back " + labels;
        if (!after.closed()) {
            if (unchanged) {
                // nothing but this reopen changed the issue since it was decided on: no need to decide again
                tickets.ownChange(projectId, iid, state.updatedAt(), after.updatedAt());
            }
            return Outcome.done("reopened" + restored + " (close " + r.closeRef() + " had no valid review)");
        }
        if (!after.discussionLocked()) {
            throw new ActionNotApplied("GitLab answered the reopen of issue " + projectId + "#" + iid
                    + " but left it closed; check that the bot account may reopen issues there (Reporter role or more)");
        }
        // GitLab refuses to reopen an issue whose discussion is locked (IssuablePolicy), answering 200.
        GitLabPort.IssueState unlocked = gitlab.setDiscussionLocked(projectId, iid, false);
        if (unlocked.discussionLocked()) {
            throw new ActionNotApplied("issue " + projectId + "#" + iid + " has a locked discussion and the bot account"
                    + " cannot unlock it, so it stays closed without review; give the bot account the Reporter role or more,"
                    + " or unlock the discussion (then Countersign reopens it)");
        }
        try {
            after = gitlab.reopen(projectId, iid, labels);
        } finally {
            gitlab.setDiscussionLocked(projectId, iid, true);
        }
        if (after.closed()) {
            throw new ActionNotApplied("GitLab left issue " + projectId + "#" + iid + " closed even with its discussion"
                    + " unlocked; check the bot account's role on the project (Reporter or more)");
        }
        return Outcome.done("reopened" + restored + " (close " + r.closeRef() + " had no valid review); its discussion"
                + " was locked, so Countersign unlocked it, reopened it and locked it again");
    }

    /** Only what is still to do: labels already there (or already gone) are left alone. */
    private Outcome labels(long projectId, long iid, Action.ChangeLabels l) {
        GitLabPort.IssueState state = gitlab.issueState(projectId, iid);
        List<String> add = l.add().stream().filter(x -> !state.labels().contains(x)).toList();
        List<String> remove = l.remove().stream().filter(state.labels()::contains).toList();
        if (add.isEmpty() && remove.isEmpty()) {
            return Outcome.skipped("labels already as wanted");
        }
        GitLabPort.IssueState after = gitlab.changeLabels(projectId, iid, add, remove);
        return Outcome.done((add.isEmpty() ? "" : "added " + add + " ") + (remove.isEmpty() ? "" : "removed " + remove)
                + (after.labels().containsAll(add) ? "" : " (GitLab did not keep every label added)"));
    }

    private Outcome note(long projectId, long iid, Action.Note n, boolean mayHaveRunBefore) {
        if (n instanceof Action.RemindReviewers r) {
            // A reminder is worth posting only while the ticket still waits in the same review, short of
            // sign-offs: decide again on the history as it is now (signed off or moved out since: skip).
            Optional<Decision> now = evaluate.get().evaluate(projectId, iid, "recheck before " + r.key());
            boolean stillWaiting = now.filter(d -> d.verdict() == Verdict.AWAITING_SIGNOFF)
                    .flatMap(Decision::reviewSince).filter(r.reviewSince()::equals).isPresent();
            if (!stillWaiting) {
                return Outcome.skipped("no reminder: the ticket no longer waits for review since "
                        + Wording.time(r.reviewSince()) + " (" + now.map(d -> d.verdict().name()).orElse("not watched") + ")");
            }
        }
        if (mayHaveRunBefore && gitlab.hasNoteContaining(projectId, iid, Wording.marker(n.key()))) {
            return Outcome.skipped("note already posted");
        }
        gitlab.postNote(projectId, iid, Wording.noteBody(n, Wording.ticketPage(publicUrl, projectId, iid)), n.internal());
        return Outcome.done("posted " + (n.internal() ? "internal " : "") + "note " + n.key());
    }

}
