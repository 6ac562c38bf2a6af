package org.countersign.gitlab.sim;

import java.time.Instant;

/**
 * Membership of a user in a project. {@code accessLevel}: 10 guest, 15 planner, 20 reporter,
 * 30 developer, 40 maintainer, 50 owner. {@code createdBy} is who granted it.
 */
public record SimMember(long projectId, SimUser user, int accessLevel, Instant createdAt, SimUser createdBy) {
}
