package org.countersign.gitlab.sim;

import java.time.Instant;

/** A note (comment) on an issue. {@code internal} = GitLab internal (formerly confidential) note. */
public record SimNote(long id, long projectId, long issueId, long issueIid, String body, SimUser author,
        Instant createdAt, Instant updatedAt, boolean system, boolean internal) {
}
