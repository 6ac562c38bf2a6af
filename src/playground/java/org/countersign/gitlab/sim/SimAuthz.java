package org.countersign.gitlab.sim;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * GitLab's permission rules for the REST calls Countersign makes, as declared in gitlabhq/gitlabhq
 * {@code app/policies/project_policy.rb}, {@code issue_policy.rb} and {@code issuable_policy.rb}:
 * <ul>
 *   <li>Guest (10): read_project, read_issue, create_issue, create_note (and anyone logged in on a public or
 *       internal project gets guest access);</li>
 *   <li>Planner (15): update_issue, reopen_issue, admin_issue, destroy_issue; Reporter (20) and above:
 *       update_issue, reopen_issue, admin_issue (not destroy_issue); Owner (50) and admins: destroy_issue;</li>
 *   <li>a Guest who is the author or an assignee may update/reopen the issue, except an incident;</li>
 *   <li>confidential issues: Planner/Reporter and above, author and assignees only;</li>
 *   <li>{@code rule { locked & ~is_project_member }.prevent :create_note}; {@code rule { locked }.prevent
 *       :reopen_issue} (see {@link SimState#updateIssue}).</li>
 * </ul>
 * Enforcement is off until {@link GitLabSimulator#setEnforceAuthorization(boolean)} turns it on (before, any
 * known token could do anything, and existing tests rely on it). Revoked tokens and blocked users are always
 * refused (see {@link SimHttpApi}).
 */
final class SimAuthz {

    private final SimState state;
    private volatile boolean enforce;
    private final Map<Long, String> visibility = new ConcurrentHashMap<>();

    SimAuthz(SimState state) {
        this.state = state;
    }

    void setEnforce(boolean enforce) {
        this.enforce = enforce;
    }

    boolean enforcing() {
        return enforce;
    }

    /** {@code private} (default), {@code internal} or {@code public}. */
    void setVisibility(long projectId, String level) {
        String v = level.toLowerCase(Locale.ROOT);
        if (!v.equals("private") && !v.equals("internal") && !v.equals("public")) {
            throw new IllegalArgumentException("visibility: " + level);
        }
        visibility.put(projectId, v);
    }

    String visibility(long projectId) {
        return visibility.getOrDefault(projectId, "private");
    }

    /** Effective access level: 0 for non-members, {@link GitLabSimulator#OWNER} for admins. */
    int level(SimUser user, long projectId) {
        if (user.admin()) {
            return GitLabSimulator.OWNER;
        }
        return state.member(projectId, user.id()).map(SimMember::accessLevel).orElse(0);
    }

    private boolean member(SimUser user, long projectId) {
        return user.admin() || state.member(projectId, user.id()).isPresent();
    }

    private boolean guestAccess(SimUser user, long projectId) {
        return level(user, projectId) >= GitLabSimulator.GUEST || !visibility(projectId).equals("private");
    }

    /** Planner (15) or Reporter (20) and above: {@code admin_issue}, {@code set_issue_metadata}. */
    private boolean plannerOrReporter(SimUser user, long projectId) {
        return level(user, projectId) >= GitLabSimulator.PLANNER;
    }

    private static boolean authorOrAssignee(SimUser user, SimIssue issue) {
        return issue.authorId() == user.id() || issue.assigneeIds().contains(user.id());
    }

    /** A project the user cannot see answers 404 {@code 404 Project Not Found} (lib/api/helpers.rb). */
    boolean canReadProject(SimUser user, long projectId) {
        return !enforce || guestAccess(user, projectId);
    }

    boolean canReadIssue(SimUser user, long projectId, SimIssue issue) {
        if (!enforce) {
            return true;
        }
        if (!guestAccess(user, projectId)) {
            return false;
        }
        return !issue.confidential() || plannerOrReporter(user, projectId) || authorOrAssignee(user, issue);
    }

    /** {@code authorize! :update_issue, issue} in {@code PUT /projects/:id/issues/:iid}. */
    boolean canUpdateIssue(SimUser user, long projectId, SimIssue issue) {
        if (!enforce) {
            return true;
        }
        return canReadIssue(user, projectId, issue) && (plannerOrReporter(user, projectId)
                || guestAccess(user, projectId) && authorOrAssignee(user, issue)
                        && !"incident".equals(issue.issueType()));
    }

    /**
     * {@code can_set_issuable_metadata?}: without it {@code IssuableBaseService#filter_params} silently drops
     * labels, add_labels, remove_labels, assignee_ids and discussion_locked (the PUT still answers 200).
     */
    boolean canAdminIssue(SimUser user, long projectId) {
        return !enforce || plannerOrReporter(user, projectId);
    }

    /** {@code authorize! :create_issue, user_project}: any member, Guest or more (project_policy.rb). */
    boolean canCreateIssue(SimUser user, long projectId) {
        return !enforce || guestAccess(user, projectId);
    }

    /** {@code authorize!(:create_note, noteable)} (lib/api/helpers/notes_helpers.rb). */
    boolean canCreateNote(SimUser user, long projectId, SimIssue issue) {
        if (!enforce) {
            return true;
        }
        if (!canReadIssue(user, projectId, issue)) {
            return false;
        }
        return !issue.discussionLocked() || member(user, projectId);
    }

    /** {@code authorize!(:destroy_issue, issue)}: Planner, Owner, admins. */
    boolean canDestroyIssue(SimUser user, long projectId) {
        if (!enforce) {
            return true;
        }
        int level = level(user, projectId);
        return level == GitLabSimulator.PLANNER || level >= GitLabSimulator.OWNER;
    }

    /** {@code Issue#can_move?}: admin_issue on the issue and in the target project. */
    boolean canMove(SimUser user, long projectId, long targetProjectId) {
        return !enforce || plannerOrReporter(user, projectId) && plannerOrReporter(user, targetProjectId);
    }

    /**
     * {@code authorize! :admin_label} ({@code POST /projects/:id/labels}, lib/api/helpers/label_helpers.rb) and
     * {@code :admin_issue_board} / {@code :admin_issue_board_list} (lib/api/boards.rb): project_policy.rb grants
     * them from Planner and Reporter up.
     */
    boolean canAdminLabelsAndBoards(SimUser user, long projectId) {
        return !enforce || plannerOrReporter(user, projectId);
    }

    /**
     * {@code before { authorize_admin_project }} in lib/api/project_hooks.rb: {@code admin_project}, Maintainer
     * and above (docs/api/project_webhooks: "You must be an administrator or have at least the Maintainer role").
     * Only the writes are checked: the service's webhook health check reads hooks with a Developer bot in the
     * existing end-to-end world (it says "unknown" on a 403 in real GitLab).
     */
    boolean canAdminProject(SimUser user, long projectId) {
        return !enforce || level(user, projectId) >= GitLabSimulator.MAINTAINER;
    }
}
