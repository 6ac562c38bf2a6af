package org.countersign.people;

import java.util.List;

/** What the people's side asks GitLab about project members (implemented in the GitLab adapter). */
public interface Members {

    /**
     * A project member as GitLab lists it (direct or inherited).
     *
     * @param person false for bots, service accounts and the ghost user
     */
    record Member(long id, String username, String name, int accessLevel, boolean active, boolean person) {
    }

    /** Whether user {@code userId} is a member of the project (any role, inherited included). */
    boolean isMember(long projectId, long userId);

    /** The project's members, inherited included. */
    List<Member> members(long projectId);

    /** Countersign's own GitLab user id. */
    long botUserId();
}
