package org.countersign.workflow;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import org.countersign.policy.Action;
import org.countersign.policy.ReviewPolicy;
import org.countersign.policy.StateChange;
import org.countersign.policy.Wording;

/**
 * Applies one queued action to GitLab, idempotently: it first looks at GitLab's current state and
 * does nothing if the effect is already there (the issue is open, the labels are present, a note
 * with the action's marker exists) or no longer wanted (the ticket was closed again since: that newer
 * close gets its own decision). So a retry after a crash never reopens twice or posts a second note.
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

    public ApplyAction(GitLabPort gitlab) {
        this.gitlab = gitlab;
    }

    public Outcome apply(long projectId, long iid, Action action) {
        if (action instanceof Action.Reopen r) {
            return reopen(projectId, iid, r);
        } else if (action instanceof Action.RestoreLabels r) {
            return restore(projectId, iid, r);
        } else if (action instanceof Action.PostNote n) {
            return note(projectId, iid, n);
        }
        throw new IllegalArgumentException("unknown action " + action);
    }

    private Outcome reopen(long projectId, long iid, Action.Reopen r) {
        GitLabPort.IssueState state = gitlab.issueState(projectId, iid);
        if (!state.closed()) {
            return Outcome.skipped("already open");
        }
        if (!isLatestClose(projectId, iid, r.closeRef())) {
            return Outcome.skipped("closed again since close " + r.closeRef() + "; that close is judged on its own");
        }
        gitlab.reopen(projectId, iid);
        return Outcome.done("reopened (close " + r.closeRef() + " had no valid review)");
    }

    private Outcome restore(long projectId, long iid, Action.RestoreLabels r) {
        GitLabPort.IssueState state = gitlab.issueState(projectId, iid);
        if (state.closed() && !isLatestClose(projectId, iid, r.closeRef())) {
            return Outcome.skipped("closed again since close " + r.closeRef());
        }
        List<String> missing = r.labels().stream().filter(l -> !state.labels().contains(l)).toList();
        if (missing.isEmpty()) {
            return Outcome.skipped("labels already present: " + r.labels());
        }
        gitlab.addLabels(projectId, iid, missing);
        return Outcome.done("restored labels " + missing);
    }

    private Outcome note(long projectId, long iid, Action.PostNote n) {
        if (gitlab.hasNoteContaining(projectId, iid, Wording.marker(n.key()))) {
            return Outcome.skipped("note already posted");
        }
        gitlab.postNote(projectId, iid, n.body());
        return Outcome.done("posted note " + n.key());
    }

    private boolean isLatestClose(long projectId, long iid, String closeRef) {
        Optional<StateChange> latest = gitlab.latestClose(projectId, iid);
        // a close GitLab kept no event for ("at-…") can only be the latest if no event exists at all
        return latest.map(c -> ReviewPolicy.closeRef(c).equals(closeRef)).orElse(closeRef.startsWith("at-"));
    }
}
