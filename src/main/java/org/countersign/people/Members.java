package org.countersign.people;

import java.util.List;
import org.countersign.policy.ProjectMember;

/** What the people's side asks GitLab about project members (implemented in the GitLab adapter). */
public interface Members {

    /**
     * Whether user {@code userId} may see the project in Countersign: a member (inherited included) with a
     * role that sees confidential issues and internal notes in GitLab, Reporter or more.
     */
    boolean isMember(long projectId, long userId);

    /**
     * The project's members, inherited included, with what GitLab says about each (access level, state,
     * person or bot) — the facts a sign-off is judged on.
     */
    List<ProjectMember> members(long projectId);

    /** Countersign's own GitLab user id. */
    long botUserId();
}
