package org.countersign.workflow;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.countersign.policy.ProjectMember;
import org.countersign.policy.TicketHistory;

/**
 * What the use cases need from GitLab. Implemented by the GitLab adapter over GitLab4J; every method
 * may throw {@link GitLabFailure}.
 */
public interface GitLabPort {

    /** Countersign's own GitLab user (from {@code GET /user}), cached after the first call. */
    long botUserId();

    ProjectInfo project(String idOrPath);

    /**
     * A ticket's full history: issue, label and state events, notes (all pages), and what GitLab says
     * about every signer, read as one consistent snapshot. {@code known}, when the caller just listed
     * the issue, saves reading the issue before the history.
     */
    LoadedTicket loadTicket(long projectId, long iid, Optional<IssueVersion> known);

    /**
     * The project's members, inherited ones included, with what GitLab says about each (access level,
     * person or bot, active); read for naming the reviewers a reminder asks.
     */
    List<ProjectMember> members(long projectId);

    /** The project's webhooks with GitLab's delivery status (reading them needs Maintainer access). */
    List<HookStatus> hooks(long projectId);

    IssueState issueState(long projectId, long iid);

    /**
     * Reopens the issue and adds {@code labels} (without touching the others) in one update; returns
     * the issue as GitLab answered. GitLab answers 200 even when it did not reopen (a locked
     * discussion): the caller checks {@link IssueState#closed()}.
     */
    IssueState reopen(long projectId, long iid, List<String> labels);

    /**
     * The file {@code path} on the project's default branch (GitLab's repository files API), empty when
     * the project has no such file (404).
     */
    Optional<RepositoryFile> repositoryFile(long projectId, String path);

    /** A file as the repository files API gives it: decoded text, the branch, the last commit that changed it. */
    record RepositoryFile(String content, String ref, String lastCommitId) {
    }

    /** Adds and removes labels (without touching the others) in one update; returns the issue as GitLab answered. */
    IssueState changeLabels(long projectId, long iid, List<String> add, List<String> remove);

    /** Locks or unlocks the issue's discussion; returns the issue as GitLab answered. */
    IssueState setDiscussionLocked(long projectId, long iid, boolean locked);

    /** Whether a note on the ticket contains {@code text} (used to find Countersign's own markers). */
    boolean hasNoteContaining(long projectId, long iid, String text);

    /** Posts a note; {@code internal} makes it an internal note (project members only). */
    void postNote(long projectId, long iid, String body, boolean internal);

    /**
     * Creates an issue ({@code POST /projects/:id/issues}) with {@code labels}; returns its iid. Not
     * idempotent: a caller that may be retrying looks for its marker first ({@link #findOpenIssue}).
     */
    long createIssue(long projectId, String title, String description, List<String> labels);

    /** The iid of an open issue labelled {@code label} whose description contains {@code text}, if any. */
    Optional<Long> findOpenIssue(long projectId, String label, String text);

    /** Calls {@code each} for every issue updated at or after {@code since}, oldest update first, page by page. */
    void forEachIssueUpdatedSince(long projectId, Instant since, Consumer<IssueHead> each);

    record ProjectInfo(long id, String path, String webUrl) {
    }

    /** A project webhook; {@code alertStatus} is GitLab's executable, temporarily_disabled or disabled. */
    record HookStatus(long id, String url, boolean issuesEvents, boolean noteEvents, String alertStatus,
                      Optional<Instant> disabledUntil) {
        public boolean disabled() {
            return alertStatus != null && !alertStatus.equals("executable");
        }
    }

    record IssueHead(long iid, IssueVersion version) {
    }

    /**
     * What changes whenever the ticket's history does: {@code updated_at} moves with every label and
     * state change (and, at most once a minute, with new notes); the user-note count with every note
     * added or deleted.
     */
    record IssueVersion(Instant updatedAt, int userNotesCount) {
    }

    /** The issue as GitLab shows it now. */
    record IssueState(boolean closed, Set<String> labels, Instant updatedAt, boolean discussionLocked) {
    }

    /**
     * The history plus what pages show about the ticket. {@code consistentAsOfNanos}: the
     * {@link System#nanoTime()} just before the read that proved the snapshot consistent began: every
     * change GitLab had committed by then is in the history.
     */
    record LoadedTicket(TicketHistory history, IssueVersion version, String webUrl, long consistentAsOfNanos) {
        public Instant updatedAt() {
            return version.updatedAt();
        }
    }
}
