package org.countersign.gitlab.sim;

import java.time.Instant;

/**
 * Result of an issue creation or update, used to render the Issue Hook. {@code before} is null for a
 * creation; {@code action} is GitLab's {@code object_attributes.action}: open, close, reopen or update.
 */
record IssueChange(SimProject project, SimUser actor, SimIssue before, SimIssue after, String action, Instant at) {
}
